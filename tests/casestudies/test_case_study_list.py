"""The list page: search by words, filter by change (across the crosswalk) and level."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.casestudies.helpers import change_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def studies(make_case_study):
    make_case_study(
        title="Trusted assessors for care homes",
        summary="Assessors assess on the homes' behalf.",
        changes=[("mtoc-2017", "6"), ("mtoc-2020", "8")],
        level=("mtoc-2017", 3),
    )
    make_case_study(
        title="Reablement try-its",
        summary="Shorter reablement episodes in one neighbourhood.",
        changes=[("mtoc-2017", "4")],
        level=("mtoc-2017", 4),
        what_they_did="They also worked with care homes.",
    )
    make_case_study(
        title="Stand-back trials",
        summary="Coaching care workers towards single-handed care.",
        changes=[("ohc-2025", "F")],
    )


def results(client, **query) -> str:
    response = client.get("/case-studies/", query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_list_shows_every_published_case_study(client, cast, studies):
    client.force_login(cast.member)
    page = results(client)
    assert "3 case studies" in page
    for title in ("Trusted assessors for care homes", "Reablement try-its", "Stand-back trials"):
        assert title in page
    assert "Managing transfers of care (2017), change 6: Trusted assessors" in page


def test_a_search_matches_every_word_in_the_title_or_summary(client, cast, studies):
    client.force_login(cast.member)
    page = results(client, q="HOMES assessors")
    assert "1 case study" in page
    assert "Trusted assessors for care homes" in page
    page = results(client, q="reablement neighbourhood")
    assert "Reablement try-its" in page and "1 case study" in page
    assert "0 case studies" in results(client, q="reablement assessors")


def test_the_search_form_sends_no_csrf_token(client, cast, studies):
    client.force_login(cast.member)
    page = results(client)
    search_form = page[page.index('<form method="get"') :]
    search_form = search_form[: search_form.index("</form>")]
    assert 'name="q"' in search_form
    assert "csrfmiddlewaretoken" not in search_form


def test_a_search_does_not_look_beyond_the_title_and_summary(client, cast, studies):
    client.force_login(cast.member)
    page = results(client, q="homes")
    assert "Reablement try-its" not in page  # "care homes" is only in what they did


def test_filtering_by_a_2020_change_finds_case_studies_linked_to_its_2017_change(
    client, cast, studies
):
    client.force_login(cast.member)
    page = results(client, change=change_id("mtoc-2020", "6"))
    assert "1 case study" in page
    assert "Trusted assessors for care homes" in page
    page = results(client, change=change_id("mtoc-2017", "8"))  # via 2020 change 8
    assert "Trusted assessors for care homes" in page
    page = results(client, change=change_id("mtoc-2020", "4"))
    assert "Reablement try-its" in page and "1 case study" in page


def test_filtering_by_level_keeps_case_studies_showing_that_level(client, cast, studies):
    client.force_login(cast.member)
    page = results(client, level="4")
    assert "1 case study" in page and "Reablement try-its" in page


def test_search_and_filters_combine(client, cast, studies):
    client.force_login(cast.member)
    page = results(client, q="care", change=change_id("ohc-2025", "F"))
    assert "1 case study" in page and "Stand-back trials" in page
    assert "Clear search and filters" in page


def test_a_change_that_is_not_in_the_list_is_an_error_with_no_results(client, cast, studies):
    client.force_login(cast.member)
    response = client.get("/case-studies/", {"change": "999999"})
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Select a change from the list" in page
    assert "<title>Error: " in page
    assert "0 case studies" in page
    assert response.context["form"].errors.as_data()["change"][0].code == "invalid_choice"


def test_a_search_with_no_match_says_what_to_try_next(client, cast, studies):
    client.force_login(cast.member)
    page = results(client, q="zeppelin")
    assert "No case studies match your search" in page
    assert "clear the search and filters" in page


def test_an_empty_library_tells_a_facilitator_to_add_the_first(client, cast, frameworks):
    client.force_login(cast.facilitator)
    page = results(client)
    assert "There are no case studies in the library yet" in page
    assert "Add the first one" in page


def test_an_empty_library_tells_a_member_who_adds_case_studies(client, cast, frameworks):
    client.force_login(cast.member)
    page = results(client)
    assert "There are no case studies in the library yet" in page
    assert "tell your facilitator" in page
    assert "Add the first one" not in page


def test_results_come_twenty_to_a_page_and_keep_the_search(client, cast, make_case_study):
    for number in range(25):
        make_case_study(title=f"Care study {number:02}")
    client.force_login(cast.member)
    first = results(client, q="care")
    assert "Page 1 of 2" in first
    assert 'href="?q=care&amp;page=2"' in first
    second = results(client, q="care", page="2")
    assert "Care study 24" in second and "Care study 00" not in second


def _list_queries(client) -> int:
    query = {"change": change_id("mtoc-2020", "6"), "q": "case"}
    with CaptureQueriesContext(connection) as context:
        assert client.get("/case-studies/", query).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("role", ["member", "facilitator"])
def test_the_list_runs_a_bounded_number_of_queries(client, cast, make_case_study, role):
    """Session and roles, the filters' choices, the crosswalk, the count, the page and its
    changes: the same number for three case studies as for thirty."""
    client.force_login(getattr(cast, role))
    for _ in range(3):
        make_case_study(changes=[("mtoc-2017", "6"), ("mtoc-2020", "8")], level=("mtoc-2017", 3))
    _list_queries(client)  # the person's roles are read once, then cached
    few = _list_queries(client)
    for _ in range(27):
        make_case_study(changes=[("mtoc-2017", "6"), ("mtoc-2020", "8")], level=("mtoc-2017", 3))
    assert _list_queries(client) == few
    assert few <= 14
