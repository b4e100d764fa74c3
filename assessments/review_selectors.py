"""Reads for review, approval and agreed rounds, shaped for their pages.

Each function runs a fixed number of queries whatever the number of partners, changes or
rounds: ratings, consensus and decisions are fetched once per round and grouped in Python.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import F, Prefetch, Q
from django.http import Http404
from django.utils import timezone

from assessments.framework_content import FrameworkContent, content_for_round, content_of
from assessments.models import (
    AuditEvent,
    Change,
    Comment,
    Consensus,
    Crosswalk,
    Decision,
    Dissent,
    Level,
    Member,
    Partner,
    PartnerReturn,
    Rating,
    Round,
    SystemRole,
)
from assessments.rules import roles_of
from assessments.selectors import previous_agreed_levels
from assessments.statistics import (
    AGENDA_ORDER,
    SPLIT,
    THIN,
    ChangeStatistics,
    change_statistics,
)
from assessments.statistics import summary_sentence as sentence_for
from hicm_portal.models import person_name
from hicm_portal.words import govuk_date


@dataclass(frozen=True)
class TakingPart:
    """A partner taking part in a round, and whether its return was missing at the reveal: what
    the review, approval and agreed pages need of a return (`partner` has its name and type)."""

    partner_id: int
    partner: Partner
    missing_at_reveal: bool


@dataclass
class Cell:
    """One partner's rating of one change, as the consensus record prints it."""

    partner_return: TakingPart
    rating: Rating | None
    own: bool


@dataclass(frozen=True)
class DissentNote:
    """A partner's recorded dissent from a proposal, as the pages print it."""

    partner: str  # the partner's name
    note: str


@dataclass
class ReviewRow:
    change: Change
    cells: list
    stats: ChangeStatistics
    summary: str
    consensus: Consensus | None = None
    suggested_level: Level | None = None
    approvals: int = 0
    my_decision: "DecisionNote | None" = None
    dissents: list["DissentNote"] = field(default_factory=list)
    # Written here, as the pages print them: a number or a date through the template engine's
    # localization costs more than the rest of the row.
    proposed: str = ""  # the proposed level: "4 Mature"
    planned: str = "–"  # the planned level and its date: "5 Exemplary by 1 March 2027"
    progress: str = ""  # the approvals so far: "1 of 2 approvals"
    decided: str = ""  # the viewer's decision on the current proposal, as a sentence
    # Set by `decision_rows` for the approval pages: the level agreed in the round this one
    # started from, what a decider should notice, and the return that awaits a new proposal.
    previous: Level | None = None
    flags: list[str] = field(default_factory=list)
    returned: "DecisionNote | None" = None

    @property
    def below_previous(self) -> bool:
        return bool(
            self.consensus and self.previous and self.consensus.level.number < self.previous.number
        )

    @property
    def median_text(self) -> str:
        """The median as the pages print it: "3", "3.5", or "–" when nobody rated."""
        median = self.stats.median
        return "–" if median is None else f"{median:g}"

    @property
    def range_text(self) -> str:
        return f"{self.stats.lowest} to {self.stats.highest}" if self.stats.rated else "–"


def _voiced(returns: list[TakingPart] | list[PartnerReturn]) -> list[int]:
    """A partner that had not submitted by the reveal has given no voice, so its drafts are
    left out of the review (its column says the return is missing)."""
    return [r.partner_id for r in returns if not r.missing_at_reveal]


def _revealed_ratings(
    round_: Round, returns: list[TakingPart] | list[PartnerReturn], change=None
) -> list[Rating]:
    """The ratings the review shows, as model instances (for pages that show rationales)."""
    ratings = Rating.objects.filter(round=round_, partner__in=_voiced(returns), level__isnull=False)
    if change is not None:
        ratings = ratings.filter(change=change)
    return list(ratings.select_related("level").order_by())


def _returns(round_: Round) -> list[TakingPart]:
    """The partners taking part in the round, by name: only what the pages show, read as values
    (building 15 returns and their partners as full model instances costs more than the query)."""
    returns = PartnerReturn.objects.filter(round=round_).order_by("partner__name")
    fields = ["id", "name", "partner_type"]
    return [
        TakingPart(
            partner_id,
            Partner.from_db(returns.db, fields, (partner_id, name, partner_type)),
            missing,
        )
        for partner_id, name, partner_type, missing in returns.values_list(
            "partner_id", "partner__name", "partner__partner_type", "missing_at_reveal"
        )
    ]


