"""The framework's page: its introduction, principles, advice on measuring success, its
enablers and whether rounds rate them; the change page's suggested measures and enabler label."""

import pytest

from tests.model_pages.helpers import ENABLER_TITLE, enabler_framework

pytestmark = pytest.mark.django_db


def page_of(client, user, path: str) -> str:
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_the_introduction_principles_and_measuring_success(client, cast):
    enabler_framework(rate_enablers=False)
    page = page_of(client, cast.member, "/frameworks/enabled-model/")
    assert '<p class="govuk-body">The first paragraph of the introduction.</p>' in page
    assert '<p class="govuk-body">The second paragraph of it.</p>' in page
    assert "Not a performance management tool" in page and "It supports improvement." in page
    assert "Home First" in page
    assert "Measuring success" in page and "Use live data and respond to it." in page


def test_enablers_are_listed_after_the_changes_labelled_as_enablers(client, cast):
    enabler_framework(rate_enablers=True)
    page = page_of(client, cast.member, "/frameworks/enabled-model/")
    assert "Changes and enablers" in page
    assert page.index("2. Trusted assessment") < page.index(f"Enabler E1: {ENABLER_TITLE}")
    assert "Leaders who model the culture the changes need." in page  # the enabler group
    assert "rate the enablers as well as the changes" in page


def test_the_page_says_when_rounds_do_not_rate_the_enablers(client, cast):
    enabler_framework(rate_enablers=False)
    page = page_of(client, cast.member, "/frameworks/enabled-model/")
    assert "Rounds of this framework rate the changes only" in page
    assert "rate the enablers as well as the changes" not in page


def test_a_framework_without_them_shows_no_introduction_principles_or_enablers(
    client, cast, frameworks
):
    page = page_of(client, cast.member, "/frameworks/rpa-2021/")
    for heading in ("Introduction", "Principles", "Measuring success", "Enablers"):
        assert f'<h2 class="govuk-heading-l">{heading}</h2>' not in page


def test_the_transfers_of_care_model_shows_its_own_principles(client, cast, frameworks):
    page = page_of(client, cast.member, "/frameworks/mtoc-2020/")
    assert "This model is not designed to be a performance management tool." in page
    assert "Home First is an approach which expects people to return home" in page
    assert "The person&#x27;s perspective" in page
    assert "Measuring and Monitoring Success" in page
    assert "Summarised from the model&#x27;s introduction" in page


def test_the_change_page_lists_the_measures_the_framework_suggests(client, cast):
    enabler_framework(rate_enablers=False)
    page = page_of(client, cast.member, "/frameworks/enabled-model/changes/1/")
    assert "Suggested measures" in page and "Discharges before noon (%)" in page


def test_an_enablers_page_is_labelled_and_says_whether_it_is_rated(client, cast):
    enabler_framework(rate_enablers=True)
    page = page_of(client, cast.member, "/frameworks/enabled-model/changes/E1/")
    assert "Enabled model, enabler E1" in page
    assert "rate this enabler as they rate a change" in page


def test_the_list_counts_changes_not_enablers(client, cast):
    enabler_framework(rate_enablers=True)
    page = page_of(client, cast.member, "/frameworks/")
    row = page[page.index("A model with enablers") :]
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">2</td>' in row[:600]


def test_the_page_runs_a_bounded_number_of_queries(client, cast, django_assert_max_num_queries):
    enabler_framework(rate_enablers=True)
    client.force_login(cast.member)
    # Six of its own (the framework, its levels, groups, changes and their groups, its newest
    # wording version); the rest are the session's and the signed-in person's.
    with django_assert_max_num_queries(9):
        assert client.get("/frameworks/enabled-model/").status_code == 200


def test_the_page_links_to_the_wording_version_history(client, cast, frameworks):
    page = page_of(client, cast.member, "/frameworks/mtoc-2020/")
    assert "See the version history" in page
    assert 'href="/frameworks/mtoc-2020/versions/"' in page
