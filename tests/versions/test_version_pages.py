"""The version history and comparison pages: anyone signed in may read them, as the
framework's page; they list the versions and show what changed between two."""

import pytest

from assessments.models import FrameworkVersion
from tests.helpers import query_count
from tests.versions.helpers import NEW_TITLE, OLD_TITLE, load_new_wording, open_draft_round

pytestmark = pytest.mark.django_db

HISTORY = "/frameworks/mtoc-2020/versions/"
COMPARE = "/frameworks/mtoc-2020/versions/compare/"


@pytest.mark.parametrize("person", ["member", "facilitator", "viewer", "outsider", "nobody"])
def test_anyone_signed_in_may_read_the_version_pages(client, cast, frameworks, person):
    client.force_login(getattr(cast, person))
    assert client.get(HISTORY).status_code == 200
    assert client.get(COMPARE).status_code == 200


def test_the_pages_ask_a_visitor_to_sign_in(client, frameworks):
    for url in (HISTORY, COMPARE):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_an_unknown_framework_is_not_found(client, cast, frameworks):
    client.force_login(cast.member)
    assert client.get("/frameworks/no-such-framework/versions/").status_code == 404
    assert client.get("/frameworks/no-such-framework/versions/compare/").status_code == 404


def test_the_history_lists_each_version_with_its_source_and_the_rounds_using_it(
    client, cast, frameworks, tmp_path
):
    open_draft_round(cast, frameworks["mtoc-2020"])
    load_new_wording(tmp_path)
    client.force_login(cast.member)
    page = client.get(HISTORY).content.decode()
    assert page.count("mtoc-2020.yaml") == 2
    versions = page.split("<tbody", 1)[1]
    newest, first = versions.split('<tr class="govuk-table__row">')[1:3]
    assert "Newest" in newest and ">0<" in newest.replace(" ", "").replace("\n", "")
    assert ">1<" in first.replace(" ", "").replace("\n", "")
    assert f"{COMPARE}?from=1&amp;to=2" in page


def test_the_comparison_shows_the_old_and_new_wording_of_a_change(
    client, cast, frameworks, tmp_path
):
    load_new_wording(tmp_path)
    client.force_login(cast.member)
    page = client.get(COMPARE).content.decode()  # newest against the one before, by default
    assert "From version 1 to version 2" in page
    changed = page.split('<h2 class="govuk-heading-m">Changes</h2>', 1)[1]
    assert OLD_TITLE in changed and NEW_TITLE in changed


def test_comparing_a_version_with_itself_is_refused_with_a_message(
    client, cast, frameworks, tmp_path
):
    load_new_wording(tmp_path)
    client.force_login(cast.member)
    response = client.get(COMPARE, {"from": "2", "to": "2"})
    page = response.content.decode()
    assert "<title>Error:" in page
    assert "Select a version different from the one you compare it with" in page
    assert response.context["comparison"] is None


def test_with_one_version_there_is_nothing_to_compare(client, cast, frameworks):
    client.force_login(cast.member)
    page = client.get(COMPARE).content.decode()
    assert "only one version" in page


def test_the_framework_page_names_its_wording_version(client, cast, frameworks):
    # The include the framework page shows, read on its own.
    from django.template.loader import render_to_string

    text = render_to_string(
        "assessments/versions/_history_link.html", {"framework": frameworks["mtoc-2020"]}
    )
    assert "wording version 1" in text and HISTORY in text


def test_the_history_runs_as_many_queries_for_many_versions_as_for_one(client, cast, frameworks):
    client.force_login(cast.member)
    client.get(HISTORY)
    one = query_count(client, HISTORY)
    framework = frameworks["mtoc-2020"]
    content = FrameworkVersion.objects.get(framework=framework, number=1).content
    for number in range(2, 7):
        FrameworkVersion.objects.create(
            framework=framework, number=number, content=content, source=f"Edit {number}"
        )
    assert query_count(client, HISTORY) <= one
    assert query_count(client, COMPARE) <= one + 1
