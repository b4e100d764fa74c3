"""Fixtures for the BCF return tests.

- `demo`: the demo's issued 2025/26 return (version 1) as bytes and text, with what the
  database says it should show. Seeding and rendering take a few seconds, so the first test
  that asks for it fills a session-wide cache of plain values (no model instances, which
  would not outlive the test's transaction); later tests reuse it without the database.
- `demo_round`: the demo seeded in this test's database (for tests that need the rows).
- `plan`: an agreed round of `cast.system` with a plan, nothing issued (see helpers.py).
"""

from dataclasses import dataclass

import pytest

from assessments.models import Consensus, Decision, Round
from assessments.selectors import previous_agreed_levels
from improvement_plans.models import Action, Investment, IssuedReturn
from tests.returns.helpers import page_texts, plan_round, seed_demo_round


@dataclass(frozen=True)
class DemoChange:
    code: str
    title: str
    previous: str  # "2 Plans in place", or "–"
    current: str
    planned: str
    planned_by: str
    rationale: str  # the consensus rationale, whatever the level
    level: int
    flagged: bool  # a gap (planned above agreed) with no open action


@dataclass(frozen=True)
class DemoReturn:
    pdf: bytes
    xlsx: bytes
    pages: list[str]
    system: str
    region: str
    framework: str
    round: str
    approvers: list[str]
    changes: list[DemoChange]
    investments: list[tuple[str, str, str]]  # (scheme, source label, amount)

    @property
    def text(self) -> str:
        return " ".join(self.pages)


_DEMO: dict[str, DemoReturn] = {}


def _describe(round_: Round) -> DemoReturn:
    issued = IssuedReturn.objects.get(round=round_, version=1)
    previous = previous_agreed_levels(round_)  # 2019/20 was on the 2017 edition
    open_changes = set(
        Action.objects.filter(rounds=round_, status__in=Action.OPEN_STATUSES).values_list(
            "change_id", flat=True
        )
    )
    changes = []
    consensus = Consensus.objects.filter(round=round_).select_related(
        "change", "level", "planned_level"
    )
    for c in sorted(consensus, key=lambda c: c.change.position):
        before = previous.get(c.change_id)
        changes.append(
            DemoChange(
                code=c.change.code,
                title=c.change.title,
                previous=f"{before.number} {before.name}" if before else "–",
                current=f"{c.level.number} {c.level.name}",
                planned=f"{c.planned_level.number} {c.planned_level.name}",
                planned_by=c.planned_by.isoformat() if c.planned_by else "",
                rationale=c.rationale,
                level=c.level.number,
                flagged=c.planned_level.number > c.level.number and c.change_id not in open_changes,
            )
        )
    approvers = sorted(
        {
            d.decided_by.get_full_name()
            for d in Decision.objects.filter(
                consensus__round=round_, kind=Decision.Kind.APPROVE
            ).select_related("decided_by")
        }
    )
    # (scheme, its first funding line's source, its total)
    investments = [
        (i.scheme_name, i.funding_lines.first().get_source_display(), f"{i.total:,.2f}")
        for i in Investment.objects.filter(round=round_).with_total()
    ]
    return DemoReturn(
        pdf=bytes(issued.pdf),
        xlsx=bytes(issued.xlsx),
        pages=page_texts(issued.pdf),
        system=round_.system.name,
        region=round_.system.region.name,
        framework=round_.framework.title,
        round=round_.name,
        approvers=approvers,
        changes=changes,
        investments=investments,
    )


def _cache(round_: Round) -> DemoReturn:
    if "demo" not in _DEMO:
        _DEMO["demo"] = _describe(round_)
    return _DEMO["demo"]


@pytest.fixture
def demo_round(db) -> Round:
    round_ = seed_demo_round()
    _cache(round_)
    return round_


@pytest.fixture
def demo(db) -> DemoReturn:
    if "demo" in _DEMO:
        return _DEMO["demo"]
    return _cache(seed_demo_round())


@pytest.fixture
def plan(cast, frameworks) -> Round:
    return plan_round(cast, frameworks["mtoc-2020"])
