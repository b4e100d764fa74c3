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
    """One partner's rating of one change, as the consensus record prints it."""

    partner_return: PartnerReturn
    rating: Rating | None
    own: bool


@dataclass
class ReviewRow:
    change: Change
    cells: list
    stats: ChangeStatistics
    summary: str
    consensus: Consensus | None = None
    suggested_level: Level | None = None
    approvals: int = 0
    my_decision: Decision | None = None
    dissents: list[Dissent] = field(default_factory=list)

    @property
    def median_text(self) -> str:
        """The median as the pages print it: "3", "3.5", or "–" when nobody rated."""
        median = self.stats.median
        return "–" if median is None else f"{median:g}"

    @property
    def range_text(self) -> str:
        return f"{self.stats.lowest} to {self.stats.highest}" if self.stats.rated else "–"


def _voiced(returns: list[PartnerReturn]) -> list[int]:
    """A partner that had not submitted by the reveal has given no voice, so its drafts are
    left out of the review (its column says the return is missing)."""
    return [r.partner_id for r in returns if not r.missing_at_reveal]


def _revealed_ratings(round_: Round, returns: list[PartnerReturn], change=None) -> list[Rating]:
    """The ratings the review shows, as model instances (for pages that show rationales)."""
    ratings = Rating.objects.filter(round=round_, partner__in=_voiced(returns), level__isnull=False)
    if change is not None:
        ratings = ratings.filter(change=change)
    return list(ratings.select_related("level").order_by())


def _returns(round_: Round) -> list[PartnerReturn]:
    """The returns of the round with their partners, by name: only what the pages show."""
    return list(
        PartnerReturn.objects.filter(round=round_)
        .select_related("partner")
        .only(
            "round_id", "partner_id", "missing_at_reveal", "partner__name", "partner__partner_type"
        )
        .order_by("partner__name")
    )


def _levels(round_: Round) -> tuple[dict[int, Level], dict[int, str]]:
    levels = {
        level.number: level
        for level in Level.objects.filter(framework=round_.framework_id).order_by("number")
    }
    return levels, {number: level.name for number, level in levels.items()}


def _rows(round_: Round, returns: list[PartnerReturn], numbers: dict[tuple[int, int], int]):
    """Per live change, in framework order: its statistics over every partner taking part
    (`numbers`: (change, partner) → level number), the summary and the proposal."""
    consensus = {
        c.change_id: c
        for c in Consensus.objects.filter(round=round_)
        .select_related("level", "planned_level")
        .order_by()
    }
    levels, names = _levels(round_)
    rows = []
    for change in Change.objects.filter(framework=round_.framework_id, archived=False).order_by(
        "position"
    ):
        stats = change_statistics(
            [numbers.get((change.pk, r.partner_id)) for r in returns], len(returns)
        )
        rows.append(
            ReviewRow(
                change=change,
                cells=[],
                stats=stats,
                summary=sentence_for(stats, names),
                consensus=consensus.get(change.pk),
                suggested_level=levels.get(stats.suggested) if stats.suggested else None,
            )
        )
    return rows


def review_rows(round_: Round, own: frozenset[int], *, partner_type: str = "") -> dict:
    """The review table: changes × partners, statistics per change, split changes first.
    `own`: the viewer's partners, whose cells are outlined. Five queries; the ratings come as
    plain values, and each cell is shaped here so the table's template only prints it."""
    returns = _returns(round_)
    shown = [r for r in returns if not partner_type or r.partner.partner_type == partner_type]
    confidence = dict(Rating.Confidence.choices)
    ratings = {
        (change_id, partner_id): (number, name, level_confidence)
        for change_id, partner_id, number, name, level_confidence in Rating.objects.filter(
            round=round_, partner__in=_voiced(returns), level__isnull=False
        )
        .order_by()
        .values_list("change_id", "partner_id", "level__number", "level__name", "confidence")
    }
    rows = _rows(round_, returns, {key: value[0] for key, value in ratings.items()})
    # Each cell is a tuple the template unpacks: (classes, text, note). Its classes colour the
    # level and outline the viewer's own partner; the note is the confidence, if given.
    for row in rows:
        for partner_return in shown:
            outline = " app-highlight" if partner_return.partner_id in own else ""
            rating = ratings.get((row.change.pk, partner_return.partner_id))
            if rating is None:
                missing = partner_return.missing_at_reveal
                row.cells.append((outline, "Return missing" if missing else "Not rated", ""))
                continue
            number, name, level_confidence = rating
            note = f"{confidence[level_confidence]} confidence" if level_confidence else ""
            row.cells.append((f" app-level-{number}{outline}", f"{number} {name}", note))
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


