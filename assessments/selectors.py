"""Read queries shaped for pages, each with a bounded number of SQL queries."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from assessments.models import (
    Change,
    ChangeAction,
    Framework,
    Invitation,
    Member,
    Partner,
    System,
    SystemRole,
)
from assessments.rules import roles_of


def system_for_user(user, slug: str) -> System:
    """The system with this slug if `user` may see it; 404 otherwise (outsiders learn nothing)."""
    return get_object_or_404(System.objects.visible_to(user).select_related("region"), slug=slug)


@dataclass
class SystemCard:
    system: System
    roles: list[str]
    attention: list[str] = field(default_factory=list)
    partner_names: list[str] = field(default_factory=list)


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
        attention = []
        if system.pk in roles.facilitator_of:
            if empty_partners.get(system.pk):
                count = empty_partners[system.pk]
                attention.append(
                    f"{count} partner{'s have' if count != 1 else ' has'} nobody to rate for "
                    f"{'them' if count != 1 else 'it'}: invite someone"
                )
            if pending.get(system.pk):
                count = pending[system.pk]
                attention.append(
                    f"{count} invitation{'s are' if count != 1 else ' is'} waiting to be accepted"
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
