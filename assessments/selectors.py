"""Read queries shaped for pages, each with a bounded number of SQL queries."""

from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Q
from django.http import Http404

from assessments.framework_content import content_for_round, content_of
from assessments.models import (
    Change,
    ChangeAction,
    Consensus,
    Crosswalk,
    Framework,
    Group,
    Invitation,
    Level,
    Member,
    PartnerReturn,
    Rating,
    RoleChange,
    Round,
    System,
    SystemRole,
)
from assessments.rules import roles_of

ROLE_CHANGES_SHOWN = 100


def system_people(
    system: System, *, include_invitations: bool, include_role_changes: bool = False
) -> dict:
    """Partners with their members, the system-wide roles, and (for facilitators) invitations
    and the latest ROLE_CHANGES_SHOWN grants and removals of roles, newest first (with
    `more_role_changes` when there are older ones)."""
    partners = list(
        system.partners.prefetch_related(
            Prefetch("members", queryset=Member.objects.select_related("user"))
        )
    )
    roles = list(SystemRole.objects.filter(system=system).select_related("user"))
    invitations = []
    if include_invitations:
        invitations = list(
            Invitation.objects.filter(system=system, accepted_at=None, cancelled_at=None)
            .select_related("partner", "invited_by")
            .order_by("-created_at")
        )
    role_changes = []
    if include_role_changes:
        role_changes = list(
            RoleChange.objects.filter(system=system).select_related("by")[: ROLE_CHANGES_SHOWN + 1]
        )
    return {
        "partners": partners,
        "facilitators": [r.user for r in roles if r.role == SystemRole.Role.FACILITATOR],
        "steering_members": [r.user for r in roles if r.role == SystemRole.Role.STEERING],
        "invitations": invitations,
        "role_changes": role_changes[:ROLE_CHANGES_SHOWN],
        "more_role_changes": len(role_changes) > ROLE_CHANGES_SHOWN,
    }


def framework_list() -> list[Framework]:
    return list(
        Framework.objects.annotate(
            change_count=Count(
                "changes", filter=Q(changes__archived=False, changes__kind=Change.Kind.CHANGE)
            )
        ).order_by("short_title", "-year")
    )


@dataclass
class LevelRow:
    number: int
    name: str
    text: str
    is_descriptor: bool


@dataclass
class ChangePage:
    """A framework's change as its page shows it: the change, its groups and live actions, one
    row per level (its descriptor or the generic text), and its live neighbours as
    (code, title)."""

    framework: Framework
    change: Change
    groups: list[Group]
    actions: list[ChangeAction]
    level_rows: list[LevelRow]
    previous_change: tuple[str, str] | None
    next_change: tuple[str, str] | None
    has_descriptors: bool  # False: every row is the level's generic text


def change_detail(key: str, code: str) -> ChangePage:
    """A framework's change (archived ones too, which earlier rounds refer to) with what its
    page shows: one query for the framework, the rest from its cached content."""
    framework = Framework.objects.filter(key=key).order_by().first()
    if framework is None:
        raise Http404("No such framework")
    content = content_of(framework)
    change = content.change(code, live=False)
    if change is None:
        raise Http404("No such change")
    live = content.live_changes
    index = next((i for i, c in enumerate(live) if c.pk == change.pk), None)
    neighbours = [None, None]
    if index is not None:
        if index > 0:
            neighbours[0] = (live[index - 1].code, live[index - 1].title)
        if index + 1 < len(live):
            neighbours[1] = (live[index + 1].code, live[index + 1].title)
    level_rows = [
        LevelRow(number=level.number, name=level.name, text=text, is_descriptor=own)
        for level, text, own in content.hints(change)
    ]
    return ChangePage(
        framework=framework,
        change=change,
        groups=content.groups.get(change.pk, []),
        actions=content.actions.get(change.pk, []),
        level_rows=level_rows,
        previous_change=neighbours[0],
        next_change=neighbours[1],
        has_descriptors=any(row.is_descriptor for row in level_rows),
    )


# ---------------------------------------------------------------------------
# Rounds


