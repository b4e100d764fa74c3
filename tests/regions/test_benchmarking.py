"""Benchmarking for systems, without league tables (issue 15): on its agreed round, a system's
facilitators, steering and partner members see where each agreed level sits among the systems
of its region and of the nation — counts per level, their own marked, no ranking, no other
system's name unless it chose to be named to its region (and then only within the region), and
no distribution at all where fewer than 5 systems compare. A facilitator chooses whether their
system is named."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import System
from assessments.services import system_naming_set
from regions.benchmarking import SMALLEST_COMPARISON, round_benchmark
from tests.factories import RegionFactory
from tests.regions.national_helpers import agreed_round, national_viewer, peers

pytestmark = pytest.mark.django_db

# Testshire's region: Testshire and four more (every other change at level 2).
REGION_PEERS = {
    "Ashshire": {"1": 3, "2": 4},
    "Bramshire": {"1": 4, "2": 2},  # chose to be named to the region
    "Cobshire": {"1": 1, "2": 2},
    "Dunshire": {"1": 3, "2": 3},
}
TESTSHIRE = {"1": 3, "2": 2}
# Another region: Elsewhere (the cast's other system, named to its own region) and Fenshire.
ELSEWHERE = {"1": 5, "2": 5}
FENSHIRE = {"1": 2}


@pytest.fixture
def framework(frameworks):
    return frameworks["mtoc-2020"]


@pytest.fixture
def nation(cast, framework) -> dict:
    """Testshire's agreed round among its region's peers and another region's systems."""
    systems = peers(
        cast.system.region, framework, REGION_PEERS, actor=cast.admin, named={"Bramshire"}
    )
    elsewhere = cast.other_system
    System.objects.filter(pk=elsewhere.pk).update(named_in_region=True)
    agreed_round(elsewhere, framework, ELSEWHERE, actor=cast.admin)
    peers(elsewhere.region, framework, {"Fenshire": FENSHIRE}, actor=cast.admin)
    round_ = agreed_round(cast.system, framework, TESTSHIRE, actor=cast.admin)
    return {"round": round_, "systems": systems}


def counts(comparison, code: str) -> dict:
    change = next(c for c in comparison.changes if c.code == code)
    return {level.number: level.count for level in change.levels}


def change_of(comparison, code: str):
    return next(c for c in comparison.changes if c.code == code)


def agreed_page(client, user, round_) -> str:
    client.force_login(user)
    response = client.get(reverse("agreed", args=[round_.public_id]))
    assert response.status_code == 200
    return response.content.decode()


# ---------------------------------------------------------------------------
# The counts


def test_the_counts_per_level_are_a_hand_count_of_the_region_and_the_nation(nation):
    benchmark = round_benchmark(nation["round"])
    assert counts(benchmark.region, "1") == {1: 1, 2: 0, 3: 3, 4: 1, 5: 0}
    assert change_of(benchmark.region, "1").systems == 5
    assert counts(benchmark.region, "2") == {1: 0, 2: 3, 3: 1, 4: 1, 5: 0}
    assert counts(benchmark.nation, "1") == {1: 1, 2: 1, 3: 3, 4: 1, 5: 1}
    assert counts(benchmark.nation, "2") == {1: 0, 2: 4, 3: 1, 4: 1, 5: 1}
    assert change_of(benchmark.nation, "2").systems == 7
    assert benchmark.as_of is None  # the round is Testshire's latest: today's levels


def test_the_systems_own_level_is_marked_and_no_other(nation):
    benchmark = round_benchmark(nation["round"])
    for comparison in (benchmark.region, benchmark.nation):
        marked = [(level.number, level.yours) for level in change_of(comparison, "1").levels]
        assert [number for number, yours in marked if yours] == [3]


def test_levels_go_in_the_scales_order_never_by_how_many_hold_them(nation):
    benchmark = round_benchmark(nation["round"])
    for comparison in (benchmark.region, benchmark.nation):
        for change in comparison.changes:
            if not change.suppressed:
                assert [level.number for level in change.levels] == [1, 2, 3, 4, 5]


