"""Agreement statistics for one change: properties over generated ratings, plus examples.

The statistics are pure functions of level numbers, so Hypothesis generates whole rounds:
the levels the partners gave (1..5), partners who did not rate (None) mixed in anywhere,
and the number of partners taking part (never fewer than the ratings).
"""

import math
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.statistics import (
    AGREED,
    SPLIT,
    THIN,
    ChangeStatistics,
    change_statistics,
    summary_sentence,
)

# No example database: the tests must not leave a .hypothesis folder in the project.
FAST = settings(max_examples=200, deadline=None, database=None)

LEVEL_NAMES = {
    1: "Not yet established",
    2: "Plans in place",
    3: "Established",
    4: "Mature",
    5: "Exemplary",
}
# Written out here rather than imported, so the module's own list is checked too.
WORDS = [
    "no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve",
]  # fmt: skip

level = st.integers(min_value=1, max_value=5)
ratings = st.lists(level, max_size=30)
some_ratings = st.lists(level, min_size=1, max_size=30)


@st.composite
def rounds(draw, ratings=ratings):
    """(levels with None for partners who did not rate, the partners taking part)."""
    given_levels = draw(ratings)
    nones = draw(st.integers(min_value=0, max_value=15))
    others = draw(st.integers(min_value=0, max_value=15))  # taking part, not even listed
    levels = draw(st.permutations([*given_levels, *[None] * nones]))
    return levels, len(given_levels) + nones + others


def rated_levels(levels) -> list[int]:
    return sorted(level for level in levels if level is not None)


def word(number: int) -> str:
    return WORDS[number] if number < len(WORDS) else str(number)


def parse_summary(sentence: str) -> tuple[list[tuple[int, str]], str | None]:
    """Read a summary back into [(count, level name), ...] and the "did not rate" count."""
    assert sentence.endswith(".")
    body, _, missing = sentence[:-1].partition("; ")
    parts = body.split(", ")
    first_count, rest = parts[0].split(" ", 1)
    verb = "partner rates " if first_count == "One" else "partners rate "
    assert rest.startswith(verb), sentence
    pairs = [(first_count.lower(), rest.removeprefix(verb))]
    pairs += [tuple(part.split(" ", 1)) for part in parts[1:]]
    if missing:
        assert missing.endswith(" did not rate it"), sentence
        missing = missing.removesuffix(" did not rate it")
    return pairs, missing or None


# The suggested level, the median, lowest and highest


@FAST
@given(rounds())
def test_the_suggested_level_is_the_median_rounded_down_and_within_the_ratings(case):
    levels, partners = case
    stats = change_statistics(levels, partners)
    if stats.rated == 0:
        assert (stats.median, stats.suggested, stats.lowest, stats.highest) == (None,) * 4
        return
    assert stats.suggested == math.floor(stats.median)
    assert isinstance(stats.suggested, int)
    assert stats.suggested in LEVEL_NAMES
    assert stats.lowest <= stats.suggested <= stats.median <= stats.highest
    assert stats.lowest == min(stats.levels) and stats.highest == max(stats.levels)
    assert stats.spread == stats.highest - stats.lowest