def rounds_for_system(user, system: System) -> list[Round]:
    """The rounds of a system this person may see, with their framework and partner count."""
    return list(
        Round.objects.visible_to(user)
        .filter(system=system)
        .select_related("framework")
        .annotate(partner_count=Count("returns"))
    )


def own_returns(user, round_: Round) -> list[PartnerReturn]:
    """The returns in this round of the partners the person belongs to."""
    partner_ids = roles_of(user).partner_ids_by_system.get(round_.system_id, frozenset())
    returns = list(
        PartnerReturn.objects.filter(round=round_, partner__in=partner_ids).select_related(
            "partner"
        )
    )
    for partner_return in returns:
        partner_return.round = round_
    return returns


def live_changes(round_: Round) -> list[Change]:
    """The changes a round rates, in the wording it opened with."""
    return content_for_round(round_).live_changes


def previous_agreed_levels(round_: Round) -> dict[int, Level]:
    """The last agreed level of each change of this round, from the round it started from.

    Where the earlier round used another edition of the framework, levels are carried over
    the crosswalk (earlier change → this framework's change), matched by level number. One
    query on the same edition (the earlier round's edition read with its levels), two across.
    """
    if round_.previous_round_id is None:
        return {}
    agreed = list(
        Consensus.objects.filter(round_id=round_.previous_round_id)
        .select_related("level")
        .only("change_id", "level__number", "level__name", "level__framework_id")
        .order_by("pk")
    )
    if all(c.level.framework_id == round_.framework_id for c in agreed):
        return {c.change_id: c.level for c in agreed}
    earlier_framework = agreed[0].level.framework_id
    mapping: dict[int, list[int]] = {}
    for from_id, to_id in Crosswalk.objects.filter(
        from_change__framework=earlier_framework, to_change__framework=round_.framework_id
    ).values_list("from_change_id", "to_change_id"):
        mapping.setdefault(from_id, []).append(to_id)
    return {
        to_id: consensus.level
        for consensus in agreed
        for to_id in mapping.get(consensus.change_id, [])
    }


@dataclass
class TaskRow:
    change: Change
    rating: Rating | None
    status: str  # "Not started", "In progress", "Rated"
    previous_level: Level | None = None


def task_rows(partner_return: PartnerReturn) -> list[TaskRow]:
    """Each change of the round with this partner's rating and its status. At most four
    queries: the ratings and, when the round started from another, that round, its agreed levels
    and (across editions) the crosswalk."""
    round_ = partner_return.round
    ratings = {
        r.change_id: r
        for r in Rating.objects.filter(round=round_, partner=partner_return.partner).select_related(
            "level"
        )
    }
    previous = previous_agreed_levels(round_)
    rows = []
    for change in content_for_round(round_).live_changes:
        rating = ratings.get(change.pk)
        if rating is not None and rating.is_complete:
            status = "Rated"
        elif rating is not None and rating.is_started:
            status = "In progress"
        else:
            status = "Not started"
        rows.append(TaskRow(change, rating, status, previous.get(change.pk)))
    return rows


def rating_change(round_: Round, code: str) -> dict:
    """The framework's side of the page for rating one change, from the round's wording: the
    change and where it comes in the sequence of live changes, its actions, and each level
    with its hint (the change's descriptor, or the level's generic definition)."""
    content = content_for_round(round_)
    changes = content.live_changes
    index = next((i for i, c in enumerate(changes) if c.code == code), None)
    if index is None:
        raise Http404("No such change in this round")
    change = changes[index]
    return {
        "change": change,
        "actions": content.actions.get(change.pk, []),
        "level_hints": [(level, text) for level, text, _ in content.hints(change)],
        "next_code": changes[index + 1].code if index + 1 < len(changes) else None,
        "position": index + 1,
        "total": len(changes),
    }


