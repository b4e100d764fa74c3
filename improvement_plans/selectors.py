"""Reads for plan pages, each a fixed number of queries whatever the plan's size."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from assessments.models import Change, Consensus, Crosswalk, Round
from assessments.rules import roles_of
from improvement_plans.models import Action, Investment, ProgressUpdate

MAX_CHAIN = 50  # rounds followed back through previous_round


def round_chain(round_: Round) -> list[int]:
    """This round and the agreed rounds it started from, newest first."""
    chain = [round_.pk]
    previous = dict(
        Round.objects.filter(system=round_.system_id).values_list("pk", "previous_round_id")
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


@dataclass
class PlanRow:
    change: Change
    consensus: Consensus | None
    actions: list[Action] = field(default_factory=list)
    invested: Decimal = Decimal("0")

    @property
    def gap(self) -> int:
        c = self.consensus
        if c is None or c.planned_level is None:
            return 0
        return max(0, c.planned_level.number - c.level.number)

    @property
    def needs_action(self) -> bool:
        """A gap with no action working on it (done or cancelled ones do not count)."""
        return self.gap > 0 and not any(a.is_open for a in self.actions)


def plan_rows(round_: Round) -> dict:
    """Per change: agreed and planned level, gap, actions, investment; and the totals."""
    consensus = {
        c.change_id: c
        for c in Consensus.objects.filter(round=round_).select_related("level", "planned_level")
    }
    actions = list(plan_actions(round_))
    investments = list(
        Investment.objects.filter(round=round_)
        .prefetch_related("changes")
        .order_by("financial_year", "scheme_name")
    )
    rows = {
        change.pk: PlanRow(change, consensus.get(change.pk))
        for change in Change.objects.filter(framework=round_.framework, archived=False)
    }
    # Actions carried from a plan on an earlier edition of the framework sit beside the change
    # their change maps to.
    forward = dict(
        Crosswalk.objects.filter(to_change__framework=round_.framework_id).values_list(
            "from_change_id", "to_change_id"
        )
    )
    carried_changes = {}
    for action in actions:
        row = rows.get(action.change_id) or rows.get(forward.get(action.change_id))
        if row is None:
            carried_changes[action.pk] = action
            continue
        row.actions.append(action)
    totals = investment_totals(investments)
    for change_id, amount in totals["by_change"].items():
        if change_id in rows:
            rows[change_id].invested = amount
    return {
        "rows": list(rows.values()),
        "unmapped_actions": list(carried_changes.values()),
        "investments": investments,
        "totals": totals,
        "today": timezone.localdate(),
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


def action_for_user(user, public_id) -> Action:
    action = get_object_or_404(
        Action.objects.select_related(
            "system", "change__framework", "lead_partner", "owner", "target_level", "template"
        ).prefetch_related("contributing_partners", "investments", "rounds"),
        public_id=public_id,
    )
    if not user.has_perm("improvement_plans.view_action", action):
        raise Http404("No such action")
    return action


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


def finished_actions_for(round_: Round, change: Change) -> list[Action]:
    """Actions of the plans this round started from that finished for this change (or the
    change it maps from), so raters are asked whether the level has moved."""
    earlier = round_chain(round_)[1:]
    if not earlier:
        return []
    change_ids = [
        change.pk,
        *Crosswalk.objects.filter(to_change=change).values_list("from_change_id", flat=True),
    ]
    # Scoped to the system first: by change alone the index would walk every system's actions.
    return list(
        Action.objects.filter(
            system=round_.system_id,
            rounds__in=earlier,
            change__in=change_ids,
            status=Action.Status.DONE,
        )
        .distinct()
        .select_related("lead_partner")
    )
