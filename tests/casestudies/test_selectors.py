"""`case_studies_for_changes`: published case studies per change, across the crosswalk."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import Change, Crosswalk, Framework, Level
from casestudies.models import CaseStudy
from casestudies.selectors import case_studies_for_changes, equivalent_change_ids
from tests.casestudies.helpers import change_id

pytestmark = pytest.mark.django_db


def titles(result, key, code) -> list[str]:
    return [study.title for study in result[change_id(key, code)]]


def test_a_case_study_linked_to_a_2017_change_shows_for_the_2020_change_it_maps_to(
    make_case_study,
):
    make_case_study(title="Trusted assessors", changes=[("mtoc-2017", "6")])
    result = case_studies_for_changes([change_id("mtoc-2017", "6"), change_id("mtoc-2020", "6")])
    assert titles(result, "mtoc-2017", "6") == ["Trusted assessors"]
    assert titles(result, "mtoc-2020", "6") == ["Trusted assessors"]


def test_a_case_study_linked_to_a_2020_change_shows_for_the_2017_change_it_maps_from(
    make_case_study,
):
    make_case_study(title="Care home discharge", changes=[("mtoc-2020", "8")])
    result = case_studies_for_changes([change_id("mtoc-2017", "8")])
    assert titles(result, "mtoc-2017", "8") == ["Care home discharge"]


def test_every_change_asked_about_is_a_key_even_without_case_studies(make_case_study):
    make_case_study(changes=[("mtoc-2017", "6")])
    new_in_2020 = change_id("mtoc-2020", "9")  # housing: no crosswalk, no case study
    result = case_studies_for_changes([new_in_2020, change_id("mtoc-2017", "1")])
    assert result == {new_in_2020: [], change_id("mtoc-2017", "1"): []}


def test_a_case_study_linked_to_both_editions_is_listed_once(make_case_study):
    make_case_study(title="Both", changes=[("mtoc-2017", "8"), ("mtoc-2020", "8")])
    result = case_studies_for_changes([change_id("mtoc-2020", "8")])
    assert titles(result, "mtoc-2020", "8") == ["Both"]


def test_case_studies_come_in_title_order(make_case_study):
    for title in ("Zebra crossing", "apple", "Mango"):
        make_case_study(title=title, changes=[("mtoc-2017", "6")])
    result = case_studies_for_changes([change_id("mtoc-2020", "6")])
    assert titles(result, "mtoc-2020", "6") == ["apple", "Mango", "Zebra crossing"]


def test_drafts_are_left_out(make_case_study):
    make_case_study(title="Draft", status=CaseStudy.Status.DRAFT)
    make_case_study(title="Published")
    assert titles(case_studies_for_changes([change_id("mtoc-2017", "6")]), "mtoc-2017", "6") == [
        "Published"
    ]


def test_min_level_keeps_case_studies_at_that_level_or_above(make_case_study):
    make_case_study(title="Established", level=("mtoc-2017", 3))
    make_case_study(title="Mature", level=("mtoc-2017", 4))
    make_case_study(title="Exemplary", level=("mtoc-2017", 5))
    make_case_study(title="No level")
    result = case_studies_for_changes([change_id("mtoc-2020", "6")], min_level=4)
    assert titles(result, "mtoc-2020", "6") == ["Exemplary", "Mature"]
    everything = case_studies_for_changes([change_id("mtoc-2020", "6")])
    assert len(everything[change_id("mtoc-2020", "6")]) == 4


def test_the_crosswalk_is_followed_across_more_than_two_editions(make_case_study, frameworks):
    later = Framework.objects.create(
        key="mtoc-2023", version=1, title="Later", short_title="Later", publisher="LGA", year=2023
    )
    Level.objects.create(framework=later, number=1, name="One", definition="One")
    later_change = Change.objects.create(framework=later, code="6", title="Trusted assessment")
    Crosswalk.objects.create(
        from_change=Change.objects.get(framework__key="mtoc-2020", code="6"),
        to_change=later_change,
    )
    make_case_study(title="From 2017", changes=[("mtoc-2017", "6")])
    result = case_studies_for_changes([later_change.pk])
    assert [study.title for study in result[later_change.pk]] == ["From 2017"]
    assert equivalent_change_ids([later_change.pk])[later_change.pk] == {
        later_change.pk,
        change_id("mtoc-2020", "6"),
        change_id("mtoc-2017", "6"),
    }


def test_the_level_and_its_framework_come_with_each_case_study(
    make_case_study, django_assert_num_queries
):
    make_case_study(level=("mtoc-2017", 4))
    trusted_assessors = change_id("mtoc-2017", "6")
    result = case_studies_for_changes([trusted_assessors])
    with django_assert_num_queries(0):
        study = result[trusted_assessors][0]
        assert f"{study.level.framework.short_title} {study.level}"


def _queries(change_ids) -> int:
    with CaptureQueriesContext(connection) as context:
        case_studies_for_changes(change_ids, min_level=1)
    return len(context.captured_queries)


def test_case_studies_for_changes_runs_a_bounded_number_of_queries(make_case_study):
    """The crosswalk (one query for two editions) and one for the case studies: the same for
    one change or every change, for three case studies or thirty."""
    one = [change_id("mtoc-2017", "6")]
    every = list(
        Change.objects.filter(framework__key__startswith="mtoc").values_list("pk", flat=True)
    )
    for index in range(3):
        make_case_study(changes=[("mtoc-2017", str(index + 1))], level=("mtoc-2017", 3))
    few = (_queries(one), _queries(every))
    for index in range(27):
        make_case_study(
            changes=[("mtoc-2017", str(index % 8 + 1)), ("mtoc-2020", str(index % 9 + 1))],
            level=("mtoc-2020", 4),
        )
    many = (_queries(one), _queries(every))
    assert few == many
    assert max(many) == 2


def test_a_chain_of_four_editions_is_walked_end_to_end(make_case_study, frameworks):
    previous = Change.objects.get(framework__key="mtoc-2020", code="6")
    for year in (2023, 2026):
        edition = Framework.objects.create(
            key=f"mtoc-{year}", version=1, title=str(year), short_title=str(year),
            publisher="LGA", year=year,
        )  # fmt: skip
        change = Change.objects.create(framework=edition, code="6", title="Trusted assessment")
        Crosswalk.objects.create(from_change=previous, to_change=change)
        previous = change
    make_case_study(title="From 2017", changes=[("mtoc-2017", "6")])
    make_case_study(title="From 2026", changes=[("mtoc-2026", "6")])
    oldest, newest = change_id("mtoc-2017", "6"), previous.pk
    result = case_studies_for_changes([oldest, newest])
    assert [s.title for s in result[oldest]] == ["From 2017", "From 2026"]
    assert [s.title for s in result[newest]] == ["From 2017", "From 2026"]
