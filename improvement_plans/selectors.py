"""Reads for plan pages, each a fixed number of queries whatever the plan's size."""

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BooleanField, Case, F, Prefetch, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone

from assessments.framework_content import content_for_round
from assessments.models import Change, Consensus, Crosswalk, Partner, Round
from assessments.rules import roles_of
from casestudies.selectors import crosswalk_pairs, practice_for_changes
from hicm_portal.money import pounds
from hicm_portal.words import govuk_date
from improvement_plans.measure_selectors import ChangeMeasures, plan_measures
from improvement_plans.models import Action, Investment, ProgressUpdate, Rag, open_on

MAX_CHAIN = 50  # rounds followed back through previous_round


def round_chain(round_: Round, previous: dict[int, int | None] | None = None) -> list[int]:
    """This round and the agreed rounds it started from, newest first. `previous`: each round
    of the system's previous round, by id, when the caller has read them."""
    chain = [round_.pk]
    if round_.previous_round_id is None:
        return chain
    if previous is None:
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


def _in_plan(round_: Round, chain: list[int] | None = None) -> Q:
    """Which actions a round's plan holds: those added to it, and the open actions of the
    plans it started from (the same rows, linked, never copied). `chain`: the round's
    `round_chain` when the caller has read it."""
    earlier = (chain or round_chain(round_))[1:]
    # Asked of the links between actions and plans, as a subquery of ids: joined to the
    # actions, an action linked to several plans would come once per link (and DISTINCT over
    # the joined rows costs PostgreSQL more to plan than the query to run).
    links = Action.rounds.through.objects.filter(
        Q(round=round_.pk) | Q(round__in=earlier, action__status__in=Action.OPEN_STATUSES)
    )
    return Q(pk__in=links.values("action_id"))