def approval_rows(round_: Round, viewer, *, ratings: bool = True) -> list[ReviewRow]:
    """Each change with its proposal, statistics, approvals so far and the viewer's decision.
    With `ratings`, each row's cells hold every partner's full rating (the consensus record
    prints them); the approval and agreed pages show none, so they ask without."""
    returns = _returns(round_)
    revealed = _revealed_ratings(round_, returns) if ratings else []
    if ratings:
        numbers = {(r.change_id, r.partner_id): r.level.number for r in revealed}
    else:
        numbers = {
            (change_id, partner_id): number
            for change_id, partner_id, number in Rating.objects.filter(
                round=round_, partner__in=_voiced(returns), level__isnull=False
            )
            .order_by()
            .values_list("change_id", "partner_id", "level__number")
        }
    rows = _rows(round_, returns, numbers)
    if ratings:
        by_key = {(r.change_id, r.partner_id): r for r in revealed}
        for row in rows:
            row.cells = [Cell(r, by_key.get((row.change.pk, r.partner_id)), False) for r in returns]
    decisions = list(Decision.objects.filter(consensus__round=round_).select_related("decided_by"))
    dissents: dict[int, list[Dissent]] = defaultdict(list)
    for dissent in Dissent.objects.filter(consensus__round=round_).select_related("partner"):
        dissents[dissent.consensus_id].append(dissent)
    for row in rows:
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
    over crosswalks, and whether the previous round's planned level arrived by its date.
    The agreed levels come as ids, matched to the few levels of the editions involved."""
    changes = list(
        Change.objects.filter(framework=round_.framework_id, archived=False).order_by("position")
    )
    to_current = {c.pk: c.pk for c in changes}
    to_current.update(_crosswalk_back([c.pk for c in changes]))
    # Only rounds on this framework or an edition its crosswalk reaches back to.
    frameworks = set(
        Change.objects.filter(pk__in=to_current).order_by().values_list("framework_id", flat=True)
    )
    rounds = list(
        Round.objects.filter(
            system=round_.system_id,
            status=Round.Status.AGREED,
            agreed_at__lte=round_.agreed_at,
            framework__in=frameworks,
        )
        .select_related("framework")
        .order_by("agreed_at")
        if round_.agreed_at
        else []
    )
    levels = {level.pk: level for level in Level.objects.filter(framework__in=frameworks)}
    # (round, current change) → (level id, planned level id, planned by)
    agreed: dict[tuple[int, int], tuple] = {}
    for round_id, change_id, *values in (
        Consensus.objects.filter(round__in=rounds)
        .order_by("pk")
        .values_list("round_id", "change_id", "level_id", "planned_level_id", "planned_by")
    ):
        current = to_current.get(change_id)
        if current is not None:
            agreed[(round_id, current)] = values
    rows = []
    previous = rounds[-2] if len(rounds) >= 2 else None
    for change in changes:
        points = [
            (r, levels[agreed[(r.pk, change.pk)][0]] if (r.pk, change.pk) in agreed else None)
            for r in rounds
        ]
        check = ""
        before = agreed.get((previous.pk, change.pk)) if previous else None
        now = agreed.get((round_.pk, change.pk))
        if before and before[1] and now:
            check = planned_versus_achieved(
                planned=levels[before[1]], due=before[2], achieved=levels[now[0]], round_=round_
            )
        rows.append(TrendRow(change, points, check))
    return {"rows": rows, "rounds": rounds}


def planned_versus_achieved(*, planned: Level, due, achieved: Level, round_: Round) -> str:
    """Did the level planned in the earlier round (`planned`, by `due`) arrive by its date?"""
    on = round_.agreed_at.date() if round_.agreed_at else None
    if achieved.number >= planned.number:
        if due is None or on is None or on <= due:
            return f"Planned {planned.name}: reached"
        return f"Planned {planned.name} by {due:%-d %B %Y}: reached, later than planned"
    if due is not None and on is not None and on > due:
        return f"Planned {planned.name} by {due:%-d %B %Y}: not reached ({achieved.name})"
    when = f" (due {due:%-d %B %Y})" if due else ""
    return f"Planned {planned.name}{when}: not yet reached ({achieved.name})"
