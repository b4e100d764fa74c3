"""Agreement statistics for one change across the partners of a round.

Pure functions over level numbers, so they are easy to reason about and to test with
generated data. Definitions (DESIGN §4):
- median of the levels given; the *suggested* level is the median rounded down;
- *thin*: fewer than half of the partners taking part rated the change;
- otherwise *agreed* when every rating is within one level of the median, else *split*.
"""

import math
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

AGREED = "agreed"
SPLIT = "split"
THIN = "thin"
# The review's agenda: split changes first, then thin ones, then those already agreed.
AGENDA_ORDER = {SPLIT: 0, THIN: 1, AGREED: 2}

NUMBER_WORDS = [
    "no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve",
]  # fmt: skip


@dataclass(frozen=True)
class ChangeStatistics:
    levels: tuple[int, ...]  # the levels given, lowest first; partners with no rating left out
    partner_count: int  # partners taking part in the round
    median: float | None
    suggested: int | None  # the median rounded down
    lowest: int | None
    highest: int | None
    agreement: str  # AGREED, SPLIT or THIN
    counts: tuple[tuple[int, int], ...]  # (level, how many), most common first

    @property
    def rated(self) -> int:
        return len(self.levels)

    @property
    def spread(self) -> int:
        return 0 if not self.levels else self.highest - self.lowest


def change_statistics(levels: Sequence[int | None], partner_count: int) -> ChangeStatistics:
    """Statistics of one change: `levels` holds each partner's level (None: no rating)."""
    given = tuple(sorted(level for level in levels if level is not None))
    if partner_count < len(given):
        raise ValueError("more ratings than partners taking part")
    if not given:
        return ChangeStatistics((), partner_count, None, None, None, None, THIN, ())
    median = statistics.median(given)
    if 2 * len(given) < partner_count:
        agreement = THIN
    elif all(abs(level - median) <= 1 for level in given):
        agreement = AGREED
    else:
        agreement = SPLIT
    counts = tuple(sorted(Counter(given).items(), key=lambda item: (-item[1], -item[0])))
    return ChangeStatistics(
        levels=given,
        partner_count=partner_count,
        median=median,
        suggested=math.floor(median),
        lowest=given[0],
        highest=given[-1],
        agreement=agreement,
        counts=counts,
    )


# The level the BCF counted areas at, "Established or better" (DHSC's national picture of the
# HICM, 2017); a scale without it is read from its middle level.
ESTABLISHED = "established"


def established_level(levels: Mapping[int, str]) -> int | None:
    """The number of the level that "Established or better" counts from, given a scale as
    level number -> name: the level named Established (any case), or else the middle of the
    scale (the upper middle of an even one). None for an empty scale. The one rule: the
    return's summary sentence and the region and national counts all ask it."""
    for number, name in sorted(levels.items()):
        if name.strip().lower() == ESTABLISHED:
            return number
    ordered = sorted(levels)
    return ordered[len(ordered) // 2] if ordered else None


def number_word(number: int) -> str:
    return NUMBER_WORDS[number] if 0 <= number < len(NUMBER_WORDS) else str(number)


def summary_sentence(stats: ChangeStatistics, level_names: Mapping[int, str]) -> str:
    """Plain English: "Two partners rate Established, three Plans in place"."""
    if not stats.counts:
        return "No partner has rated this change."
    parts = []
    for index, (level, count) in enumerate(stats.counts):
        name = level_names.get(level, str(level))
        if index == 0:
            who = "partner rates" if count == 1 else "partners rate"
            parts.append(f"{number_word(count).capitalize()} {who} {name}")
        else:
            parts.append(f"{number_word(count)} {name}")
    sentence = ", ".join(parts)
    missing = stats.partner_count - stats.rated
    if missing:
        sentence += f"; {number_word(missing)} did not rate it"
    return sentence + "."
