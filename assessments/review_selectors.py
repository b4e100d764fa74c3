"""Reads for review, approval and agreed rounds, shaped for their pages.

Each function runs a fixed number of queries whatever the number of partners, changes or
rounds: ratings, consensus and decisions are fetched once per round and grouped in Python.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.http import Http404

from assessments.models import (
    AuditEvent,
    Change,
    Comment,
    Consensus,
    Crosswalk,
    Decision,
    Dissent,
    Level,
    PartnerReturn,
    Rating,
    Round,
)
from assessments.rules import roles_of
from assessments.statistics import AGENDA_ORDER, ChangeStatistics, change_statistics
from assessments.statistics import summary_sentence as sentence_for


@dataclass
class Cell:
    partner_return: PartnerReturn
    rating: Rating | None
    own: bool


@dataclass
class ReviewRow:
    change: Change
    cells: list[Cell]
    stats: ChangeStatistics
    summary: str
    consensus: Consensus | None = None
    suggested_level: Level | None = None
    approvals: int = 0
    my_decision: Decision | None = None
    dissents: list[Dissent] = field(default_factory=list)


def _revealed_ratings(round_: Round, returns: list[PartnerReturn], change=None) -> list[Rating]:
    """The ratings the review shows: a partner that had not submitted by the reveal has given
    no voice, so its drafts are left out (its column says the return is missing)."""
    voiced = [r.partner_id for r in returns if not r.missing_at_reveal]
    ratings = Rating.objects.filter(round=round_, partner__in=voiced, level__isnull=False)
    if change is not None:
        ratings = ratings.filter(change=change)
    return list(ratings.select_related("level"))


def _levels(round_: Round) -> tuple[dict[int, Level], dict[int, str]]:
    levels = {level.number: level for level in round_.framework.levels.all()}
    return levels, {number: level.name for number, level in levels.items()}


def review_rows(round_: Round, own: frozenset[int], *, partner_type: str = "") -> dict:
    """The review table: changes × partners, statistics per change, split changes first.
    `own`: the viewer's partners, whose cells are outlined."""
    returns = list(
        PartnerReturn.objects.filter(round=round_)
        .select_related("partner")
        .order_by("partner__name")
    )
    shown = [r for r in returns if not partner_type or r.partner.partner_type == partner_type]
    ratings: dict[tuple[int, int], Rating] = {
        (r.change_id, r.partner_id): r for r in _revealed_ratings(round_, returns)
    }
    consensus = {
        c.change_id: c
        for c in Consensus.objects.filter(round=round_).select_related("level", "planned_level")
    }
    levels, names = _levels(round_)
    rows = []
    for change in Change.objects.filter(framework=round_.framework, archived=False):
        # Statistics count every partner taking part; the filter only narrows the columns.
        numbers = [
            ratings[(change.pk, r.partner_id)].level.number
            if (change.pk, r.partner_id) in ratings
            else None
            for r in returns
        ]
        stats = change_statistics(numbers, len(returns))
        rows.append(
            ReviewRow(
                change=change,
                cells=[
                    Cell(r, ratings.get((change.pk, r.partner_id)), r.partner_id in own)
                    for r in shown
                ],
                stats=stats,
                summary=sentence_for(stats, names),
                consensus=consensus.get(change.pk),
                suggested_level=levels.get(stats.suggested) if stats.suggested else None,
            )
        )
    rows.sort(key=lambda row: (AGENDA_ORDER[row.stats.agreement], row.change.position))
    return {"rows": rows, "returns": shown, "all_returns": returns}


def review_change(round_: Round, code: str, viewer) -> dict:
    """One change in full: every partner's rating, the statistics, the discussion, and the
    proposal with its dissent."""
    change = (
        Change.objects.filter(framework=round_.framework, code=code, archived=False)
        .prefetch_related("descriptors")
        .first()
    )
    if change is None:
        raise Http404("No such change in this round")
    returns = list(
        PartnerReturn.objects.filter(round=round_)
        .select_related("partner")
        .order_by("partner__name")
    )
    ratings = {r.partner_id: r for r in _revealed_ratings(round_, returns, change=change)}
    own = roles_of(viewer).partner_ids_by_system.get(round_.system_id, frozenset())
    levels, names = _levels(round_)
    numbers = [
        ratings[r.partner_id].level.number
        if r.partner_id in ratings and ratings[r.partner_id].level_id
        else None
        for r in returns
    ]
    stats = change_statistics(numbers, len(returns))
    consensus = (
        Consensus.objects.filter(round=round_, change=change)
        .select_related("level", "planned_level", "proposed_by")
        .prefetch_related(Prefetch("dissents", queryset=Dissent.objects.select_related("partner")))
        .first()
    )
    comments = list(Comment.objects.filter(round=round_, change=change).select_related("author"))
    sequence = list(
        Change.objects.filter(framework=round_.framework, archived=False).values_list(
            "code", flat=True
        )
    )
    index = sequence.index(change.code)
    return {
        "change": change,
        "cells": [Cell(r, ratings.get(r.partner_id), r.partner_id in own) for r in returns],
        "returns": returns,
        "stats": stats,
        "summary": sentence_for(stats, names),
        "levels": list(levels.values()),
        "suggested_level": levels.get(stats.suggested) if stats.suggested else None,
        "consensus": consensus,
        "comments": comments,
        "previous_code": sequence[index - 1] if index > 0 else None,
        "next_code": sequence[index + 1] if index + 1 < len(sequence) else None,
        "position": index + 1,
        "total": len(sequence),
    }


