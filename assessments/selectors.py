"""Read queries shaped for pages, each with a bounded number of SQL queries."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from assessments.models import (
    Change,
    ChangeAction,
    Consensus,
    Crosswalk,
    Framework,
    Invitation,
    Level,
    Member,
    Partner,
    PartnerReturn,
    Rating,
    Round,
    System,
    SystemRole,
)
from assessments.rules import (
    can_view_system,
    is_facilitator,
    is_partner_member,
    is_steering_member,
    roles_of,
)


def system_for_user(user, slug: str) -> System:
    """The system with this slug if `user` may see it; 404 otherwise (outsiders learn nothing)."""
    system = System.objects.select_related("region").filter(slug=slug).first()
    if system is None or not can_view_system(user, system):
        raise Http404("No such system")
    return system


@dataclass
class Attention:
    text: str
    url: str = ""


@dataclass
class SystemCard:
    system: System
    roles: list[str]
    attention: list[Attention] = field(default_factory=list)
    partner_names: list[str] = field(default_factory=list)


def _round_attention(user, system_ids: list[int], facilitated: list[int]) -> dict:
    """Per system: the returns this person's partners still owe, and for facilitators the
    rounds to open or watch. Two queries whatever the number of systems and rounds."""
    items: dict[int, list[Attention]] = {}
    own_partners = [pid for pids in roles_of(user).partner_ids_by_system.values() for pid in pids]
    owed = (
        PartnerReturn.objects.filter(
            partner__in=own_partners, round__status=Round.Status.RATING, submitted_at=None
        )
        .select_related("round", "partner")
        .order_by("round__closes_on")
    )
    for partner_return in owed:
        round_ = partner_return.round
        items.setdefault(round_.system_id, []).append(
            Attention(
                f"Rate {round_.name} for {partner_return.partner} by "
                f"{round_.closes_on.strftime('%-d %B %Y')}",
                reverse("return_tasks", args=[round_.public_id, partner_return.partner.public_id]),
            )
        )
    rounds = Round.objects.filter(
        system__in=facilitated, status__in=[Round.Status.DRAFT, Round.Status.RATING]
    ).annotate(
        taking_part=Count("returns"),
        submitted=Count("returns", filter=Q(returns__submitted_at__isnull=False)),
    )
    for round_ in rounds:
        url = reverse("round_detail", args=[round_.public_id])
        if round_.is_draft:
            text = f"{round_.name} is a draft: open it when it is ready"
        else:
            text = f"{round_.name}: {round_.submitted} of {round_.taking_part} returns submitted"
        items.setdefault(round_.system_id, []).append(Attention(text, url))
    return items


def home_cards(user) -> list[SystemCard]:
    """One card per system the person can see, with their roles and what needs attention."""
    roles = roles_of(user)
    systems = list(System.objects.visible_to(user).select_related("region"))
    if not systems:
        return []
    ids = [s.pk for s in systems]
    partner_names: dict[int, dict[int, str]] = {}
    for partner_id, name, system_id in Partner.objects.filter(system__in=ids).values_list(
        "pk", "name", "system_id"
    ):
        partner_names.setdefault(system_id, {})[partner_id] = name
    facilitated = [pk for pk in ids if pk in roles.facilitator_of]
    pending = dict(
        Invitation.objects.filter(
            system__in=facilitated,
            accepted_at=None,
            cancelled_at=None,
            expires_at__gt=timezone.now(),
        )
        .values("system")
        .annotate(n=Count("pk"))
        .values_list("system", "n")
    )
    empty_partners = dict(
        Partner.objects.filter(system__in=facilitated, members=None)
        .values("system")
        .annotate(n=Count("pk"))
        .values_list("system", "n")
    )
    round_items = _round_attention(user, ids, facilitated)
    cards = []
    for system in systems:
        labels = []
        own = roles.partner_ids_by_system.get(system.pk, frozenset())
        names = partner_names.get(system.pk, {})
        if system.pk in roles.facilitator_of:
            labels.append("Facilitator")
        if system.pk in roles.steering_of:
            labels.append("Steering committee member")
        labels.extend(f"Member of {names[pid]}" for pid in sorted(own, key=lambda p: names[p]))
        if system.region_id in roles.viewer_of_regions:
            labels.append(f"Regional viewer ({system.region})")
        attention = list(round_items.get(system.pk, []))
        if system.pk in roles.facilitator_of:
            people_url = reverse("system_detail", args=[system.slug])
            if empty_partners.get(system.pk):
                count = empty_partners[system.pk]
                attention.append(
                    Attention(
                        f"{count} partner{'s have' if count != 1 else ' has'} nobody to rate "
                        f"for {'them' if count != 1 else 'it'}: invite someone",
                        reverse("invitation_new", args=[system.slug]),
                    )
                )
            if pending.get(system.pk):
                count = pending[system.pk]
                attention.append(
                    Attention(
                        f"{count} invitation{'s are' if count != 1 else ' is'} waiting to be "
                        "accepted",
                        people_url,
                    )
                )
        cards.append(
            SystemCard(
                system=system,
                roles=labels,
                attention=attention,
                partner_names=sorted(names.values()),
            )
        )
    return cards


def system_people(system: System, *, include_invitations: bool) -> dict:
    """Partners with their members, the system-wide roles, and (for facilitators) invitations."""
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
    return {
        "partners": partners,
        "facilitators": [r.user for r in roles if r.role == SystemRole.Role.FACILITATOR],
        "steering_members": [r.user for r in roles if r.role == SystemRole.Role.STEERING],
        "invitations": invitations,
    }


def framework_list() -> list[Framework]:
    return list(
        Framework.objects.annotate(
            change_count=Count("changes", filter=Q(changes__archived=False))
        ).order_by("short_title", "-year")
    )


def framework_detail(key: str) -> Framework:
    """A framework with its levels, groups and live changes, in four queries."""
    return get_object_or_404(
        Framework.objects.select_related("predecessor").prefetch_related(
            "levels",
            "groups",
            Prefetch(
                "changes",
                queryset=Change.objects.filter(archived=False).prefetch_related("groups"),
                to_attr="live_changes",
            ),
        ),
        key=key,
    )


@dataclass
class LevelRow:
    number: int
    name: str
    text: str
    is_descriptor: bool


def change_detail(key: str, code: str) -> tuple[Change, list[LevelRow]]:
    """A change with its actions, and one row per level: its descriptor or the generic text."""
    change = (
        Change.objects.select_related("framework")
        .prefetch_related(
            "groups",
            Prefetch(
                "actions",
                queryset=ChangeAction.objects.filter(archived=False).select_related("group"),
            ),
            "descriptors",
            "framework__levels",
        )
        .filter(framework__key=key, code=code)
        .first()
    )
    if change is None:
        raise Http404("No such change")
    descriptors = {d.level_id: d.text for d in change.descriptors.all()}
    rows = [
        LevelRow(
            number=level.number,
            name=level.name,
            text=descriptors.get(level.pk, level.definition),
            is_descriptor=level.pk in descriptors,
        )
        for level in change.framework.levels.all()
    ]
    return change, rows


# ---------------------------------------------------------------------------
# Rounds


def rounds_for_system(user, system: System) -> list[Round]:
    """The rounds of a system this person may see (drafts for facilitators only)."""
    rounds = Round.objects.filter(system=system).select_related("framework")
    if not user.has_perm("assessments.manage_round", Round(system=system)):
        rounds = rounds.exclude(status=Round.Status.DRAFT)
        if not (is_partner_member(user, system) or is_steering_member(user, system)):
            rounds = rounds.filter(status=Round.Status.AGREED)
    return list(rounds.annotate(partner_count=Count("returns")))


def round_for_user(user, public_id) -> Round:
    """A round by its opaque id. Outsiders and, for drafts, non-facilitators get 404;
    a person in the system who may not see it gets 403."""
    try:
        round_ = Round.objects.select_related("system", "framework").get(public_id=public_id)
    except Round.DoesNotExist:
        round_ = None
    _check_round_visible(user, round_)
    return round_


def _check_round_visible(user, round_: Round | None) -> None:
    # Visibility from the person's roles (cached), not a subquery: the same rule as
    # System.objects.visible_to.
    if (
        round_ is None
        or not can_view_system(user, round_.system)
        or (round_.is_draft and not is_facilitator(user, round_.system))
    ):
        raise Http404("No such round")
    if not user.has_perm("assessments.view_round", round_):
        raise PermissionDenied


def return_for_user(user, round_public_id, partner_public_id) -> PartnerReturn:
    """A partner's return with its round, system and framework in one query, under the same
    rules as `round_for_user`; 404 when the partner is not taking part."""
    try:
        partner_return = PartnerReturn.objects.select_related(
            "round__system", "round__framework", "partner"
        ).get(round__public_id=round_public_id, partner__public_id=partner_public_id)
    except PartnerReturn.DoesNotExist:
        round_for_user(user, round_public_id)  # 404 or 403 as for the round itself
        raise Http404("That partner is not taking part in this round") from None
    _check_round_visible(user, partner_return.round)
    return partner_return


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


def live_changes(framework: Framework) -> list[Change]:
    return list(Change.objects.filter(framework=framework, archived=False).order_by("position"))


def previous_agreed_levels(round_: Round) -> dict[int, Level]:
    """The last agreed level of each change of this round, from the round it started from.

    Where the earlier round used another edition of the framework, levels are carried over
    the crosswalk (earlier change → this framework's change), matched by level number.
    """
    previous = round_.previous_round
    if previous is None:
        return {}
    agreed = list(Consensus.objects.filter(round=previous).select_related("level", "change"))
    if previous.framework_id == round_.framework_id:
        return {c.change_id: c.level for c in agreed}
    mapping: dict[int, list[int]] = {}
    for from_id, to_id in Crosswalk.objects.filter(
        from_change__framework=previous.framework_id, to_change__framework=round_.framework_id
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
    """Each change of the round with this partner's rating and its status. Four queries."""
    round_ = partner_return.round
    ratings = {
        r.change_id: r
        for r in Rating.objects.filter(round=round_, partner=partner_return.partner).select_related(
            "level"
        )
    }
    previous = previous_agreed_levels(round_)
    rows = []
    for change in live_changes(round_.framework):
        rating = ratings.get(change.pk)
        if rating is not None and rating.is_complete:
            status = "Rated"
        elif rating is not None and rating.is_started:
            status = "In progress"
        else:
            status = "Not started"
        rows.append(TaskRow(change, rating, status, previous.get(change.pk)))
    return rows


def rating_change(framework: Framework, code: str) -> dict:
    """The framework's side of the page for rating one change: the change with its actions
    and descriptors, the levels with their hints, and where the change comes in the sequence."""
    change = (
        Change.objects.filter(framework=framework, code=code, archived=False)
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=ChangeAction.objects.filter(archived=False).select_related("group"),
            ),
            "descriptors",
        )
        .first()
    )
    if change is None:
        raise Http404("No such change in this round")
    levels = list(framework.levels.all())
    descriptors = {d.level_id: d.text for d in change.descriptors.all()}
    hints = [(level, descriptors.get(level.pk, level.definition)) for level in levels]
    codes = [c.code for c in live_changes(framework)]
    index = codes.index(change.code)
    return {
        "change": change,
        "levels": levels,
        "level_hints": hints,
        "next_code": codes[index + 1] if index + 1 < len(codes) else None,
        "previous_code": codes[index - 1] if index > 0 else None,
        "position": index + 1,
        "total": len(codes),
    }



def rating_page(partner_return: PartnerReturn, code: str) -> dict:
    """Everything the page for rating one change needs, in a bounded number of queries:
    the framework's side, this partner's rating and the change's last agreed level."""
    round_ = partner_return.round
    page = dict(rating_change(round_.framework, code))
    change = page["change"]
    try:
        page["rating"] = Rating.objects.select_related("level", "updated_by").get(
            round=round_, partner=partner_return.partner, change=change
        )
    except Rating.DoesNotExist:
        page["rating"] = None

    page["previous_level"] = previous_agreed_levels(round_).get(change.pk)
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
    total = Change.objects.filter(framework=round_.framework, archived=False).count()
    counts: dict[int, list[int]] = {}
    for rating in Rating.objects.filter(round=round_, change__archived=False).select_related(
        "level"
    ):
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
    return round_, agreed
