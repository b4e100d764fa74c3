"""Shared set-up for the improvement plan tests (no tests of its own).

`agreed_round(...)` makes a round that is already agreed, with an approved consensus for every
change of its framework: agreed at level 3 and planned to stay there, except the changes in
`gaps`, which are planned higher by `PLANNED_BY`.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from assessments.models import Consensus, PartnerReturn, Round
from improvement_plans.models import (
    Action,
    FundingLine,
    Investment,
    InvestmentChange,
    ProgressUpdate,
)
from tests.factories import MemberFactory, UserFactory
from tests.helpers import date_fields

AGREED_LEVEL = 3
# change code: (agreed level, planned level)
GAPS = {"1": (3, 4), "4": (2, 4)}


def planned_by() -> date:
    return timezone.localdate() + timedelta(days=300)


def agreed_round(
    system,
    framework,
    *,
    name: str = "2025/26",
    gaps: dict | None = None,
    previous_round=None,
    planner=None,
) -> Round:
    gaps = GAPS if gaps is None else gaps
    today = timezone.localdate()
    now = timezone.now()
    round_ = Round.objects.create(
        system=system,
        name=name,
        framework=framework,
        status=Round.Status.AGREED,
        opens_on=today - timedelta(days=90),
        closes_on=today - timedelta(days=60),
        quorum=1,
        previous_round=previous_round,
        opened_at=now - timedelta(days=90),
        revealed_at=now - timedelta(days=50),
        agreed_at=now,
    )
    agree_every_change(round_, gaps=gaps, planner=planner)
    return round_


def agree_every_change(round_: Round, *, gaps: dict | None = None, planner=None) -> None:
    gaps = GAPS if gaps is None else gaps
    levels = {level.number: level for level in round_.framework.levels.all()}
    for change in round_.framework.changes.filter(archived=False):
        agreed, planned = gaps.get(change.code, (AGREED_LEVEL, AGREED_LEVEL))
        Consensus.objects.create(
            round=round_,
            change=change,
            level=levels[agreed],
            planned_level=levels[planned],
            planned_by=planned_by() if planned > agreed else None,
            state=Consensus.State.APPROVED,
            proposed_by=planner,
            approved_at=timezone.now(),
        )


def reagree(consensus: Consensus, **fields) -> None:
    """Give an agreed consensus other values, as a new proposal approved again would. The
    database refuses a plain update of an approved consensus (assessments migration 0009),
    so tests that need other agreed text or levels change it this way."""
    for name, value in fields.items():
        setattr(consensus, name, value)
    consensus.state = Consensus.State.PROPOSED
    consensus.version += 1
    consensus.save()
    Consensus.objects.filter(pk=consensus.pk).update(state=Consensus.State.APPROVED)
    consensus.refresh_from_db()


def rating_round(system, framework, partners, *, name: str, previous_round=None) -> Round:
    """A round in rating, with a return for each of `partners`."""
    today = timezone.localdate()
    round_ = Round.objects.create(
        system=system,
        name=name,
        framework=framework,
        status=Round.Status.RATING,
        opens_on=today,
        closes_on=today + timedelta(days=30),
        quorum=1,
        previous_round=previous_round,
        opened_at=timezone.now(),
    )
    for partner in partners:
        PartnerReturn.objects.create(round=round_, partner=partner)
    return round_


def make_owner(partner, email: str = "owner@test.example", name: str = "Olive Owner"):
    user = UserFactory(email=email, full_name=name)
    MemberFactory(user=user, partner=partner)
    return user


def make_action(
    round_: Round,
    *,
    title: str = "Set up a discharge hub",
    code: str = "1",
    lead_partner,
    owner,
    start: date | None = None,
    due: date | None = None,
    status: str = Action.Status.NOT_STARTED,
    **fields,
) -> Action:
    today = timezone.localdate()
    action = Action.objects.create(
        system=round_.system,
        change=round_.framework.changes.get(code=code),
        title=title,
        lead_partner=lead_partner,
        owner=owner,
        start_date=start or today - timedelta(days=10),
        due_date=due or today + timedelta(days=60),
        status=status,
        **fields,
    )
    action.rounds.add(round_)
    return action


def make_update(action: Action, author, note: str, *, on: date | None = None, **fields):
    return ProgressUpdate.objects.create(
        action=action, author=author, note=note, on=on or timezone.localdate(), **fields
    )


def make_investment(
    round_: Round,
    *,
    scheme: str = "Discharge to assess",
    source: str = Investment.Source.BCF,
    amount: str = "1000.00",
    year: str = "2026/27",
    codes=("1",),
    lines: list[tuple[str, str]] | None = None,
    allocation: list[str] | None = None,
    ongoing: bool = False,
) -> Investment:
    """A scheme of `round_`'s plan, written directly: one funding line of `source` and
    `amount` unless `lines` (source, amount) are given; `allocation` per change in code order."""
    investment = Investment.objects.create(
        round=round_, scheme_name=scheme, financial_year=year, ongoing=ongoing
    )
    for line_source, line_amount in lines or [(source, amount)]:
        FundingLine.objects.create(
            investment=investment, source=line_source, amount=Decimal(line_amount)
        )
    changes = round_.framework.changes.filter(code__in=codes).order_by("position")
    for number, change in enumerate(changes):
        InvestmentChange.objects.create(
            investment=investment,
            change=change,
            amount=Decimal(allocation[number]) if allocation else None,
        )
    return investment


def action_form(round_: Round, *, lead_partner, owner, **overrides) -> dict:
    """A valid POST for the action form; `overrides` replace fields (dates as dates)."""
    today = timezone.localdate()
    start = overrides.pop("start_date", today)
    due = overrides.pop("due_date", today + timedelta(days=90))
    change = overrides.pop("change", None) or round_.framework.changes.get(code="1").pk
    data = {
        "title": "Set up a discharge hub",
        "description": "One team, one phone number",
        "change": change,
        "target_level": "",
        "lead_partner": lead_partner.pk,
        "owner": owner.pk,
        "status": Action.Status.NOT_STARTED,
        "rag_override": "",
        "rag_override_reason": "",
        **date_fields("start_date", start),
        **date_fields("due_date", due),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def progress_form(note: str = "Met the ward teams", **overrides) -> dict:
    on = overrides.pop("on", None)
    return {"note": note, "new_status": "", "new_rag": "", **date_fields("on", on), **overrides}


def plan_url(round_: Round, name: str = "plan") -> str:
    return reverse(name, args=[round_.public_id])


def action_url(action: Action, name: str = "action_detail") -> str:
    return reverse(name, args=[action.public_id])


def errors_of(response) -> dict:
    return {name: list(messages) for name, messages in response.context["form"].errors.items()}