def test_an_older_agreed_round_compares_as_things_stood_when_it_was_agreed(cast, framework, nation):
    later = agreed_round(
        cast.system,
        framework,
        {"1": 5, "2": 5},
        actor=cast.admin,
        name="2026/27",
        agreed_on=date(2026, 3, 1),
    )
    older = round_benchmark(nation["round"])
    assert older.as_of == date(2025, 9, 12)
    assert [lv.number for lv in change_of(older.region, "1").levels if lv.yours] == [3]
    latest = round_benchmark(later)
    assert latest.as_of is None
    assert [lv.number for lv in change_of(latest.region, "1").levels if lv.yours] == [5]
    assert counts(latest.region, "1") == {1: 1, 2: 0, 3: 2, 4: 1, 5: 1}


# ---------------------------------------------------------------------------
# Small-number suppression


@pytest.fixture
def small_region(cast, framework, nation):
    """Testshire's region with 4 systems (Dunshire's round taken away), the nation with 6."""
    nation["systems"]["Dunshire"].rounds.all().delete()
    return nation


def test_a_comparison_of_fewer_than_5_systems_shows_no_distribution(nation, small_region):
    assert SMALLEST_COMPARISON == 5
    benchmark = round_benchmark(nation["round"])
    assert benchmark.region.all_suppressed
    for change in benchmark.region.changes:
        assert change.systems == 4 and change.suppressed and change.levels == ()
    assert not benchmark.nation.all_suppressed
    assert change_of(benchmark.nation, "1").systems == 6


def test_five_systems_are_enough_to_compare(nation):
    benchmark = round_benchmark(nation["round"])
    assert all(change.systems == 5 for change in benchmark.region.changes)
    assert not any(change.suppressed for change in benchmark.region.changes)


def test_the_page_says_why_a_comparison_is_not_shown(client, cast, nation, small_region):
    page = agreed_page(client, cast.member, nation["round"])
    assert "Not shown: fewer than 5 systems in your region have an agreed level" in page
    assert "Bramshire" not in page  # not even a name chosen to be shown
    assert "The nation: England" in page and "Your level" in page


def test_a_nation_of_fewer_than_5_systems_shows_only_sentences(client, cast, framework):
    peers(cast.system.region, framework, {"Ashshire": {"1": 3}}, actor=cast.admin)
    round_ = agreed_round(cast.system, framework, TESTSHIRE, actor=cast.admin)
    benchmark = round_benchmark(round_)
    assert benchmark.region.all_suppressed and benchmark.nation.all_suppressed
    page = agreed_page(client, cast.member, round_)
    assert "Not shown: fewer than 5 systems in your region have an agreed level" in page
    assert "Not shown: fewer than 5 systems in the nation have an agreed level" in page
    assert "Your level" not in page


# ---------------------------------------------------------------------------
# Names


def test_names_show_only_for_systems_that_chose_and_only_within_their_region(nation):
    benchmark = round_benchmark(nation["round"])
    named = {
        (comparison.is_region, change.code, level.number): level.named
        for comparison in (benchmark.region, benchmark.nation)
        for change in comparison.changes
        for level in change.levels
        if level.named
    }
    assert named[(True, "1", 4)] == ("Bramshire",)
    assert set(named.values()) == {("Bramshire",)}
    assert {is_region for is_region, _, _ in named} == {True}


def test_the_page_names_no_other_system_unless_it_chose_to_be_named_in_this_region(
    client, cast, nation
):
    page = agreed_page(client, cast.member, nation["round"])
    assert "Bramshire" in page
    for hidden in ("Ashshire", "Cobshire", "Dunshire", "Elsewhere", "Fenshire"):
        assert hidden not in page, hidden


# ---------------------------------------------------------------------------
# The page


@pytest.mark.parametrize("role", ["facilitator", "steering", "member", "other_member"])
def test_the_systems_people_see_where_their_levels_sit(client, cast, nation, role):
    page = agreed_page(client, getattr(cast, role), nation["round"])
    assert "Where your levels sit among other systems" in page
    assert "Your region: " + str(cast.system.region) in page
    assert "The nation: England" in page
    assert "Your level" in page
    # The model's own warning, and no ranking.
    assert "The model is for reflection, not performance management." in page
    assert "they rank no one" in page


