"""The home page's cards: one per system a person can see, with their roles and what needs
their attention across the rounds, the people and the invitations."""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from assessments.models import (
    Invitation,
    Member,
    Partner,
    PartnerReturn,
    RegionalViewer,
    RoleChange,
    Round,
    System,
    SystemRole,
)
from assessments.rules import roles_of


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


@dataclass
class HeldRole:
    """A role a person holds now, in words: "Partner member", "Testshire Hospitals, Testshire"."""

    role: str
    place: str


def account_roles(user) -> list[HeldRole]:
    """The roles a person holds now, for their account page: three queries."""
    held = [
        HeldRole(r.get_role_display(), str(r.system))
        for r in SystemRole.objects.filter(user=user).select_related("system")
    ]
    held += [
        HeldRole("Partner member", f"{m.partner}, {m.partner.system}")
        for m in Member.objects.filter(user=user).select_related("partner__system")
    ]
    held += [
        HeldRole("Regional viewer", str(v.region))
        for v in RegionalViewer.objects.filter(user=user).select_related("region")
    ]
    return held


def account_role_changes(user) -> list[RoleChange]:
    """Every grant and removal of a role of this person, newest first, with who made it: one
    query."""
    return list(
        RoleChange.objects.filter(person=user).select_related("system", "partner", "region", "by")
    )
