"""Builders for the tests of the region and national pages (no tests of their own).

- `agreed_round(system, framework, name, agreed_on, levels)`: a round agreed in the portal,
  with an approved consensus per change; `recorded_round(...)` the same recorded afterwards
  through the service (`round_record_afterwards`), as a facilitator or administrator does.
- `open_round(system, framework, name, status, ...)`: a round not yet agreed, with proposed
  levels that must never be counted.
- `build_region(frameworks, admin)`: the fixture region "Testland" below, whose counts the
  tests compare with hand counts.

Levels are written as a string, one digit per change in the framework's order: "32341223"
is change 1 at 3, change 2 at 2, and so on.
"""

from datetime import date, timedelta

from django.utils import timezone

from assessments.history_services import RecordedLevel, agreed_at_of, round_record_afterwards
from assessments.models import (
    Change,
    Consensus,
    Framework,
    NationalViewer,
    Region,
    RegionalViewer,
    Round,
    System,
)
from tests.factories import UserFactory

RATIONALE = "Evidence seen by the Health and Wellbeing Board"


def _levels(framework: Framework, digits: str) -> list[tuple[Change, object]]:
    by_number = {level.number: level for level in framework.levels.all()}
    changes = Change.objects.filter(framework=framework, archived=False).order_by("position")
    return [
        (change, by_number[int(digit)])
        for change, digit in zip(changes, digits, strict=False)
        if digit != "-"
    ]


def agreed_round(
    system: System, framework: Framework, name: str, agreed_on: date, digits: str
) -> Round:
    """A round agreed in the portal on `agreed_on`."""
    agreed_at = agreed_at_of(agreed_on)
    round_ = Round.objects.create(
        system=system,
        framework=framework,
        name=name,
        status=Round.Status.AGREED,
        opens_on=agreed_on - timedelta(days=60),
        closes_on=agreed_on - timedelta(days=30),
        quorum=1,
        opened_at=agreed_at - timedelta(days=60),
        revealed_at=agreed_at - timedelta(days=25),
        submitted_for_approval_at=agreed_at - timedelta(days=10),
        agreed_at=agreed_at,
    )
    for change, level in _levels(framework, digits):
        Consensus.objects.create(
            round=round_,
            change=change,
            level=level,
            rationale=RATIONALE,
            state=Consensus.State.APPROVED,
            proposed_at=agreed_at,
            approved_at=agreed_at,
        )
    return round_


def recorded_round(
    system: System, framework: Framework, name: str, agreed_on: date, digits: str, *, actor
) -> Round:
    """A round agreed before the portal, recorded afterwards by `actor`."""
    return round_record_afterwards(
        actor=actor,
        system=system,
        framework=framework,
        name=name,
        agreed_on=agreed_on,
        approval_note=f"{system.name} Health and Wellbeing Board",
        levels=[
            RecordedLevel(change=change, level=level, rationale=RATIONALE)
            for change, level in _levels(framework, digits)
        ],
    )


def open_round(
    system: System,
    framework: Framework,
    name: str,
    status: str,
    *,
    closes_on: date | None = None,
    waiting_days: int = 0,
    digits: str = "",
) -> Round:
    """A round not agreed yet (rating, review or approval), closing on `closes_on`; in approval
    it was submitted `waiting_days` ago; `digits` its proposed levels."""
    today = timezone.localdate()
    closes_on = closes_on or today + timedelta(days=14)
    round_ = Round.objects.create(
        system=system,
        framework=framework,
        name=name,
        status=status,
        opens_on=closes_on - timedelta(days=30),
        closes_on=closes_on,
        quorum=1,
        opened_at=timezone.now() - timedelta(days=40),
        submitted_for_approval_at=(
            timezone.now() - timedelta(days=waiting_days)
            if status == Round.Status.APPROVAL
            else None
        ),
    )
    for change, level in _levels(framework, digits):
        Consensus.objects.create(round=round_, change=change, level=level, rationale=RATIONALE)
    return round_


