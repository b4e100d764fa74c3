"""Improvement plans: actions for each agreed round's gaps, their progress and investments."""

from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

from benchmarks.national.context import Context
from benchmarks.national.words import (
    ACTION_TITLES,
    BLOCKED_NOTES,
    CANCELLED_NOTES,
    DONE_NOTES,
    MILESTONES,
    SCHEMES,
    UPDATE_NOTES,
)
from improvement_plans.models import (
    Action,
    FundingLine,
    Investment,
    InvestmentChange,
    ProgressUpdate,
    Rag,
)


def plans_for(context, system, agreed, consensus_by_round, partners, people, actions_per_plan):
    """Actions for the gaps each agreed round left, their progress and the investments behind
    them. Open actions of earlier plans are linked into every later plan (carried over)."""
    rng = context.rng
    today = context.today
    actions: list[Action] = []
    plan_of: list[int] = []
    for order, (round_, count) in enumerate(zip(agreed, actions_per_plan, strict=True)):
        latest = order == len(agreed) - 1
        gaps = [c for c in consensus_by_round[round_.pk] if c.planned_level_id] or list(
            consensus_by_round[round_.pk]
        )
        start_base = round_.agreed_at.date()
        for _ in range(count):
            consensus = rng.choice(gaps)
            change = consensus.change
            lead = rng.choice(partners)
            start = start_base + timedelta(days=rng.randint(7, 90))
            due = start + timedelta(days=rng.randint(60, 360))
            if latest:
                status = rng.choice(
                    [
                        Action.Status.NOT_STARTED,
                        Action.Status.IN_PROGRESS,
                        Action.Status.IN_PROGRESS,
                        Action.Status.DONE,
                        Action.Status.BLOCKED,
                        Action.Status.CANCELLED,
                    ]
                )
            else:
                status = rng.choices(
                    [Action.Status.DONE, Action.Status.CANCELLED, Action.Status.IN_PROGRESS],
                    weights=[8, 1, 1],
                )[0]
            override = Rag.AMBER if rng.random() < 0.05 and status in Action.OPEN_STATUSES else ""
            actions.append(
                Action(
                    public_id=context.uuid(),
                    system=system,
                    change=change,
                    target_level=consensus.planned_level,
                    title=rng.choice(ACTION_TITLES.get(change.code, ACTION_TITLES["1"])),
                    description="Agreed at the partners' improvement planning workshop. "
                    + rng.choice(MILESTONES),
                    lead_partner=lead,
                    owner=people.members_by_partner[lead.pk][0],
                    start_date=start,
                    due_date=due,
                    status=status,
                    rag_override=override,
                    rag_override_reason="Funding decision pending." if override else "",
                    created_by=people.facilitator,
                    created_at=context.at(start_base),
                    updated_at=context.at(min(today, due)),
                )
            )
            plan_of.append(order)
    context.bulk(Action, actions)

    links, contributors, updates = [], [], []
    for action, order in zip(actions, plan_of, strict=True):
        carried = action.status in Action.OPEN_STATUSES
        for later in agreed[order : len(agreed) if carried else order + 1]:
            links.append(Action.rounds.through(action_id=action.pk, round_id=later.pk))
        for partner in rng.sample(partners, min(len(partners) - 1, rng.randint(0, 3))):
            if partner.pk != action.lead_partner_id:
                contributors.append(
                    Action.contributing_partners.through(action_id=action.pk, partner_id=partner.pk)
                )
        updates.extend(_updates(context, action))
    context.bulk(Action.rounds.through, links)
    context.bulk(Action.contributing_partners.through, contributors)
    context.bulk(ProgressUpdate, updates)

    # Schemes of the 2020 plans: a funding line each, a second from another source for about
    # one in three; those serving several changes are allocated across them about half the time.
    investments, amounts, lines, investment_changes, action_investments = [], [], [], [], []
    for round_ in agreed:
        if round_.framework.key != "mtoc-2020":
            continue
        year = int(round_.name[:4]) + 1
        for scheme, source in rng.sample(SCHEMES, rng.randint(3, 6)):
            investments.append(
                Investment(
                    public_id=context.uuid(),
                    round=round_,
                    scheme_name=scheme,
                    financial_year=f"{year}/{(year + 1) % 100:02d}",
                    created_by=people.facilitator,
                    created_at=round_.agreed_at,
                )
            )
            amount = Decimal(rng.randint(10, 400) * 1000) + Decimal("0.00")
            scheme_lines = [(source, amount)]
            if rng.random() < 0.3:
                other = rng.choice([s for s in Investment.Source.values if s != source])
                scheme_lines.append((other, Decimal(rng.randint(5, 100) * 1000) + Decimal("0.00")))
            amounts.append(scheme_lines)
    context.bulk(Investment, investments)
    for investment, scheme_lines in zip(investments, amounts, strict=True):
        lines.extend(
            FundingLine(investment_id=investment.pk, source=source, amount=amount)
            for source, amount in scheme_lines
        )
    context.bulk(FundingLine, lines)
    by_round = {}
    for action, order in zip(actions, plan_of, strict=True):
        by_round.setdefault(agreed[order].pk, []).append(action)
    for investment, scheme_lines in zip(investments, amounts, strict=True):
        changes = rng.sample(context.changes["mtoc-2020"], rng.randint(1, 3))
        total = sum((amount for _source, amount in scheme_lines), Decimal("0"))
        allocation = [None] * len(changes)
        if len(changes) > 1 and rng.random() < 0.5:
            share = (total / len(changes)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
            allocation = [total - share * (len(changes) - 1)] + [share] * (len(changes) - 1)
        investment_changes.extend(
            InvestmentChange(investment_id=investment.pk, change_id=change.pk, amount=allocated)
            for change, allocated in zip(changes, allocation, strict=True)
        )
        for action in by_round.get(investment.round_id, []):
            if rng.random() < 0.3:
                action_investments.append(
                    Action.investments.through(action_id=action.pk, investment_id=investment.pk)
                )
    context.bulk(InvestmentChange, investment_changes)
    context.bulk(Action.investments.through, action_investments)


def _updates(context: Context, action: Action) -> list[ProgressUpdate]:
    rng = context.rng
    today = context.today
    if action.status == Action.Status.NOT_STARTED:
        return []
    last = min(today, action.due_date)
    span = max(1, (last - action.start_date).days)
    result = []
    for n in range(rng.randint(1, 4)):
        on = action.start_date + timedelta(days=min(span, 14 + n * span // 4))
        result.append(
            ProgressUpdate(
                action=action,
                author=action.owner,
                on=on,
                note=rng.choice(UPDATE_NOTES),
                created_at=context.at(on, 9 + n),
            )
        )
    final = {
        Action.Status.DONE: DONE_NOTES,
        Action.Status.BLOCKED: BLOCKED_NOTES,
        Action.Status.CANCELLED: CANCELLED_NOTES,
    }.get(action.status)
    if final:
        result.append(
            ProgressUpdate(
                action=action,
                author=action.owner,
                on=last,
                note=rng.choice(final),
                new_status=action.status,
                created_at=context.at(last, 16),
            )
        )
    return result
