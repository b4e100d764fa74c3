"""Reads for plan pages, each a fixed number of queries whatever the plan's size."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format

from assessments.models import Change, Consensus, Crosswalk, Round
from assessments.rules import roles_of
from improvement_plans.models import Action, Investment, ProgressUpdate, Rag

MAX_CHAIN = 50  # rounds followed back through previous_round


def round_chain(round_: Round) -> list[int]:
    """This round and the agreed rounds it started from, newest first."""
    chain = [round_.pk]
    previous = dict(
        Round.objects.filter(system=round_.system_id)
        .order_by()
        .values_list("pk", "previous_round_id")
    )
    current = previous.get(round_.pk)
    while current and current not in chain and len(chain) < MAX_CHAIN:
        chain.append(current)
        current = previous.get(current)
    return chain


def plan_actions(round_: Round) -> QuerySet[Action]:
    """The actions of a round's plan: those added to it, and the open actions of the plans it
    started from (the same rows, linked, never copied)."""
    earlier = round_chain(round_)[1:]
    return (
        Action.objects.filter(
            Q(rounds=round_) | Q(rounds__in=earlier, status__in=Action.OPEN_STATUSES)
        )
        .distinct()
        .select_related("change", "lead_partner", "owner", "target_level")
    )


# GOV.UK tag colours of an action's status and RAG, as `plans/_status.html` and `_rag.html`
# draw them; the plan page writes its many rows from these without an include per cell.
STATUS_TAG_COLOURS = {
    Action.Status.DONE: "green",
    Action.Status.IN_PROGRESS: "light-blue",
    Action.Status.BLOCKED: "red",
    Action.Status.CANCELLED: "grey",
    Action.Status.NOT_STARTED: "blue",
}
RAG_TAG_COLOURS = {Rag.RED: "red", Rag.AMBER: "orange", Rag.GREEN: "green"}


@dataclass
class PlanAction:
    """An action as a row of the plan page shows it: names and tags worked out here."""

    pk: int
    public_id: str
    title: str
    change_id: int
    is_open: bool
    lead: str
    owner: str
    due: str  # "3 Mar 2027"
    overdue: bool
    status_colour: str
    status_label: str
    rag_colour: str
    rag_label: str
    rag_by_hand: bool
    carried: bool = False  # from an earlier plan's change that maps to this one


def _plan_action(action: Action, today) -> PlanAction:
    rag = action.rag(today)
    return PlanAction(
        pk=action.pk,
        public_id=str(action.public_id),
        title=action.title,
        change_id=action.change_id,
        is_open=action.is_open,
        lead=action.lead_partner.name,
        owner=action.owner.get_full_name(),
        due=date_format(action.due_date, "j M Y"),
        overdue=action.is_overdue(today),
        status_colour=STATUS_TAG_COLOURS[action.status],
        status_label=action.get_status_display(),
        rag_colour=RAG_TAG_COLOURS.get(rag, "grey"),
        rag_label=Rag(rag).label if rag else "None",
        rag_by_hand=bool(action.rag_override),
    )


@dataclass
class PlanRow:
    change: Change
    consensus: Consensus | None
    actions: list[PlanAction] = field(default_factory=list)
    invested: Decimal = Decimal("0")

    @property
    def gap(self) -> int:
        return self.consensus.gap if self.consensus else 0

    @property
    def needs_action(self) -> bool:
        """A gap with no action working on it (done or cancelled ones do not count)."""
        return self.gap > 0 and not any(a.is_open for a in self.actions)

    @property
    def agreed(self) -> str:
        """The agreed level as the card shows it: "3 Established", or "–"."""
        return str(self.consensus.level) if self.consensus else "–"

    @property
    def planned(self) -> str:
        """The planned level and date as the card shows them: "4 Mature by 1 March 2027"."""
        consensus = self.consensus
        if consensus is None or consensus.planned_level is None:
            return "–"
        by = consensus.planned_by
        return f"{consensus.planned_level}" + (f" by {date_format(by, 'j F Y')}" if by else "")


def _investment_row(investment: Investment) -> dict:
    """An investment as a row of the plan's table shows it."""
    return {
        "public_id": investment.public_id,
        "scheme": investment.scheme_name,
        "source": investment.get_funding_source_display(),
        "year": investment.financial_year,
        "changes": ", ".join(change.code for change in investment.changes.all()),
        "amount": investment.amount,
    }