def _levels(round_: Round) -> tuple[dict[int, Level], dict[int, str]]:
    levels = content_for_round(round_).level_by_number()
    return levels, {number: level.name for number, level in levels.items()}


def _rows(
    round_: Round,
    content: FrameworkContent,
    returns: list[TakingPart],
    numbers: dict[tuple[int, int], int],
) -> list[ReviewRow]:
    """Per live change, in framework order: its statistics over every partner taking part
    (`numbers`: (change, partner) → level number), the summary and the proposal. The levels
    and changes come from the framework's `content`; the proposals' levels are matched to it."""
    by_id = {level.pk: level for level in content.levels}
    consensus = {}
    for proposal in Consensus.objects.filter(round=round_).order_by():
        proposal.level = by_id[proposal.level_id]
        proposal.planned_level = by_id.get(proposal.planned_level_id)
        consensus[proposal.change_id] = proposal
    levels = content.level_by_number()
    names = {number: level.name for number, level in levels.items()}
    rows = []
    for change in content.live_changes:
        stats = change_statistics(
            [numbers.get((change.pk, r.partner_id)) for r in returns], len(returns)
        )
        row = ReviewRow(
            change=change,
            cells=[],
            stats=stats,
            summary=sentence_for(stats, names),
            consensus=consensus.get(change.pk),
            suggested_level=levels.get(stats.suggested) if stats.suggested else None,
        )
        if row.consensus:
            row.proposed = f"{row.consensus.level.number} {row.consensus.level.name}"
        rows.append(row)
    return rows


def review_rows(round_: Round, own: frozenset[int], *, partner_type: str = "") -> dict:
    """The review table: changes × partners, statistics per change, split changes first.
    `own`: the viewer's partners, whose cells are outlined. Three queries (returns, ratings,
    proposals); levels and changes come from the framework's content. Each cell is shaped here,
    as a dict of classes, text and note, so the table's template only prints it: its classes
    colour the level and outline the viewer's own partner; the note is the confidence, if
    given."""
    returns = _returns(round_)
    shown = [r for r in returns if not partner_type or r.partner.partner_type == partner_type]
    content = content_for_round(round_)
    rated = {
        level.pk: (level.number, f" app-level-{level.number}", f"{level.number} {level.name}")
        for level in content.levels
    }
    notes = {value: f"{label} confidence" for value, label in Rating.Confidence.choices}
    ratings = {
        (change_id, partner_id): (*rated[level_id], notes.get(confidence, ""))
        for change_id, partner_id, level_id, confidence in Rating.objects.filter(
            round=round_, partner__in=_voiced(returns), level__isnull=False
        )
        .order_by()
        .values_list("change_id", "partner_id", "level_id", "confidence")
    }
    rows = _rows(round_, content, returns, {key: value[0] for key, value in ratings.items()})
    columns = [
        (
            partner_return.partner_id,
            " app-highlight" if partner_return.partner_id in own else "",
            "Return missing" if partner_return.missing_at_reveal else "Not rated",
        )
        for partner_return in shown
    ]
    for row in rows:
        change_id = row.change.pk
        for partner_id, outline, no_rating in columns:
            rating = ratings.get((change_id, partner_id))
            if rating is None:
                row.cells.append({"classes": outline, "text": no_rating, "note": ""})
            else:
                _, classes, text, note = rating
                row.cells.append({"classes": classes + outline, "text": text, "note": note})
    rows.sort(key=lambda row: (AGENDA_ORDER[row.stats.agreement], row.change.position))
    return {"rows": rows, "returns": shown, "all_returns": returns}


def review_change(round_: Round, code: str, viewer) -> dict:
    """One change in full: every partner's rating, the statistics, the discussion, and the
    proposal with its dissent."""
    content = content_for_round(round_)
    change = content.change(code)
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
    live = content.live_changes
    sequence = [each.code for each in live]
    index = sequence.index(change.code)
    before = live[index - 1] if index > 0 else None
    after = live[index + 1] if index + 1 < len(live) else None
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
        "previous_code": before.code if before else None,
        "next_code": after.code if after else None,
        # "Change 3" or "Enabler E1", for the links to them.
        "previous_name": _short_name(before) if before else "",
        "next_name": _short_name(after) if after else "",
        "position": index + 1,
        "total": len(sequence),
    }


