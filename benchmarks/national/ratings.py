"""What happens in a round: returns, ratings, consensus, comments, approvals and dissent."""

from datetime import timedelta

from assessments.models import (
    AuditEvent,
    Comment,
    Consensus,
    Decision,
    Dissent,
    Partner,
    PartnerReturn,
    Rating,
    Round,
)
from benchmarks.national.context import Context, clamp
from benchmarks.national.shape import DOMAIN
from benchmarks.national.words import (
    CHALLENGES,
    COMMENTS,
    LEVEL_SENTENCES,
    MILESTONES,
    SUPPORT_NEEDS,
)


def rated_partners(context: Context, round_: Round, partners: list[Partner]) -> dict[int, int]:
    """How many changes each partner has rated: all of them, once a round is past rating; in
    rating, a third submitted, a third part of the way, a third not started."""
    total = len(context.changes[round_.framework.key])
    if round_.status == Round.Status.DRAFT:
        return {}
    if round_.status == Round.Status.RATING:
        third = max(1, len(partners) // 3)
        rated = {}
        for index, partner in enumerate(partners):
            if index < third:
                rated[partner.pk] = total
            elif index < 2 * third:
                rated[partner.pk] = context.rng.randint(1, total - 1)
            else:
                rated[partner.pk] = 0
        return rated
    if round_.status == Round.Status.REVIEW and len(partners) > 3:
        # One partner had not submitted by the reveal: its column shows the return missing.
        return {p.pk: total for p in partners[:-1]}
    return {p.pk: total for p in partners}


def returns_for(context, round_, partners, rated, members_by_partner) -> list[PartnerReturn]:
    total = len(context.changes[round_.framework.key])
    result = []
    for index, partner in enumerate(partners):
        submitted = rated.get(partner.pk) == total and round_.opened_at is not None
        missing = round_.revealed_at is not None and not submitted
        result.append(
            PartnerReturn(
                public_id=context.uuid(),
                round=round_,
                partner=partner,
                submitted_at=(
                    round_.opened_at + timedelta(days=5 + index % 20) if submitted else None
                ),
                submitted_by=members_by_partner[partner.pk][0] if submitted else None,
                missing_at_reveal=missing,
            )
        )
    return result


def rating_for(context, round_, partner, change, level, rater, number) -> Rating:
    rng = context.rng
    evidence = []
    if level.needs_evidence:
        evidence = [
            {
                "title": rng.choice(["Discharge audit", "Flow dashboard", "Evaluation report"]),
                "url": f"https://evidence.{DOMAIN}/{partner.public_id.hex[:8]}/{change.code}",
            }
        ]
    return Rating(
        round=round_,
        partner=partner,
        change=change,
        level=level,
        rationale=context.rationale(number),
        evidence=evidence,
        confidence=rng.choice(["low", "medium", "medium", "high"]),
        version=rng.randint(1, 4),
        updated_by=rater,
        updated_at=(round_.opened_at or context.now) + timedelta(days=rng.randint(1, 20)),
    )


def consensus_for(context, round_, changes, levels, by_change, people) -> list[Consensus]:
    """Agreed rounds: every change approved. Approval: every change proposed. Review: about a
    third proposed so far."""
    rng = context.rng
    if round_.status in (Round.Status.DRAFT, Round.Status.RATING):
        return []
    result = []
    for index, change in enumerate(changes):
        if round_.status == Round.Status.REVIEW and index % 3:
            continue
        numbers = sorted(by_change.get(change.pk, [3]))
        agreed = numbers[(len(numbers) - 1) // 2]
        planned = min(5, agreed + rng.choice([0, 1, 1, 2]))
        proposed_at = (round_.revealed_at or context.now) + timedelta(days=10)
        is_agreed = round_.status == Round.Status.AGREED
        result.append(
            Consensus(
                round=round_,
                change=change,
                level=levels[agreed],
                rationale="Agreed at the partners' workshop after discussing every rating. "
                + context.rationale(agreed),
                planned_level=levels[planned] if planned > agreed else None,
                planned_by=round_.closes_on + timedelta(days=365) if planned > agreed else None,
                challenges=rng.choice(CHALLENGES),
                milestones=rng.choice(MILESTONES),
                support_needs=rng.choice(SUPPORT_NEEDS),
                state=Consensus.State.APPROVED if is_agreed else Consensus.State.PROPOSED,
                version=1,
                proposed_by=people.facilitator,
                proposed_at=proposed_at,
                approved_at=round_.agreed_at if is_agreed else None,
            )
        )
    return result


def comments_for(context, round_, changes, people) -> list[Comment]:
    rng = context.rng
    authors = [people.facilitator, *(users[0] for users in people.members_by_partner.values())]
    return [
        Comment(
            public_id=context.uuid(),
            round=round_,
            change=change,
            author=rng.choice(authors),
            text=rng.choice(COMMENTS),
            created_at=round_.revealed_at + timedelta(hours=3 * n + 1),
        )
        for change in changes
        for n in range(rng.randint(0, 3))
    ]


def audit_for(round_: Round) -> list[AuditEvent]:
    steps = [
        ("Created the round", round_.created_at),
        ("Opened the round for rating", round_.opened_at),
        ("Revealed the ratings", round_.revealed_at),
        ("Submitted for approval", round_.submitted_for_approval_at),
        ("Round agreed", round_.agreed_at),
    ]
    return [
        AuditEvent(round=round_, actor=round_.created_by, action=action, at=at)
        for action, at in steps
        if at is not None
    ]


def decisions_and_dissents(context, rounds, consensus_by_round, partners, people) -> None:
    """A quorum of approvals on every agreed change; the first steering member's approvals in
    the approval round; now and then a partner's dissent."""
    rng = context.rng
    decisions, dissents = [], []
    for round_ in rounds:
        for consensus in consensus_by_round[round_.pk]:
            if round_.status == Round.Status.AGREED:
                deciders = people.steering[: round_.quorum]
            elif round_.status == Round.Status.APPROVAL and rng.random() < 0.5:
                deciders = people.steering[:1]
            else:
                deciders = []
            decisions.extend(
                Decision(
                    consensus=consensus,
                    proposal_version=1,
                    decided_by=user,
                    kind=Decision.Kind.APPROVE,
                    decided_at=consensus.proposed_at + timedelta(days=3),
                )
                for user in deciders
            )
            if rng.random() < 0.15:
                dissents.append(
                    Dissent(
                        consensus=consensus,
                        partner=rng.choice(partners),
                        note="We think the level is one higher for our services: "
                        + rng.choice(LEVEL_SENTENCES[clamp(consensus.level.number + 1)]),
                    )
                )
    context.bulk(Decision, decisions)
    context.bulk(Dissent, dissents)
