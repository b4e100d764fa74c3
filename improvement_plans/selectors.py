"""Reads for plan pages, each a fixed number of queries whatever the plan's size."""

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter

from django.db.models import BooleanField, Case, F, Prefetch, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone

from assessments.framework_content import content_of
from assessments.models import Change, Consensus, Crosswalk, Partner, Round
from assessments.rules import roles_of
from casestudies.selectors import crosswalk_pairs, practice_for_changes
from hicm_portal.words import govuk_date
from improvement_plans.models import Action, Investment, ProgressUpdate, Rag

MAX_CHAIN = 50  # rounds followed back through previous_round


def round_chain(round_: Round) -> list[int]:
    """This round and the agreed rounds it started from, newest first."""
    chain = [round_.pk]
    if round_.previous_round_id is None:
        return chain
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


def _in_plan(round_: Round) -> Q:
    """Which actions a round's plan holds: those added to it, and the open actions of the
    plans it started from (the same rows, linked, never copied)."""
    earlier = round_chain(round_)[1:]
    return Q(rounds=round_) | Q(rounds__in=earlier, status__in=Action.OPEN_STATUSES)


def plan_actions(round_: Round) -> QuerySet[Action]:
    """The actions of a round's plan (`_in_plan`), with their change, partner, owner and level."""
    return (
        Action.objects.filter(_in_plan(round_))
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


# The id an address is reversed with, once per page (`_addresses`).
_ANY_ID = uuid.UUID(int=0)


def _addresses(view_name: str, *args) -> Callable[[uuid.UUID | str], str]:
    """The address of `view_name` for any public id (its last argument, a UUID), from one
    `reverse()` for the page: reversing costs as much as the rest of a row's cells together,
    and a plan lists many actions. The address of an unknown view still fails loudly."""
    address = reverse(view_name, args=[*args, _ANY_ID])
    return lambda public_id: address.replace(str(_ANY_ID), str(public_id))


@dataclass
class PlanAction:
    """An action as a row of the plan page shows it: names, date and tags worked out here."""

    pk: int
    public_id: str
    url: str
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
    change: str = ""  # "4. Home first", for an action whose change has no match in this plan


def _plan_action(action: Action, today, address: Callable) -> PlanAction:
    """`action` carries only the columns its row shows, and its names as annotations
    (`_plan_actions`); `address` gives its page's address from its public id."""
    rag = action.rag(today)
    return PlanAction(
        pk=action.pk,
        public_id=str(action.public_id),
        url=address(action.public_id),
        title=action.title,
        change_id=action.change_id,
        is_open=action.is_open,
        lead=action.lead,
        owner=action.owner_name or action.owner_email,  # as User.get_full_name
        due=f"{action.due_date:%-d %b %Y}",
        overdue=action.is_overdue(today),
        status_colour=STATUS_TAG_COLOURS[action.status],
        status_label=Action.Status(action.status).label,
        rag_colour=RAG_TAG_COLOURS.get(rag, "grey"),
        rag_label=Rag(rag).label if rag else "None",
        rag_by_hand=bool(action.rag_override),
    )


def _plan_actions(round_: Round) -> QuerySet[Action]:
    """The plan's actions (`_in_plan`) with only what their rows show: no related object is
    built, the names of the lead partner and owner come as annotations."""
    return (
        Action.objects.filter(_in_plan(round_))
        .distinct()
        .only("public_id", "title", "change", "status", "start_date", "due_date", "rag_override")
        .annotate(
            lead=F("lead_partner__name"),
            owner_name=F("owner__full_name"),
            owner_email=F("owner__email"),
        )
    )


@dataclass
class PlanRow:
    """A change as its card on the plan page shows it, ready to print."""

    change: Change  # printed as "4. Home first"
    gap: int = 0  # levels from the agreed to the planned level (`Consensus.gap`)
    agreed: str = "–"  # "3 Established"
    planned: str = "–"  # "4 Mature by 1 March 2027"
    actions: list[PlanAction] = field(default_factory=list)
    invested: Decimal = Decimal("0")
    practice: list[dict] = field(default_factory=list)  # beside a gap: slug, title, place

    @property
    def gap_text(self) -> str:
        """The gap as the card shows it: "1 level", "2 levels", or "None"."""
        return f"{self.gap} level{'s' if self.gap > 1 else ''}" if self.gap else "None"

    @property
    def needs_action(self) -> bool:
        """A gap with no action working on it (done or cancelled ones do not count)."""
        return self.gap > 0 and not any(a.is_open for a in self.actions)


def _plan_row(change: Change, consensus: Consensus | None) -> PlanRow:
    if consensus is None:
        return PlanRow(change)
    planned = "–"
    if consensus.planned_level is not None:
        by = consensus.planned_by
        planned = f"{consensus.planned_level}" + (f" by {govuk_date(by)}" if by else "")
    return PlanRow(change, gap=consensus.gap, agreed=str(consensus.level), planned=planned)


def _plan_consensus(round_: Round, levels: dict) -> dict[int, Consensus]:
    """The round's agreed and planned levels by change id, the levels taken from the
    framework's content (`levels`, by id) rather than joined."""
    consensus = {}
    for row in Consensus.objects.filter(round=round_).only(
        "change_id", "level_id", "planned_level_id", "planned_by"
    ):
        row.level = levels[row.level_id]
        row.planned_level = levels.get(row.planned_level_id)
        consensus[row.change_id] = row
    return consensus


def _plan_investments(round_: Round, changes: dict[int, Change]) -> list[dict]:
    """The round's investments as the plan's table shows them, with the ids of the changes
    each serves (for the totals), named from `changes` (the framework's, by id: an investment
    serves changes of its round's framework). One query: a row per investment and change."""
    investments: dict[int, dict] = {}
    address = _addresses("investment_edit", round_.public_id)
    rows = (
        Investment.objects.filter(round=round_)
        .order_by("financial_year", "scheme_name", "pk")
        .values_list(
            "pk",
            "public_id",
            "scheme_name",
            "funding_source",
            "financial_year",
            "amount",
            "changes",
        )
    )
    for pk, public_id, scheme, source, year, amount, change_id in rows:
        investment = investments.get(pk)
        if investment is None:
            investment = investments[pk] = {
                "public_id": public_id,
                "url": address(public_id),
                "scheme": scheme,
                "source": Investment.Source(source).label,
                "year": year,
                "amount": amount,
                "change_ids": [],
            }
        if change_id is not None:
            investment["change_ids"].append(change_id)
    for investment in investments.values():
        served = sorted(
            (changes[pk] for pk in investment["change_ids"] if pk in changes),
            key=attrgetter("position"),
        )
        investment["changes"] = ", ".join(change.code for change in served)
    return list(investments.values())


def _change_names(change_ids: set[int]) -> dict[int, str]:
    """Each change's name as a row shows it, "4. Home first", by id (changes of an earlier
    plan's framework, which has no cached content here)."""
    changes = Change.objects.filter(pk__in=change_ids).values_list("pk", "code", "title")
    return {pk: f"{code}. {title}" for pk, code, title in changes}


def plan_rows(round_: Round) -> dict:
    """Per change: agreed and planned level, gap, actions, investment and, beside a gap,
    practice from elsewhere; and the totals. The changes and levels come from the framework's
    content. Six queries, each of only the columns shown: one fewer when the round started
    from none or no change has a gap, one more when actions are carried from a plan whose
    change has no match in this one."""
    today = timezone.localdate()
    content = content_of(round_.framework)
    consensus = _plan_consensus(round_, {level.pk: level for level in content.levels})
    rows = {
        change.pk: _plan_row(change, consensus.get(change.pk)) for change in content.live_changes
    }
    # Actions carried from a plan on an earlier edition of the framework sit beside the change
    # their change maps to. Always asked, so the page's query count does not hang on its data.
    crosswalk = crosswalk_pairs()
    forward = {from_id: to_id for from_id, to_id in crosswalk if to_id in rows}
    unmapped = []
    address = _addresses("action_detail")
    for action in _plan_actions(round_):
        row = rows.get(action.change_id) or rows.get(forward.get(action.change_id))
        shown = _plan_action(action, today, address)
        if row is None:
            unmapped.append(shown)
            continue
        shown.carried = action.change_id != row.change.pk
        row.actions.append(shown)
    if unmapped:
        names = _change_names({action.change_id for action in unmapped})
        for action in unmapped:
            action.change = names[action.change_id]
    investments = _plan_investments(round_, {change.pk: change for change in content.changes})
    totals = investment_totals(
        (investment["amount"], investment["source"], investment["year"], investment["change_ids"])
        for investment in investments
    )
    for change_id, amount in totals["by_change"].items():
        if change_id in rows:
            rows[change_id].invested = amount
    gaps = [change_id for change_id, row in rows.items() if row.gap > 0]
    if gaps:
        for change_id, studies in practice_for_changes(gaps, crosswalk=crosswalk).items():
            rows[change_id].practice = studies
    return {
        "rows": list(rows.values()),
        "unmapped_actions": unmapped,
        "investments": investments,
        "totals": totals,
        "today": today,
    }


def investment_totals(investments: Iterable[tuple[Decimal, str, str, list[int]]]) -> dict:
    """Totals of (amount, source, year, change ids) per source and per year, and per change.
    An investment serving several changes counts in full against each of them, and once in the
    overall total."""
    by_source: dict[str, Decimal] = defaultdict(Decimal)
    by_year: dict[str, Decimal] = defaultdict(Decimal)
    by_change: dict[int, Decimal] = defaultdict(Decimal)
    total = Decimal("0")
    for amount, source, year, change_ids in investments:
        total += amount
        by_source[source] += amount
        by_year[year] += amount
        for change_id in change_ids:
            by_change[change_id] += amount
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
    """Actions the person owns, or that a partner of theirs leads or contributes to. Each
    carries `is_my_lead` (a partner of theirs leads it) and `my_contributing` (their partners
    among its contributing partners), so the page can say what part they play; two queries."""
    partner_ids = [p for ids in roles_of(user).partner_ids_by_system.values() for p in ids]
    contributed = Action.contributing_partners.through.objects.filter(
        partner__in=partner_ids
    ).values("action")
    return (
        Action.objects.filter(
            Q(owner=user) | Q(lead_partner__in=partner_ids) | Q(pk__in=contributed)
        )
        .annotate(
            is_my_lead=Case(
                When(lead_partner__in=partner_ids, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .select_related("system", "change", "lead_partner", "owner", "target_level")
        .prefetch_related(
            Prefetch(
                "contributing_partners",
                queryset=Partner.objects.filter(pk__in=partner_ids).order_by("name"),
                to_attr="my_contributing",
            )
        )
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