def _short_name(change) -> str:
    return f"{'Enabler' if change.kind == Change.Kind.ENABLER else 'Change'} {change.code}"


@dataclass(frozen=True)
class DecisionNote:
    """A steering committee member's decision on a proposal, as the approval pages print it:
    the decider by name (or address) only, nothing more of their account."""

    kind: str
    decided_by_id: int | None
    who: str
    reason: str
    decided_at: datetime

    @property
    def kind_text(self) -> str:
        return Decision.Kind(self.kind).label.lower()


def approval_rows(
    round_: Round, viewer, *, ratings: bool = True, returns: list[TakingPart] | None = None
) -> list[ReviewRow]:
    """Each change with its proposal, statistics, approvals so far and the viewer's decision.
    With `ratings`, each row's cells hold every partner's full rating (the consensus record
    prints them); the approval and agreed pages show none, so they ask without. `returns`: the
    round's partners taking part, when the caller has read them already."""
    content = content_for_round(round_)
    returns = _returns(round_) if returns is None else returns
    revealed = _revealed_ratings(round_, returns) if ratings else []
    if ratings:
        numbers = {(r.change_id, r.partner_id): r.level.number for r in revealed}
    else:
        number_of = {level.pk: level.number for level in content.levels}
        numbers = {
            (change_id, partner_id): number_of[level_id]
            for change_id, partner_id, level_id in Rating.objects.filter(
                round=round_, partner__in=_voiced(returns), level__isnull=False
            )
            .order_by()
            .values_list("change_id", "partner_id", "level_id")
        }
    rows = _rows(round_, content, returns, numbers)
    if ratings:
        by_key = {(r.change_id, r.partner_id): r for r in revealed}
        for row in rows:
            row.cells = [Cell(r, by_key.get((row.change.pk, r.partner_id)), False) for r in returns]
    # Decisions on each proposal's current version count; the one before matters only as the
    # return that is waiting for a new proposal (a return raises the version by one).
    decisions: dict[int, list[DecisionNote]] = defaultdict(list)
    returns_before: dict[int, DecisionNote] = {}
    for consensus_id, version, current_version, kind, *decision in (
        Decision.objects.filter(
            consensus__round=round_, proposal_version__gte=F("consensus__version") - 1
        )
        .order_by()
        .values_list(
            "consensus_id",
            "proposal_version",
            "consensus__version",
            "kind",
            "decided_by_id",
            "decided_by__full_name",
            "decided_by__email",
            "reason",
            "decided_at",
        )
    ):
        decided_by_id, full_name, email, reason, decided_at = decision
        note = DecisionNote(kind, decided_by_id, person_name(full_name, email), reason, decided_at)
        if version == current_version:
            decisions[consensus_id].append(note)
        elif kind == Decision.Kind.RETURN:
            returns_before[consensus_id] = note
    dissents: dict[int, list[DissentNote]] = defaultdict(list)
    for consensus_id, partner, note in (
        Dissent.objects.filter(consensus__round=round_)
        .order_by("partner__name")
        .values_list("consensus_id", "partner__name", "note")
    ):
        dissents[consensus_id].append(DissentNote(partner, note))
    for row in rows:
        consensus = row.consensus
        if consensus is None:
            continue
        current = decisions.get(consensus.pk, [])
        if consensus.state == Consensus.State.RETURNED:
            row.returned = returns_before.get(consensus.pk)
        row.approvals = sum(d.kind == Decision.Kind.APPROVE for d in current)
        row.my_decision = next((d for d in current if d.decided_by_id == viewer.pk), None)
        row.dissents = dissents.get(consensus.pk, [])
        row.progress = f"{row.approvals} of {round_.quorum} approvals"
        if consensus.planned_level:
            row.planned = f"{consensus.planned_level.number} {consensus.planned_level.name}"
            if consensus.planned_by:
                row.planned += f" by {govuk_date(consensus.planned_by)}"
        if row.my_decision:
            kind = row.my_decision.kind_text
            row.decided = f"You {kind} this proposal on {govuk_date(row.my_decision.decided_at)}."
    return rows


# A return raises its proposal's version by one: the return a change waits on is the decision on
# the version before its current one, while it is still returned.
RETURN_AWAITING_NEW_PROPOSAL = Q(
    kind=Decision.Kind.RETURN,
    consensus__state=Consensus.State.RETURNED,
    proposal_version=F("consensus__version") - 1,
)