def plan_rows(round_: Round) -> dict:
    """Per change: agreed and planned level, gap, actions, investment; and the totals.
    Seven queries; each action is read with only the columns its row shows."""
    today = timezone.localdate()
    consensus = {
        c.change_id: c
        for c in Consensus.objects.filter(round=round_)
        .select_related("level", "planned_level")
        .only(
            "change_id",
            "planned_by",
            "level__number",
            "level__name",
            "planned_level__number",
            "planned_level__name",
        )
        .order_by()
    }
    actions = list(
        plan_actions(round_)
        .select_related(None)
        .select_related("change", "lead_partner", "owner")
        .only(
            "public_id",
            "title",
            "change__code",
            "change__title",
            "status",
            "start_date",
            "due_date",
            "rag_override",
            "lead_partner__name",
            "owner__full_name",
            "owner__email",
        )
    )
    investments = list(
        Investment.objects.filter(round=round_)
        .prefetch_related(
            Prefetch(
                "changes", queryset=Change.objects.only("code", "position").order_by("position")
            )
        )
        .order_by("financial_year", "scheme_name")
    )
    rows = {
        change.pk: PlanRow(change, consensus.get(change.pk))
        for change in Change.objects.filter(framework=round_.framework_id, archived=False).order_by(
            "position"
        )
    }
    # Actions carried from a plan on an earlier edition of the framework sit beside the change
    # their change maps to. Always asked, so the page's query count does not hang on its data.
    forward = dict(
        Crosswalk.objects.filter(to_change__framework=round_.framework_id).values_list(
            "from_change_id", "to_change_id"
        )
    )
    unmapped = []
    for action in actions:
        row = rows.get(action.change_id) or rows.get(forward.get(action.change_id))
        if row is None:
            unmapped.append(action)
            continue
        shown = _plan_action(action, today)
        shown.carried = action.change_id != row.change.pk
        row.actions.append(shown)
    totals = investment_totals(investments)
    for change_id, amount in totals["by_change"].items():
        if change_id in rows:
            rows[change_id].invested = amount
    return {
        "rows": list(rows.values()),
        "unmapped_actions": unmapped,
        "investments": [_investment_row(investment) for investment in investments],
        "totals": totals,
        "today": today,
    }


def investment_totals(investments: list[Investment]) -> dict:
    """Totals per source and per year, and per change. An investment serving several changes
    counts in full against each of them, and once in the overall total."""
    by_source: dict[str, Decimal] = defaultdict(Decimal)
    by_year: dict[str, Decimal] = defaultdict(Decimal)
    by_change: dict[int, Decimal] = defaultdict(Decimal)
    total = Decimal("0")
    for investment in investments:
        total += investment.amount
        by_source[investment.get_funding_source_display()] += investment.amount
        by_year[investment.financial_year] += investment.amount
        for change in investment.changes.all():
            by_change[change.pk] += investment.amount
    return {
        "total": total,
        "by_source": sorted(by_source.items()),
        "by_year": sorted(by_year.items()),
        "by_change": dict(by_change),
    }


def latest_plan_round(action: Action) -> Round | None:
    """The plan an action is read in: the latest agreed round it belongs to (or, if none is
    agreed, the newest)."""
    return max(
        action.rounds.all(),
        key=lambda r: (r.agreed_at is not None, r.agreed_at or r.created_at),
        default=None,
    )


def action_timeline(action: Action) -> list[ProgressUpdate]:
    return list(action.updates.select_related("author"))


def system_actions(system) -> QuerySet[Action]:
    return (
        Action.objects.filter(system=system)
        .select_related("change__framework", "lead_partner", "owner", "target_level")
        .prefetch_related(Prefetch("rounds", queryset=Round.objects.only("pk", "name")))
    )


def my_actions(user) -> QuerySet[Action]:
    """Actions the person owns, or that a partner of theirs leads."""
    partner_ids = [p for ids in roles_of(user).partner_ids_by_system.values() for p in ids]
    return (
        Action.objects.filter(Q(owner=user) | Q(lead_partner__in=partner_ids))
        .distinct()
        .select_related("system", "change", "lead_partner", "owner", "target_level")
    )


def finished_actions_for(round_: Round, change: Change) -> list[dict]:
    """Actions of the plans this round started from that finished for this change (or a
    change it maps from), as title and lead partner, so raters are asked whether the level has
    moved. Two queries."""
    if round_.previous_round_id is None:
        return []
    earlier = round_chain(round_)[1:]
    mapped_from = Crosswalk.objects.filter(to_change=change).values("from_change")
    # Scoped to the system first: by change alone the index would walk every system's actions.
    return list(
        Action.objects.filter(
            Q(change=change) | Q(change__in=mapped_from),
            system=round_.system_id,
            rounds__in=earlier,
            status=Action.Status.DONE,
        )
        .values("pk", "title", lead=F("lead_partner__name"))
        .distinct()
    )