def test_regional_and_national_viewers_read_the_agreed_round_without_the_benchmark(
    client, cast, nation
):
    for viewer in (cast.viewer, national_viewer()):
        page = agreed_page(client, viewer, nation["round"])
        assert "Where your levels sit among other systems" not in page


def test_the_benchmark_costs_the_same_queries_whatever_the_number_of_systems(
    cast, framework, nation
):
    round_benchmark(nation["round"])  # the framework's content, cached
    with CaptureQueriesContext(connection) as few:
        round_benchmark(nation["round"])
    more = {f"Extra{n}shire": {"1": n % 5 + 1, "2": 3} for n in range(6)}
    peers(cast.system.region, framework, more, actor=cast.admin, named=set(more))
    peers(RegionFactory(), framework, {"Farshire": {"1": 2}}, actor=cast.admin)
    with CaptureQueriesContext(connection) as many:
        round_benchmark(nation["round"])
    assert len(many) == len(few) <= 6


# ---------------------------------------------------------------------------
# Naming a system to its region


def test_a_facilitator_names_their_system_to_its_region(client, cast):
    client.force_login(cast.facilitator)
    url = reverse("system_naming", args=[cast.system.slug])
    page = client.get(url)
    assert page.status_code == 200
    assert "Should others in your region see your system" in page.content.decode()
    response = client.post(url, {"named": "yes"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("system_detail", args=[cast.system.slug])
    assert "now see Testshire" in response.content.decode()
    cast.system.refresh_from_db()
    assert cast.system.named_in_region
    record = cast.system.history.first()
    assert record.history_user == cast.facilitator
    assert record.history_change_reason == "Named to its region"
    client.post(url, {"named": "no"})
    cast.system.refresh_from_db()
    assert not cast.system.named_in_region


def test_naming_is_off_until_chosen_and_a_choice_is_required(client, cast):
    assert not cast.system.named_in_region
    client.force_login(cast.facilitator)
    response = client.post(reverse("system_naming", args=[cast.system.slug]), {})
    assert response.status_code == 200
    assert "Select whether to name your system to the region" in response.content.decode()
    cast.system.refresh_from_db()
    assert not cast.system.named_in_region


def test_the_system_page_shows_its_facilitator_the_choice(client, cast):
    client.force_login(cast.facilitator)
    page = client.get(reverse("system_detail", args=[cast.system.slug])).content.decode()
    assert reverse("system_naming", args=[cast.system.slug]) in page
    client.force_login(cast.member)
    page = client.get(reverse("system_detail", args=[cast.system.slug])).content.decode()
    assert reverse("system_naming", args=[cast.system.slug]) not in page


@pytest.mark.parametrize(
    ("role", "status"),
    [("member", 403), ("steering", 403), ("viewer", 403), ("outsider", 404), ("nobody", 404)],
)
def test_only_the_facilitator_may_choose(client, cast, role, status):
    client.force_login(getattr(cast, role))
    url = reverse("system_naming", args=[cast.system.slug])
    assert client.get(url).status_code == status
    assert client.post(url, {"named": "yes"}).status_code == status
    cast.system.refresh_from_db()
    assert not cast.system.named_in_region


def test_the_service_refuses_anyone_but_a_facilitator(cast):
    for person in (cast.member, cast.steering, cast.viewer, national_viewer()):
        with pytest.raises(PermissionDenied):
            system_naming_set(actor=person, system=cast.system, named=True)
    assert system_naming_set(actor=cast.facilitator, system=cast.system, named=True) is True
    assert system_naming_set(actor=cast.facilitator, system=cast.system, named=True) is False


def test_the_agreed_page_with_its_benchmark_runs_as_many_queries_for_more_systems(
    client, cast, framework, nation, django_assert_max_num_queries
):
    client.force_login(cast.facilitator)
    path = reverse("agreed", args=[nation["round"].public_id])
    assert client.get(path).status_code == 200
    with django_assert_max_num_queries(40) as few:
        client.get(path)
    more = {f"Extra{n}shire": {"1": n % 5 + 1} for n in range(8)}
    peers(cast.system.region, framework, more, actor=cast.admin, named=set(more))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(path).content.decode()
    assert "Extra3shire" in page