# The fixture region: five systems (Eastholm has no agreed round yet) and one system
# elsewhere whose levels must never be counted in Testland.
TESTLAND = {
    "Ashdown": [
        ("recorded", "mtoc-2017", "2018/19", date(2018, 9, 1), "21321232"),
        ("agreed", "mtoc-2020", "2021/22", date(2021, 10, 1), "323423321"),
    ],
    "Brookfield": [
        ("recorded", "mtoc-2020", "2021/22", date(2021, 9, 15), "222312222"),
        ("agreed", "mtoc-2020", "2023/24", date(2023, 10, 1), "432323313"),
    ],
    "Coldbrook": [
        ("recorded", "mtoc-2017", "2018/19", date(2018, 10, 1), "33412323"),
    ],
    "Dunmere": [
        ("agreed", "mtoc-2020", "2021/22", date(2021, 11, 1), "123331422"),
    ],
    "Eastholm": [],
}


def build_region(frameworks: dict, admin, *, slug: str = "testland") -> Region:
    """Testland as TESTLAND says, plus rounds not yet agreed (Dunmere waiting for approval
    for 20 days with proposed levels all at 5, Eastholm rating past its closing date), and
    Farshire in another region with everything at 5."""
    region = Region.objects.create(name="Testland", slug=slug)
    for name, rounds in TESTLAND.items():
        system = System.objects.create(region=region, name=name, slug=name.lower())
        for kind, key, round_name, agreed_on, digits in rounds:
            if kind == "recorded":
                recorded_round(system, frameworks[key], round_name, agreed_on, digits, actor=admin)
            else:
                agreed_round(system, frameworks[key], round_name, agreed_on, digits)
    today = timezone.localdate()
    open_round(
        System.objects.get(name="Dunmere"),
        frameworks["mtoc-2020"],
        "2025/26",
        Round.Status.APPROVAL,
        closes_on=today - timedelta(days=30),
        waiting_days=20,
        digits="555555555",
    )
    open_round(
        System.objects.get(name="Eastholm"),
        frameworks["mtoc-2020"],
        "2025/26",
        Round.Status.RATING,
        closes_on=today - timedelta(days=3),
        digits="555555555",
    )
    elsewhere = Region.objects.create(name="Elsewhere region", slug="elsewhere-region")
    farshire = System.objects.create(region=elsewhere, name="Farshire", slug="farshire")
    agreed_round(farshire, frameworks["mtoc-2020"], "2021/22", date(2021, 10, 1), "555555555")
    return region


def many_systems(frameworks: dict, region: Region, count: int) -> None:
    """`count` systems in `region`, each with a recorded round on the 2017 model and two
    agreed rounds on the 2020 one, and a round in rating."""
    start = System.objects.filter(region=region).count()
    for number in range(start, start + count):
        system = System.objects.create(
            region=region, name=f"Scale {number}", slug=f"scale-{number}"
        )
        agreed_round(system, frameworks["mtoc-2017"], "2018/19", date(2018, 9, 1), "23232323")
        agreed_round(system, frameworks["mtoc-2020"], "2021/22", date(2021, 9, 1), "323232323")
        agreed_round(system, frameworks["mtoc-2020"], "2023/24", date(2023, 9, 1), "333333333")
        open_round(system, frameworks["mtoc-2020"], "2025/26", Round.Status.RATING)


def national_viewer_user(email: str = "nation@test.example"):
    """A person holding the national viewer role (set-up data)."""
    user = UserFactory(email=email, full_name="Nia Nation")
    NationalViewer.objects.get_or_create(user=user)
    return user


def regional_viewer(region: Region, email: str = "testland-viewer@test.example"):
    """A regional viewer of `region`."""
    user = UserFactory(email=email, full_name="Rae Regional")
    RegionalViewer.objects.create(user=user, region=region)
    return user
