"""The per-change counts of `levels_summary` equal a hand count on the fixture region
(tests/regions/helpers.py TESTLAND), across systems, across the 2017 → 2020 crosswalk, by date
and by round name; rounds not yet agreed, and other regions, are never counted."""

from datetime import date

import pytest

from assessments.models import System
from assessments.statistics import established_level
from regions.selectors import latest_levels, levels_summary
from tests.regions.helpers import build_region


@pytest.fixture
def testland(cast, frameworks):
    region = build_region(frameworks, cast.admin)
    return System.objects.filter(region=region)


def by_code(summaries) -> dict:
    return {summary.code: summary for summary in summaries}


def test_established_or_better_is_the_level_named_established_or_the_middle():
    assert established_level({1: "Not yet", 2: "Plans", 3: "ESTABLISHED", 4: "Mature"}) == 3
    assert established_level({1: "Low", 2: "Middle", 3: "High"}) == 2
    assert established_level({1: "A", 2: "B", 3: "C", 4: "D"}) == 3
    assert established_level({}) is None


def test_today_on_the_2020_model_counts_each_systems_latest_agreed_round(testland, frameworks):
    summary = by_code(levels_summary(framework=frameworks["mtoc-2020"], systems=testland))
    assert list(summary) == [str(n) for n in range(1, 10)]
    one = summary["1"]
    # Ashdown 3 (2021/22), Brookfield 4 (2023/24), Dunmere 1; Coldbrook has only 2017 rounds,
    # Eastholm none; Dunmere's proposed 5s wait for approval and are not counted.
    assert one.counts == {1: 1, 2: 0, 3: 1, 4: 1, 5: 0}
    assert one.established_or_better == 2
    assert one.median == 3
    assert one.systems == 3
    # Before: only Brookfield has an earlier 2020 round (2021/22, at 2).
    assert one.previous_established_or_better == 0
    assert one.title == "Early discharge planning"
    four = summary["4"]  # Ashdown 4, Brookfield 3, Dunmere 3
    assert (four.established_or_better, four.median, four.systems) == (3, 3, 3)
    assert four.previous_established_or_better == 1  # Brookfield's 2021/22 at 3


def test_across_the_crosswalk_the_2017_levels_are_carried(testland, frameworks):
    summary = by_code(
        levels_summary(framework=frameworks["mtoc-2020"], systems=testland, crosswalk=True)
    )
    one = summary["1"]  # Ashdown 3, Brookfield 4, Coldbrook 3 (2017), Dunmere 1
    assert one.counts == {1: 1, 2: 0, 3: 2, 4: 1, 5: 0}
    assert (one.established_or_better, one.median, one.systems) == (3, 3, 4)
    # Before: Ashdown's 2017 round (2) and Brookfield's 2021/22 (2).
    assert one.previous_established_or_better == 0
    four = summary["4"]  # Ashdown 4, Brookfield 3, Coldbrook 1, Dunmere 3
    assert (four.established_or_better, four.median, four.systems) == (3, 3, 4)
    assert four.previous_established_or_better == 1  # Ashdown 2, Brookfield 3
    nine = summary["9"]  # new in 2020: Ashdown 1, Brookfield 3, Dunmere 2
    assert (nine.established_or_better, nine.median, nine.systems) == (1, 2, 3)


def test_by_date(testland, frameworks):
    framework = frameworks["mtoc-2020"]
    at_new_year = by_code(
        levels_summary(framework=framework, systems=testland, as_of=date(2022, 1, 1))
    )
    one = at_new_year["1"]  # Ashdown 3, Brookfield 2 (recorded 2021/22), Dunmere 1
    assert one.counts == {1: 1, 2: 1, 3: 1, 4: 0, 5: 0}
    assert (one.established_or_better, one.median, one.systems) == (1, 2, 3)
    mid_october = by_code(
        levels_summary(framework=framework, systems=testland, as_of=date(2021, 10, 15))
    )
    one = mid_october["1"]  # Dunmere agreed on 1 November: Ashdown 3, Brookfield 2
    assert (one.established_or_better, one.median, one.systems) == (1, 2.5, 2)
    # The day a round is agreed counts.
    on_the_day = by_code(
        levels_summary(framework=framework, systems=testland, as_of=date(2021, 11, 1))
    )
    assert on_the_day["1"].systems == 3
    before_all = by_code(
        levels_summary(framework=framework, systems=testland, as_of=date(2019, 1, 1))
    )
    assert before_all["1"].systems == 0
    assert before_all["1"].median is None
    assert before_all["1"].previous_established_or_better is None


def test_by_period(testland, frameworks):
    framework = frameworks["mtoc-2020"]
    summary = by_code(levels_summary(framework=framework, systems=testland, period="2021/22"))
    four = summary["4"]  # Ashdown 4, Brookfield 3 (recorded), Dunmere 3
    assert (four.established_or_better, four.median, four.systems) == (3, 3, 3)
    assert four.previous_established_or_better is None  # no earlier 2020 round of any of them
    carried = by_code(
        levels_summary(framework=framework, systems=testland, period="2021/22", crosswalk=True)
    )
    assert carried["4"].previous_established_or_better == 0  # Ashdown's 2018/19 at 2
    old = by_code(
        levels_summary(framework=framework, systems=testland, period="2018/19", crosswalk=True)
    )
    one = old["1"]  # Ashdown 2, Coldbrook 3
    assert (one.established_or_better, one.median, one.systems) == (1, 2.5, 2)
    assert old["9"].systems == 0
    on_2017 = by_code(
        levels_summary(framework=frameworks["mtoc-2017"], systems=testland, period="2018/19")
    )
    assert list(on_2017) == [str(n) for n in range(1, 9)]
    assert on_2017["3"].counts[3] == 1 and on_2017["3"].counts[4] == 1


def test_every_system_without_a_filter_takes_in_other_regions(testland, frameworks):
    everyone = by_code(levels_summary(framework=frameworks["mtoc-2020"]))
    assert everyone["1"].systems == 4  # Farshire's 5 too
    assert everyone["1"].counts[5] == 1


def test_latest_levels_say_which_round_and_the_trend(testland, frameworks):
    levels = latest_levels(framework=frameworks["mtoc-2020"], systems=testland, crosswalk=True)
    names = dict(System.objects.values_list("name", "pk"))
    ashdown = levels[names["Ashdown"]]["4"]
    assert (ashdown.number, ashdown.name, ashdown.previous_number) == (4, "Mature", 2)
    assert (ashdown.round_name, ashdown.agreed_on) == ("2021/22", date(2021, 10, 1))
    assert not ashdown.recorded_afterwards
    coldbrook = levels[names["Coldbrook"]]["3"]
    assert (coldbrook.number, coldbrook.previous_number) == (4, None)
    assert coldbrook.recorded_afterwards and coldbrook.round_name == "2018/19"
    assert "9" not in levels[names["Coldbrook"]]
    assert names["Eastholm"] not in levels