def decision_rows(round_: Round, viewer) -> dict:
    """The approval page and the approve-all summary: `approval_rows` with, per change, the
    previous agreed level (over the crosswalk), the flags a decider should notice (below the
    previous level; split or thin agreement; dissent recorded; more than half the returns
    missing at the reveal) and, for a returned change, who returned it, when and why
    (`approval_rows` reads it with the decisions). A fixed number of queries: `approval_rows`'
    five and the previous levels' (one, or two across editions)."""
    returns = _returns(round_)
    rows = approval_rows(round_, viewer, ratings=False, returns=returns)
    previous = previous_agreed_levels(round_)
    missing, total = sum(r.missing_at_reveal for r in returns), len(returns)
    most_missing = 2 * missing > total
    for row in rows:
        row.previous = previous.get(row.change.pk)
        if row.below_previous:
            row.flags.append(
                f"Below the previous agreed level ({row.previous.number} {row.previous.name})"
            )
        if row.stats.agreement == SPLIT:
            row.flags.append("Split agreement")
        elif row.stats.agreement == THIN:
            row.flags.append("Thin agreement: fewer than half the partners rated")
        if row.dissents:
            row.flags.append(f"Dissent recorded ({len(row.dissents)})")
        if most_missing:
            row.flags.append(f"{missing} of {total} returns missing at the reveal")
    waiting = [
        row
        for row in rows
        if row.consensus
        and row.consensus.state == Consensus.State.PROPOSED
        and row.my_decision is None
    ]
    return {
        "rows": rows,
        "waiting": waiting,
        "missing_returns": missing,
        "total_returns": total,
        "most_missing": most_missing,
    }


def returned_decision(round_: Round, change: Change) -> Decision | None:
    """Who returned this change's proposal, when and why, while it waits for a new proposal."""
    return (
        Decision.objects.filter(
            RETURN_AWAITING_NEW_PROPOSAL, consensus__round=round_, consensus__change=change
        )
        .select_related("decided_by")
        .first()
    )


@dataclass(frozen=True)
class Bar:
    """One level in the workshop's chart of how the partners rated a change."""

    number: int
    name: str
    count: int
    y: int  # where the bar sits in the chart
    width: int  # the bar's length, out of BAR_WIDTH


BAR_WIDTH = 400
BAR_STEP = 48


def distribution(stats: ChangeStatistics, levels: list[Level]) -> list[Bar]:
    """How many partners gave each level, as bars for the workshop's SVG chart (every level
    shown, highest first, so an empty level is seen to be empty)."""
    counts = dict(stats.counts)
    most = max(counts.values(), default=0)
    ordered = sorted(levels, key=lambda level: -level.number)
    return [
        Bar(
            number=level.number,
            name=level.name,
            count=counts.get(level.number, 0),
            y=index * BAR_STEP,
            width=round(BAR_WIDTH * counts.get(level.number, 0) / most) if most else 0,
        )
        for index, level in enumerate(ordered)
    ]


@dataclass(frozen=True)
class Attendee:
    name: str
    organisation: str


def workshop_attendees(round_: Round) -> list[Attendee]:
    """Who attended the workshop, each with their organisation in this system (their partner,
    or their role when they belong to none): three queries."""
    people = list(round_.attendees.order_by("full_name", "email").only("full_name", "email"))
    ids = [person.pk for person in people]
    organisations: dict[int, list[str]] = defaultdict(list)
    for user_id, name in (
        Member.objects.filter(user__in=ids, partner__system=round_.system_id)
        .order_by("partner__name")
        .values_list("user_id", "partner__name")
    ):
        organisations[user_id].append(name)
    roles: dict[int, list[str]] = defaultdict(list)
    labels = dict(SystemRole.Role.choices)
    for user_id, role in (
        SystemRole.objects.filter(user__in=ids, system=round_.system_id)
        .order_by("role")
        .values_list("user_id", "role")
    ):
        roles[user_id].append(labels[role].lower())
    return [
        Attendee(
            name=person.get_full_name() or person.email,
            organisation=", ".join(organisations[person.pk] or roles[person.pk]) or "–",
        )
        for person in people
    ]


def audit_events(round_: Round) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(round=round_).select_related("actor"))


# ---------------------------------------------------------------------------
# After agreement: trends across rounds and planned versus achieved