def plan_actions(round_: Round, chain: list[int] | None = None) -> QuerySet[Action]:
    """The actions of a round's plan (`_in_plan`), with their change, partner, owner and level.
    `chain`: the round's `round_chain` when the caller has read it."""
    return Action.objects.filter(_in_plan(round_, chain)).select_related(
        "change", "lead_partner", "owner", "target_level"
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


def _plan_actions(round_: Round, chain: list[int] | None = None) -> QuerySet[Action]:
    """The plan's actions (`_in_plan`) with only what their rows show: no related object is
    built, the names of the lead partner and owner come as annotations."""
    return (
        Action.objects.filter(_in_plan(round_, chain))
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
    heading: str = ""  # "4. Home first", or "Enabler A: Leadership"
    gap: int = 0  # levels from the agreed to the planned level (`Consensus.gap`)
    agreed: str = "–"  # "3 Established"
    planned: str = "–"  # "4 Mature by 1 March 2027"
    actions: list[PlanAction] = field(default_factory=list)
    invested: Decimal = Decimal("0")  # allocated to this change (`investment_totals`)
    shared: Decimal = Decimal("0")  # schemes it shares, unallocated, with other changes
    practice: list[dict] = field(default_factory=list)  # beside a gap: slug, url, title, place
    measures: ChangeMeasures | None = None  # the system's local measures of the change

    @property
    def gap_text(self) -> str:
        """The gap as the card shows it: "1 level", "2 levels", or "None"."""
        return f"{self.gap} level{'s' if self.gap > 1 else ''}" if self.gap else "None"

    @property
    def needs_action(self) -> bool:
        """A gap with no action working on it (done or cancelled ones do not count)."""
        return self.gap > 0 and not any(a.is_open for a in self.actions)


def _plan_row(change: Change, consensus: Consensus | None) -> PlanRow:
    heading = change.heading
    if consensus is None:
        return PlanRow(change, heading)
    planned = "–"
    if consensus.planned_level is not None:
        by = consensus.planned_by
        planned = f"{consensus.planned_level}" + (f" by {govuk_date(by)}" if by else "")
    return PlanRow(change, heading, gap=consensus.gap, agreed=str(consensus.level), planned=planned)


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


def investments_in_plan(round_: Round, chain: list[int] | None = None) -> QuerySet[Investment]:
    """The schemes of a round's plan: those added to it, and the schemes of the plans it
    started from that are still open on the day it opens (`InvestmentQuerySet.open_on`): the
    same rows, never copied, so a return counts each scheme once. `chain`: the round's
    `round_chain` when the caller has read it."""
    chain = chain or round_chain(round_)  # the round first, then the plans it started from
    # The chain's rounds first, then which of their schemes: the database reads the schemes
    # of those rounds alone (a subquery of ids in an OR would read every scheme).
    return Investment.objects.filter(round__in=chain).filter(
        Q(round=round_) | open_on(round_.opens_on)
    )


def plan_investments(
    round_: Round,
    *,
    crosswalk: Iterable[tuple[int, int]] | None = None,
    chain: list[int] | None = None,
) -> list[dict]:
    """The schemes of a round's plan (`investments_in_plan`), in year and name order, each as
    a dict: scheme, year, ongoing, whether carried from an earlier plan, its funding lines
    (source label, amount), total, and the changes it serves as (change id, code, allocated
    amount or None) in framework order. A scheme carried from a plan on an earlier edition of
    the framework serves the changes its changes map to (`crosswalk`, read when needed and not
    given). One query (a row per change served and funding line), and one for the round's
    `chain` unless given."""
    address = _addresses("investment_edit", round_.public_id)
    investments: dict[int, dict] = {}
    other_editions = False
    rows = (
        investments_in_plan(round_, chain)
        .order_by(
            "financial_year",
            "scheme_name",
            "pk",
            "investmentchange__change__position",
            "funding_lines__pk",
        )
        .values_list(
            "pk",
            "public_id",
            "scheme_name",
            "financial_year",
            "ongoing",
            "round_id",
            "round__name",
            "investmentchange__change_id",
            "investmentchange__change__code",
            "investmentchange__change__framework_id",
            "investmentchange__amount",
            "funding_lines__pk",
            "funding_lines__source",
            "funding_lines__amount",
        )
    )
    # Each row is one (change served, funding line) pair of a scheme: each is taken once.
    seen_links, seen_lines = set(), set()
    for row in rows:
        pk, public_id, scheme, year, ongoing, origin, origin_name = row[:7]
        change_id, code, framework, amount, line_id, source, line_amount = row[7:]
        investment = investments.get(pk)
        if investment is None:
            investment = investments[pk] = {
                "public_id": public_id,
                "url": address(public_id),
                "scheme": scheme,
                "year": year,
                "ongoing": ongoing,
                "carried_from": origin_name if origin != round_.pk else "",
                "lines": [],
                "total": Decimal("0"),
                "links": [],
            }
        if change_id is not None and (pk, change_id) not in seen_links:
            seen_links.add((pk, change_id))
            investment["links"].append([change_id, code, amount])
            other_editions = other_editions or framework != round_.framework_id
        if line_id is not None and line_id not in seen_lines:
            seen_lines.add(line_id)
            investment["lines"].append((Investment.Source(source).label, line_amount))
            investment["total"] += line_amount
    if other_editions:
        to_codes = dict(
            Change.objects.filter(framework=round_.framework_id).values_list("pk", "code")
        )
        forward = {
            from_id: to_id
            for from_id, to_id in (crosswalk_pairs() if crosswalk is None else crosswalk)
            if to_id in to_codes
        }
        for investment in investments.values():
            for link in investment["links"]:
                if link[0] in forward:
                    link[0] = forward[link[0]]
                    link[1] = to_codes[link[0]]
    for investment in investments.values():
        investment["changes"] = investment_changes_text(investment)
    return list(investments.values())


def investment_changes_text(investment: dict) -> str:
    """The changes a scheme serves in words: "1 (£600.00), 4 (£400.00)" when allocated,
    "1, 4 (shared)" when several share it unallocated, "3" for one."""
    links = investment["links"]
    if investment_shared(investment):
        return ", ".join(code for _id, code, _amount in links) + " (shared)"
    if len(links) > 1:
        return ", ".join(f"{code} ({pounds(amount)})" for _id, code, amount in links)
    return ", ".join(code for _id, code, _amount in links)


def investment_totals(investments: Iterable[dict]) -> dict:
    """Totals of schemes (`plan_investments`' dicts): overall, per funding source and per year,
    each scheme once; and per change, never counting a scheme twice:

    - `by_change`: the money allocated to each change. A scheme allocated across its changes
      counts each allocation against its change; a scheme serving one change counts in full
      against it.
    - `shared`: the schemes serving several changes without an allocation, each once, and
      `shared_by_change`: per change, the total of those schemes it shares (shown beside the
      change as shared, never added to its allocated figure).

    So the allocated figures of all changes plus `shared` make `total`, exactly."""
    by_source: dict[str, Decimal] = defaultdict(Decimal)
    by_year: dict[str, Decimal] = defaultdict(Decimal)
    by_change: dict[int, Decimal] = defaultdict(Decimal)
    shared_by_change: dict[int, Decimal] = defaultdict(Decimal)
    total = shared = Decimal("0")
    for investment in investments:
        total += investment["total"]
        by_year[investment["year"]] += investment["total"]
        for source, amount in investment["lines"]:
            by_source[source] += amount
        links = investment["links"]
        if links and all(amount is not None for _id, _code, amount in links):
            for change_id, _code, amount in links:
                by_change[change_id] += amount
        elif len(links) == 1:
            by_change[links[0][0]] += investment["total"]
        else:
            shared += investment["total"]
            for change_id, _code, _amount in links:
                shared_by_change[change_id] += investment["total"]
    return {
        "total": total,
        "by_source": sorted(by_source.items()),
        "by_year": sorted(by_year.items()),
        "by_change": dict(by_change),
        "shared": shared,
        "shared_by_change": dict(shared_by_change),
    }


def investment_shared(investment: dict) -> bool:
    """A scheme serving several changes without an allocation (`investment_totals`)."""
    links = investment["links"]
    return len(links) > 1 and any(amount is None for _id, _code, amount in links)


def _change_names(change_ids: set[int]) -> dict[int, str]:
    """Each change's name as a row shows it, "4. Home first", by id (changes of an earlier
    plan's framework, which has no cached content here)."""
    changes = Change.objects.filter(pk__in=change_ids).values_list("pk", "code", "title")
    return {pk: f"{code}. {title}" for pk, code, title in changes}


def plan_rows(round_: Round) -> dict:
    """Per change: agreed and planned level, gap, actions, investment, local measures and,
    beside a gap, practice from elsewhere; and the totals. The changes and levels come from the
    framework's content. Seven queries, each of only the columns shown: one fewer when the
    round started from none or no change has a gap, one more when actions are carried from a
    plan whose change has no match in this one."""
    today = timezone.localdate()
    content = content_for_round(round_)
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
    chain = round_chain(round_)
    for action in _plan_actions(round_, chain):
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
    investments = plan_investments(round_, crosswalk=crosswalk, chain=chain)
    totals = investment_totals(investments)
    for change_id, amount in totals["by_change"].items():
        if change_id in rows:
            rows[change_id].invested = amount
    for change_id, amount in totals["shared_by_change"].items():
        if change_id in rows:
            rows[change_id].shared = amount
    gaps = [change_id for change_id, row in rows.items() if row.gap > 0]
    if gaps:
        for change_id, studies in practice_for_changes(gaps, crosswalk=crosswalk).items():
            for study in studies:
                study["url"] = reverse("case_study_detail", args=[study["slug"]])
            rows[change_id].practice = studies
    for change_id, card in plan_measures(round_, content.live_changes).items():
        rows[change_id].measures = card
    return {
        "rows": list(rows.values()),
        "unmapped_actions": unmapped,
        "investments": investments,
        "totals": totals,
        "today": today,
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
    in_earlier_plans = Action.rounds.through.objects.filter(round__in=earlier).values("action_id")
    # Scoped to the system first: by change alone the index would walk every system's actions.
    # The plans as a subquery of ids, as `_in_plan` asks them: no join to make DISTINCT.
    return [
        {"pk": pk, "title": title, "lead": lead}
        for pk, title, lead in Action.objects.filter(
            Q(change=change) | Q(change__in=mapped_from),
            system=round_.system_id,
            pk__in=in_earlier_plans,
            status=Action.Status.DONE,
        ).values_list("pk", "title", "lead_partner__name")
    ]
