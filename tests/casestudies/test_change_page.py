"""Practice from elsewhere on the framework's change page (a template tag, so `assessments`
never imports this app)."""

import pytest

pytestmark = pytest.mark.django_db


def change_page(client, key: str, code: str) -> str:
    response = client.get(f"/frameworks/{key}/changes/{code}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_2020_change_shows_a_case_study_linked_to_its_2017_change(client, cast, make_case_study):
    make_case_study(title="Trusted assessors", slug="ta", changes=[("mtoc-2017", "6")])
    client.force_login(cast.member)
    page = change_page(client, "mtoc-2020", "6")
    assert "Practice from elsewhere" in page
    assert '<a class="govuk-link" href="/case-studies/ta/">Trusted assessors</a>' in page
    assert "Search the case studies for this change" in page


def test_a_2017_change_shows_a_case_study_linked_to_its_2020_change(client, cast, make_case_study):
    make_case_study(title="Care home discharge", changes=[("mtoc-2020", "8")])
    client.force_login(cast.member)
    assert "Care home discharge" in change_page(client, "mtoc-2017", "8")


def test_drafts_are_not_shown_beside_a_change(client, cast, make_case_study):
    make_case_study(title="Unfinished", changes=[("mtoc-2017", "6")], status="draft")
    client.force_login(cast.facilitator)
    page = change_page(client, "mtoc-2017", "6")
    assert "Unfinished" not in page
    assert "No case studies are linked to this change yet" in page


def test_a_change_without_case_studies_says_where_to_look(client, cast, frameworks):
    client.force_login(cast.member)
    page = change_page(client, "mtoc-2020", "9")
    assert "No case studies are linked to this change yet" in page
    assert 'href="/case-studies/"' in page


def test_the_shipped_case_studies_show_on_optimal_handed_care_change_f(client, cast, library):
    client.force_login(cast.member)
    page = change_page(client, "ohc-2025", "F")
    assert "Stand-back trials and embedding visits" in page
    assert "Joint occupational therapy and social work assessments" in page


def test_the_change_page_stays_within_its_query_budget(
    client, cast, make_case_study, django_assert_max_num_queries
):
    """The framework pages' own budget (11 when the page is built, in tests/assessments)
    holds with case studies."""
    for _ in range(5):
        make_case_study(changes=[("mtoc-2017", "6"), ("mtoc-2020", "6")], level=("mtoc-2017", 3))
    client.force_login(cast.member)
    with django_assert_max_num_queries(11):
        change_page(client, "mtoc-2020", "6")