def previous_agreed_level(round_: Round, change: Change) -> dict | None:
    """The level agreed for this change in the round this one started from, with that round's
    name: `previous_agreed_levels` for one change, in one query. Where the earlier round used
    another edition, the level comes over the crosswalk into this change (the latest agreed,
    when several earlier changes map to it)."""
    if round_.previous_round_id is None:
        return None
    agreed = list(
        Consensus.objects.filter(round_id=round_.previous_round_id)
        .filter(Q(change_id=change.pk) | Q(change__crosswalk_forward__to_change_id=change.pk))
        .order_by("-pk")
        .values(number=F("level__number"), name=F("level__name"), round_name=F("round__name"))[:1]
    )
    return agreed[0] if agreed else None


def rating_page(partner_return: PartnerReturn, code: str) -> dict:
    """Everything the page for rating one change needs: the framework's side (cached), this
    partner's rating and the change's last agreed level, in two queries."""
    round_ = partner_return.round
    page = rating_change(round_, code)
    change = page["change"]
    # One row at most (one rating a partner and change); unordered, as the model's ordering
    # would join three tables to sort it.
    ratings = list(
        Rating.objects.filter(
            round_id=round_.pk, partner_id=partner_return.partner_id, change_id=change.pk
        )
        .select_related("updated_by")
        .order_by()[:1]
    )
    rating = ratings[0] if ratings else None
    levels = {level.pk: level for level, _ in page["level_hints"]}
    if rating is not None and rating.level_id in levels:
        rating.level = levels[rating.level_id]  # one of the framework's, already in hand
    page["rating"] = rating
    page["previous_level"] = previous_agreed_level(round_, change)
    return page


@dataclass
class TrackerRow:
    """What a facilitator may know of a return while rating: never a level."""

    partner_return: PartnerReturn
    rated: int
    started: int
    total: int


def tracker_rows(round_: Round) -> list[TrackerRow]:
    """Completion per partner, computed without handing any level to the page."""
    live = {change.pk for change in content_for_round(round_).live_changes}
    total = len(live)
    counts: dict[int, list[int]] = {}
    for rating in Rating.objects.filter(round=round_, change__in=live).select_related("level"):
        entry = counts.setdefault(rating.partner_id, [0, 0])
        entry[0] += rating.is_complete
        entry[1] += rating.is_started
    rows = []
    for partner_return in round_.returns.select_related("partner", "submitted_by").order_by(
        "partner__name"
    ):
        rated, started = counts.get(partner_return.partner_id, [0, 0])
        rows.append(TrackerRow(partner_return, rated, started, total))
    return rows


def rating_history(partner_return: PartnerReturn, change: Change) -> list[dict]:
    """Every saved version of this partner's rating of a change, newest first, with what
    changed from the version before."""
    rating = Rating.objects.filter(
        round=partner_return.round, partner=partner_return.partner, change=change
    ).first()
    if rating is None:
        return []
    records = list(rating.history.select_related("history_user").order_by("-history_date"))
    level_names = {level.pk: str(level) for level in partner_return.round.framework.levels.all()}
    entries = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        changes = []
        fields = ("level_id", "rationale", "evidence", "confidence")
        for field_name in fields:
            before = getattr(older, field_name) if older else None
            after = getattr(newer, field_name)
            if before != after and not (older is None and after in (None, "", [])):
                if field_name == "level_id":
                    before, after = level_names.get(before, "–"), level_names.get(after, "–")
                label = {"level_id": "Level", "evidence": "Evidence"}.get(
                    field_name, field_name.capitalize()
                )
                changes.append({"field": label, "before": before, "after": after})
        entries.append({"record": newer, "changes": changes})
    return entries


def latest_agreed(system: System) -> tuple[Round | None, list[Consensus]]:
    """The system's most recently agreed round and its agreed level of each change."""
    round_ = (
        Round.objects.filter(system=system, status=Round.Status.AGREED)
        .select_related("framework")
        .order_by("-agreed_at", "-closes_on")
        .first()
    )
    if round_ is None:
        return None, []
    agreed = list(
        Consensus.objects.filter(round=round_)
        .select_related("change", "level", "planned_level")
        .order_by("change__position")
    )
    # Each change as the round's own wording version has it.
    changes = {change.pk: change for change in content_for_round(round_).changes}
    for consensus in agreed:
        consensus.change = changes.get(consensus.change_id, consensus.change)
    return round_, agreed