def approval_rows(round_: Round, viewer) -> list[ReviewRow]:
    """Each change with its proposal, statistics, approvals so far and the viewer's decision."""
    data = review_rows(round_, frozenset())
    decisions = list(Decision.objects.filter(consensus__round=round_).select_related("decided_by"))
    dissents: dict[int, list[Dissent]] = defaultdict(list)
    for dissent in Dissent.objects.filter(consensus__round=round_).select_related("partner"):
        dissents[dissent.consensus_id].append(dissent)
    for row in data["rows"]:
        consensus = row.consensus
        if consensus is None:
            continue
        current = [
            d
            for d in decisions
            if d.consensus_id == consensus.pk and d.proposal_version == consensus.version
        ]
        row.approvals = sum(d.kind == Decision.Kind.APPROVE for d in current)
        row.my_decision = next((d for d in current if d.decided_by_id == viewer.pk), None)
        row.dissents = dissents.get(consensus.pk, [])
    rows = data["rows"]
    rows.sort(key=lambda row: row.change.position)
    return rows


def audit_events(round_: Round) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(round=round_).select_related("actor"))


# ---------------------------------------------------------------------------
# After agreement: trends across rounds and planned versus achieved


def _crosswalk_back(change_ids: list[int]) -> dict[int, int]:
    """Earlier change id -> later change id, for every crosswalk step into these changes."""
    mapping: dict[int, int] = {}
    frontier = set(change_ids)
    seen: set[int] = set()
    while frontier:
        step = list(
            Crosswalk.objects.filter(to_change__in=frontier).values_list(
                "from_change_id", "to_change_id"
            )
        )
        frontier = set()
        for earlier, later in step:
            if earlier in seen:
                continue
            seen.add(earlier)
            mapping[earlier] = mapping.get(later, later)
            frontier.add(earlier)
    return mapping


@dataclass
class TrendRow:
    change: Change
    points: list[tuple[Round, Level | None]]
    planned_check: str = ""


def trend_rows(round_: Round) -> dict:
    """Each change's agreed level in every agreed round of the system up to this one, carried
    over crosswalks, and whether the previous round's planned level arrived by its date."""
    changes = list(Change.objects.filter(framework=round_.framework, archived=False))
    to_current = {c.pk: c.pk for c in changes}
    to_current.update(_crosswalk_back([c.pk for c in changes]))
    # Only rounds on this framework or an edition its crosswalk reaches back to.
    frameworks = set(
        Change.objects.filter(pk__in=to_current).values_list("framework_id", flat=True)
    )
    rounds = list(
        Round.objects.filter(
            system=round_.system,
            status=Round.Status.AGREED,
            agreed_at__lte=round_.agreed_at,
            framework__in=frameworks,
        )
        .select_related("framework")
        .order_by("agreed_at")
        if round_.agreed_at
        else []
    )
    agreed: dict[tuple[int, int], Consensus] = {}
    for consensus in Consensus.objects.filter(round__in=rounds).select_related(
        "level", "planned_level"
    ):
        current = to_current.get(consensus.change_id)
        if current is not None:
            agreed[(consensus.round_id, current)] = consensus
    rows = []
    previous = rounds[-2] if len(rounds) >= 2 else None
    for change in changes:
        points = [
            (r, agreed[(r.pk, change.pk)].level if (r.pk, change.pk) in agreed else None)
            for r in rounds
        ]
        check = ""
        before = agreed.get((previous.pk, change.pk)) if previous else None
        now = agreed.get((round_.pk, change.pk))
        if before and before.planned_level and now:
            check = planned_versus_achieved(before, now, round_)
        rows.append(TrendRow(change, points, check))
    return {"rows": rows, "rounds": rounds}


def planned_versus_achieved(before: Consensus, now: Consensus, round_: Round) -> str:
    """Did the level planned in the earlier round arrive by its date?"""
    planned = before.planned_level
    on = round_.agreed_at.date() if round_.agreed_at else None
    due = before.planned_by
    if now.level.number >= planned.number:
        if due is None or on is None or on <= due:
            return f"Planned {planned.name}: reached"
        return f"Planned {planned.name} by {due:%-d %B %Y}: reached, later than planned"
    if due is not None and on is not None and on > due:
        return f"Planned {planned.name} by {due:%-d %B %Y}: not reached ({now.level.name})"
    when = f" (due {due:%-d %B %Y})" if due else ""
    return f"Planned {planned.name}{when}: not yet reached ({now.level.name})"
