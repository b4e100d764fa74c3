"""Benchmarking for a system, without league tables: on its agreed round, where each agreed
level sits among the latest agreed levels of the systems of its region and of the nation.

What a system's people see is counts per level, their own level marked, and nothing that
names or ranks another system: the levels go in the scale's order, never by how many systems
hold them, and a system's name shows only where it chose to be named to its region
(`System.named_in_region`), and only in its region's comparison, which only people of the same
region see. A comparison of fewer than `SMALLEST_COMPARISON` systems shows no distribution
(small-number suppression), so that no system can be picked out.

The levels are `regions.selectors.latest_levels`'s and the counts `levels_summary`'s (for the
region, `summarise` of the region's levels, which also give the named systems' levels): the
one reading of "a system's latest agreed level" the region and national pages use too.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from assessments.framework_content import content_of
from assessments.models import Round, System
from regions.selectors import latest_levels, levels_summary, summarise

# Fewer systems than this in a comparison and it shows no distribution (issue 15).
SMALLEST_COMPARISON = 5


@dataclass(frozen=True)
class LevelCount:
    """One level of the scale in one comparison of one change."""

    number: int
    name: str
    count: int
    yours: bool  # the system's own agreed level
    named: tuple[str, ...] = ()  # systems at this level that chose to be named (region only)


@dataclass(frozen=True)
class ChangeComparison:
    code: str
    title: str
    systems: int  # systems in the comparison with an agreed level for this change
    levels: tuple[LevelCount, ...]  # in the scale's order; empty when suppressed

    @property
    def suppressed(self) -> bool:
        return self.systems < SMALLEST_COMPARISON


@dataclass(frozen=True)
class Comparison:
    """The systems of one area (the region, or the nation), change by change."""

    area: str  # "North of England", or "England"
    is_region: bool
    changes: tuple[ChangeComparison, ...]

    @property
    def all_suppressed(self) -> bool:
        return all(change.suppressed for change in self.changes)


@dataclass(frozen=True)
class Benchmark:
    as_of: date | None  # None: today's latest levels
    levels: tuple[tuple[int, str], ...]  # the scale: (number, name)
    region: Comparison
    nation: Comparison


def round_benchmark(round_: Round) -> Benchmark:
    """Where each of the agreed round's levels sits in its region and in the nation.

    Each system counts at its latest agreed level on the round's framework: as of today when
    this is the system's latest agreed round on it, otherwise as things stood on the day it
    was agreed (so the system's own level counted is this round's). A fixed number of queries,
    whatever the number of systems and rounds.
    """
    system = round_.system
    later = (
        round_.agreed_at is not None
        and Round.objects.filter(
            system=system,
            framework=round_.framework,
            status=Round.Status.AGREED,
            agreed_at__gt=round_.agreed_at,
        ).exists()
    )
    as_of = timezone.localdate(round_.agreed_at) if later else None
    framework = round_.framework
    scale = tuple((level.number, level.name) for level in content_of(framework).levels)

    region_systems = System.objects.filter(region_id=system.region_id)
    region_levels = latest_levels(framework=framework, systems=region_systems, as_of=as_of)
    own = region_levels.get(system.pk, {})
    # Beside their levels: the region's other systems that chose to be named to it.
    named_at: dict[tuple[str, int], list[str]] = {}
    for system_id, name in (
        region_systems.filter(named_in_region=True).exclude(pk=system.pk).values_list("pk", "name")
    ):
        for code, level in region_levels.get(system_id, {}).items():
            named_at.setdefault((code, level.number), []).append(name)

    region = summarise(framework, region_levels)
    nation = levels_summary(framework=framework, as_of=as_of)
    return Benchmark(
        as_of=as_of,
        levels=scale,
        region=_comparison(str(system.region), True, region, scale, own, named_at),
        nation=_comparison("England", False, nation, scale, own, {}),
    )


def _comparison(area, is_region, summaries, scale, own, named_at) -> Comparison:
    changes = []
    for summary in summaries:
        yours = own[summary.code].number if summary.code in own else None
        levels = ()
        if summary.systems >= SMALLEST_COMPARISON:
            levels = tuple(
                LevelCount(
                    number=number,
                    name=name,
                    count=summary.counts.get(number, 0),
                    yours=number == yours,
                    named=tuple(sorted(named_at.get((summary.code, number), []))),
                )
                for number, name in scale
            )
        changes.append(
            ChangeComparison(
                code=summary.code, title=summary.title, systems=summary.systems, levels=levels
            )
        )
    return Comparison(area=area, is_region=is_region, changes=tuple(changes))