def crosswalk_back(change_ids: list[int]) -> tuple[dict[int, int], set[int]]:
    """Earlier change id -> later change id, for every crosswalk step into these changes, and
    the frameworks of those earlier changes. The crosswalks are few (a row per change of each
    edition), so they are read in one query and walked here, however many editions back."""
    into: dict[int, list[int]] = defaultdict(list)
    framework_of: dict[int, int] = {}
    for earlier, framework_id, later in Crosswalk.objects.order_by("pk").values_list(
        "from_change_id", "from_change__framework_id", "to_change_id"
    ):
        into[later].append(earlier)
        framework_of[earlier] = framework_id
    mapping: dict[int, int] = {}
    frontier = set(change_ids)
    seen: set[int] = set()
    while frontier:
        step = [(earlier, later) for later in frontier for earlier in into[later]]
        frontier = set()
        for earlier, later in step:
            if earlier in seen:
                continue
            seen.add(earlier)
            mapping[earlier] = mapping.get(later, later)
            frontier.add(earlier)
    frameworks = {framework_of[earlier] for earlier in mapping}
    return mapping, frameworks


@dataclass
class TrendRow:
    change: Change
    points: list[tuple[Round, Level | None]]
    planned_check: str = ""


def trend_rows(round_: Round) -> dict:
    """Each change's agreed level in every agreed round of the system up to this one, carried
    over crosswalks, and whether the previous round's planned level arrived by its date.
    Changes and levels come from the frameworks' cached content; the agreed levels as ids."""
    content = content_for_round(round_)
    changes = content.live_changes
    to_current = {c.pk: c.pk for c in changes}
    earlier, frameworks = crosswalk_back(list(to_current))
    to_current.update(earlier)
    # Only rounds on this framework or an edition its crosswalk reaches back to.
    frameworks.add(round_.framework_id)
    rounds = list(
        Round.objects.filter(
            system=round_.system_id,
            status=Round.Status.AGREED,
            agreed_at__lte=round_.agreed_at,
            framework__in=frameworks,
        )
        # The columns shown, and those the frameworks' cached content is keyed on.
        .select_related("framework")
        .only(
            "name",
            "recorded_afterwards",
            "framework__short_title",
            "framework__version",
            "framework__loaded_at",
        )
        .order_by("agreed_at")
        if round_.agreed_at
        else []
    )
    earlier_editions = {r.framework_id: r.framework for r in rounds}
    earlier_editions.pop(round_.framework_id, None)
    levels = {
        level.pk: level
        for edition in [content, *map(content_of, earlier_editions.values())]
        for level in edition.levels
    }
    # (round, current change) → (level id, planned level id, planned by)
    agreed: dict[tuple[int, int], tuple] = {}
    for round_id, change_id, *values in (
        Consensus.objects.filter(round__in=[r.pk for r in rounds])
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
            if previous.recorded_afterwards:
                check += f" (planned in {previous.name}, recorded afterwards)"
        rows.append(TrendRow(change, points, check))
    return {"rows": rows, "rounds": rounds}


def trend_values(trend: dict) -> dict:
    """`trend_rows` as plain values (round names, level numbers): what the BCF return keeps
    and `charts.trend_charts` draws."""
    return {
        "rounds": [r.name for r in trend["rounds"]],
        "recorded_afterwards": [r.name for r in trend["rounds"] if r.recorded_afterwards],
        "changes": [
            {
                "code": row.change.code,
                "title": row.change.title,
                "values": [level.number if level else None for _, level in row.points],
                "planned_check": row.planned_check,
            }
            for row in trend["rows"]
        ],
    }


def planned_versus_achieved(*, planned: Level, due, achieved: Level, round_: Round) -> str:
    """Did the level planned in the earlier round (`planned`, by `due`) arrive by its date?"""
    on = timezone.localdate(round_.agreed_at) if round_.agreed_at else None
    if achieved.number >= planned.number:
        if due is None or on is None or on <= due:
            return f"Planned {planned.name}: reached"
        return f"Planned {planned.name} by {govuk_date(due)}: reached, later than planned"
    if due is not None and on is not None and on > due:
        return f"Planned {planned.name} by {govuk_date(due)}: not reached ({achieved.name})"
    when = f" (due {govuk_date(due)})" if due else ""
    return f"Planned {planned.name}{when}: not yet reached ({achieved.name})"