@FAST
@given(rounds(some_ratings))
def test_the_median_is_the_middle_level_or_the_mean_of_the_middle_two(case):
    levels, partners = case
    given_levels = rated_levels(levels)
    stats = change_statistics(levels, partners)
    assert stats.levels == tuple(given_levels)
    count = len(given_levels)
    if count % 2:
        assert stats.median in given_levels
        assert stats.median == given_levels[count // 2]
    else:
        middle = given_levels[count // 2 - 1], given_levels[count // 2]
        assert stats.median == sum(middle) / 2


# Agreement


@FAST
@given(rounds())
def test_thin_means_fewer_than_half_the_partners_rated_and_otherwise_agreed_means_within_one(
    case,
):
    levels, partners = case
    stats = change_statistics(levels, partners)
    rated = len(rated_levels(levels))
    assert (stats.agreement == THIN) == (rated == 0 or 2 * rated < partners)
    if stats.agreement != THIN:
        within_one = all(abs(level - stats.median) <= 1 for level in stats.levels)
        assert stats.agreement == (AGREED if within_one else SPLIT)


@FAST
@given(rounds(some_ratings))
def test_a_spread_of_at_most_one_is_agreed_and_of_three_or_more_is_split_unless_thin(case):
    levels, partners = case
    stats = change_statistics(levels, partners)
    if stats.agreement == THIN:
        assert 2 * stats.rated < partners
    elif stats.spread <= 1:
        assert stats.agreement == AGREED
    elif stats.spread >= 3:
        assert stats.agreement == SPLIT


@FAST
@given(st.integers(min_value=0, max_value=20))
def test_a_change_nobody_rated_is_thin_whatever_the_number_of_partners(partners):
    stats = change_statistics([None] * partners, partners)
    assert stats == ChangeStatistics((), partners, None, None, None, None, THIN, ())
    assert stats.rated == 0 and stats.spread == 0


# Partners who did not rate, order, shifting


@FAST
@given(some_ratings, st.integers(min_value=1, max_value=15), st.data())
def test_partners_without_a_rating_change_nothing_but_the_thin_rule(given_levels, nones, data):
    partners = len(given_levels) + nones
    with_nones = data.draw(st.permutations([*given_levels, *[None] * nones]))
    without = change_statistics(given_levels, partners)
    stats = change_statistics(with_nones, partners)
    assert stats == without  # the Nones themselves are simply left out
    alone = change_statistics(given_levels, len(given_levels))  # nobody missing
    for field in ("levels", "median", "suggested", "lowest", "highest", "counts"):
        assert getattr(stats, field) == getattr(alone, field), field
    assert alone.agreement != THIN
    if stats.agreement != THIN:
        assert stats.agreement == alone.agreement
    # The summary differs only in the "did not rate it" clause.
    missing = f"; {word(nones)} did not rate it."
    assert summary_sentence(stats, LEVEL_NAMES).endswith(missing)
    assert summary_sentence(stats, LEVEL_NAMES).removesuffix(missing) + "." == (
        summary_sentence(alone, LEVEL_NAMES)
    )


@FAST
@given(rounds(), st.data())
def test_the_statistics_do_not_depend_on_the_order_of_the_partners(case, data):
    levels, partners = case
    shuffled = data.draw(st.permutations(levels))
    assert change_statistics(shuffled, partners) == change_statistics(levels, partners)
    assert summary_sentence(change_statistics(shuffled, partners), LEVEL_NAMES) == (
        summary_sentence(change_statistics(levels, partners), LEVEL_NAMES)
    )


@FAST
@given(rounds(st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=30)))
def test_raising_every_level_by_one_raises_the_median_and_keeps_the_agreement(case):
    levels, partners = case
    raised = [None if level is None else level + 1 for level in levels]
    before = change_statistics(levels, partners)
    after = change_statistics(raised, partners)
    assert after.median == before.median + 1
    assert after.suggested == before.suggested + 1
    assert (after.lowest, after.highest) == (before.lowest + 1, before.highest + 1)
    assert after.agreement == before.agreement
    assert after.counts == tuple((level + 1, count) for level, count in before.counts)


# Counts


@FAST
@given(rounds())
def test_the_counts_add_up_to_the_ratings_most_common_first_then_highest_level_first(case):
    levels, partners = case
    stats = change_statistics(levels, partners)
    assert sum(count for _, count in stats.counts) == stats.rated
    assert dict(stats.counts) == Counter(rated_levels(levels))
    assert len({level for level, _ in stats.counts}) == len(stats.counts)
    keys = [(-count, -level) for level, count in stats.counts]
    assert keys == sorted(keys)
    assert all(count >= 1 for _, count in stats.counts)


# Bad input


@FAST
@given(some_ratings, st.data())
def test_more_ratings_than_partners_taking_part_is_refused(given_levels, data):
    partners = data.draw(st.integers(min_value=0, max_value=len(given_levels) - 1))
    nones = data.draw(st.integers(min_value=0, max_value=5))
    with pytest.raises(ValueError, match="more ratings than partners"):
        change_statistics([*given_levels, *[None] * nones], partners)


# The summary sentence


@FAST
@given(rounds())
def test_the_summary_names_each_level_given_with_its_count_in_words(case):
    levels, partners = case
    stats = change_statistics(levels, partners)
    sentence = summary_sentence(stats, LEVEL_NAMES)
    if stats.rated == 0:
        assert sentence == "No partner has rated this change."
        return
    assert sentence[0].isupper()
    assert sentence.endswith(".") and not sentence.endswith("..")
    pairs, missing = parse_summary(sentence)
    # Every level given is named, once, in the order of the counts, and nothing else is.
    assert pairs == [(word(count), LEVEL_NAMES[level]) for level, count in stats.counts]
    for level, name in LEVEL_NAMES.items():
        assert (name in sentence) == (level in stats.levels)
    absent = partners - stats.rated
    assert missing == (word(absent) if absent else None)
    if all(count <= 12 for _, count in stats.counts) and absent <= 12:
        assert not any(character.isdigit() for character in sentence)


@FAST
@given(rounds(st.lists(level, min_size=13, max_size=30)))
def test_counts_beyond_twelve_are_written_as_numerals(case):
    levels, partners = case
    stats = change_statistics(levels, partners)
    pairs, _ = parse_summary(summary_sentence(stats, LEVEL_NAMES))
    for (written, _), (_, count) in zip(pairs, stats.counts, strict=True):
        assert written == (str(count) if count > 12 else WORDS[count])


# Examples


def test_two_plans_in_place_and_three_established_of_five_is_agreed_on_established():
    stats = change_statistics([2, 2, 3, 3, 3], 5)
    assert stats.agreement == AGREED
    assert (stats.median, stats.suggested, stats.lowest, stats.highest) == (3, 3, 2, 3)
    assert stats.counts == ((3, 3), (2, 2))
    assert summary_sentence(stats, LEVEL_NAMES) == (
        "Three partners rate Established, two Plans in place."
    )


def test_one_three_and_five_of_three_partners_is_split():
    stats = change_statistics([1, 3, 5], 3)
    assert stats.agreement == SPLIT
    assert (stats.median, stats.suggested, stats.spread) == (3, 3, 4)


def test_a_single_rating_among_five_partners_is_thin():
    stats = change_statistics([4, None, None, None, None], 5)
    assert stats.agreement == THIN
    assert stats.suggested == 4
    assert summary_sentence(stats, LEVEL_NAMES) == (
        "One partner rates Mature; four did not rate it."
    )


def test_exactly_half_the_partners_rating_is_not_thin():
    assert change_statistics([4], 2).agreement == AGREED
    assert change_statistics([4, 4], 5).agreement == THIN


def test_one_and_two_of_two_has_median_one_and_a_half_suggests_one_and_is_agreed():
    stats = change_statistics([2, 1], 2)
    assert stats.median == 1.5
    assert stats.suggested == 1
    assert stats.agreement == AGREED
    assert summary_sentence(stats, LEVEL_NAMES) == (
        "One partner rates Plans in place, one Not yet established."
    )


def test_one_to_four_of_four_has_median_two_and_a_half_and_is_split():
    stats = change_statistics([4, 3, 2, 1], 4)
    assert stats.median == 2.5
    assert stats.suggested == 2
    assert stats.agreement == SPLIT  # 1 and 4 are each 1.5 from the median


def test_a_spread_of_two_may_be_agreed_or_split_depending_on_the_median():
    assert change_statistics([1, 3], 2).agreement == AGREED  # median 2
    assert change_statistics([1, 3, 3], 3).agreement == SPLIT  # median 3, 1 is two away


def test_a_change_nobody_rated_has_its_own_sentence():
    stats = change_statistics([None, None, None], 3)
    assert stats.agreement == THIN
    assert summary_sentence(stats, LEVEL_NAMES) == "No partner has rated this change."
