"""benchmarks.targets and benchmarks.inprocess: who and what is measured, on seeded data."""

import pytest
from django.test import Client

from assessments.models import PartnerReturn
from benchmarks import inprocess, national
from benchmarks.targets import (
    PAGES,
    Page,
    Sessions,
    deadline_members,
    deadline_readers,
    only_url_name,
    page_url,
    targets,
    user_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(frameworks):
    national.seed_national(systems=2, seed=1, password="bench-password-1")
    sessions = Sessions()
    yield targets(), sessions
    sessions.delete()


def test_targets_are_the_first_and_last_system_and_the_3_partner_reference(seeded):
    (first, last, reference), _ = seeded
    assert (first.partners, last.partners, reference.partners) == (15, 15, 3)
    assert first.system.slug < last.system.slug
    assert reference.system.slug == national.REFERENCE_SLUG
    for target in (first, last, reference):
        assert set(target.rounds) == {"draft", "rating", "review", "approval", "agreed"}


def test_a_session_made_directly_logs_the_person_in_until_it_is_deleted(seeded):
    (first, _, _), sessions = seeded
    cookie = sessions.cookie(first.facilitator)
    client = Client()
    name, value = cookie.split("=", 1)
    client.cookies[name] = value
    response = client.get("/")
    assert response.status_code == 200
    assert response.wsgi_request.user == first.facilitator
    sessions.delete()
    assert client.get("/").status_code == 302


def test_every_page_answers_and_its_queries_are_flat_across_partners_and_systems(seeded):
    """What the benchmark asserts on national data, here on two systems (the PDF, slow to
    render, only in the benchmark)."""
    (first, last, reference), sessions = seeded
    for page in PAGES:
        if page.pdf:
            continue
        counts = []
        for name in page.url_names:
            path, _, note = page_url(only_url_name(page, name), first)
            assert path, note
            status, queries = inprocess.count_queries(path, sessions.cookie(user_for(page, first)))
            if status == 200:
                break
        assert status == 200, (page.key, path)  # the PDF falls back to the draft file
        for target in (first, last, reference):
            path, _, _ = page_url(only_url_name(page, name), target)
            status, queries = inprocess.count_queries(path, sessions.cookie(user_for(page, target)))
            assert status == 200, (page.key, target.label)
            counts.append(queries)
        assert counts[0] == counts[1] <= counts[2], (page.key, counts)


def test_a_page_whose_url_does_not_exist_is_skipped_with_a_note():
    page = Page("nothing", "Nothing", ("no_such_url_name",), "facilitator")
    path, name, note = page_url(page, None)
    assert (path, name) == ("", "")
    assert "no URL named no_such_url_name" in note


def test_deadline_members_never_share_a_rating_and_their_pages_are_forms(seeded):
    _, sessions = seeded
    open_returns = PartnerReturn.objects.filter(
        round__status="rating", submitted_at=None, round__system__slug__regex=r"^nat-\d"
    ).count()
    members = deadline_members(open_returns + 3)
    assert len(members) == open_returns + 3
    paths = [path for member in members for path in member.change_paths]
    assert len(paths) == len(set(paths))  # two people never save the same rating
    assert len({member.user.pk for member in members}) == len(members)
    for member in members[:3] + members[-3:]:
        assert inprocess.status_of(member.change_paths[0], sessions.cookie(member.user)) == 200


def test_deadline_readers_are_facilitators_and_steering_members_with_their_pages(seeded):
    readers = deadline_readers(6)
    assert len(readers) == 6
    for reader in readers:
        assert [key for key, _ in reader.pages] == ["review", "approval", "plan"]
