"""benchmarks.drafts: the draft save of deadline day is a post the app accepts."""

import pytest
from django.test import Client

from assessments.models import Rating
from benchmarks import national
from benchmarks.drafts import DRAFT_RATIONALE, draft_form
from benchmarks.targets import deadline_members

FORM = """
<form method="get" action="/search"><input name="q" value="x"><button>Search</button></form>
<form method="post" novalidate>
  <input type="hidden" name="csrfmiddlewaretoken" value="token-1">
  <input type="hidden" name="version" value="3">
  <input type="radio" name="level" value="11">
  <input type="radio" name="level" value="12" checked>
  <textarea name="rationale">
We see it &amp; audit it.</textarea>
  <input type="text" name="evidence_title_1" value="">
  <select name="colour">
    <option value="r">Red</option><option value="g" selected>Green</option>
  </select>
  <input type="checkbox" name="agree">
  <button type="submit" name="save_continue">Save and continue</button>
  <button type="submit" name="save_draft">Save as draft</button>
</form>
"""


def test_it_posts_the_draft_form_as_a_browser_would():
    assert draft_form(FORM) == [
        ("csrfmiddlewaretoken", "token-1"),
        ("version", "3"),
        ("level", "12"),
        ("rationale", "We see it & audit it."),
        ("evidence_title_1", ""),
        ("colour", "g"),
        ("save_draft", ""),
    ]


def test_an_empty_rationale_gets_a_sentence_and_a_page_without_the_form_gives_none():
    fields = dict(draft_form(FORM.replace("We see it &amp; audit it.", "")))
    assert fields["rationale"] == DRAFT_RATIONALE
    assert draft_form("<form method='post'><button name='save_continue'></button></form>") is None


@pytest.mark.django_db
def test_the_app_accepts_the_draft_read_from_a_real_change_page(frameworks):
    national.seed_national(systems=1, seed=1, password="bench-password-1")
    member = deadline_members(1)[0]
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)
    for path in member.change_paths[:2]:  # one rated change and one not, or both rated
        page = client.get(path)
        assert page.status_code == 200
        response = client.post(path, dict(draft_form(page.content.decode())))
        assert response.status_code == 302, response.content.decode()[:2000]
    assert Rating.objects.filter(updated_by=member.user, version__gte=1).exists()
