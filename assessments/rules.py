"""Permission predicates: the one way the portal decides who may do what.

Views, templates (`{% has_perm %}`) and services all ask these. Each predicate takes the
user and a System. A person's roles are read in one query and kept in Django's cache under
their `roles_version`, which the role services (`assessments.services.role_grant` and
`role_remove`, the only writers of roles) raise in the same transaction as the change. A new
version means a new key, so a change of roles shows on the person's next request; nothing
has to be cleared. Within a request the roles are also kept on the user object.
"""

from dataclasses import dataclass, field

import rules
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import BigIntegerField, F, Value

from assessments.models import Member, NationalViewer, RegionalViewer, System, SystemRole


@dataclass(frozen=True)
class Roles:
    """What one person holds, by id."""

    partner_ids_by_system: dict[int, frozenset[int]] = field(default_factory=dict)
    facilitator_of: frozenset[int] = frozenset()
    steering_of: frozenset[int] = frozenset()
    viewer_of_regions: frozenset[int] = frozenset()
    # A national viewer reads every region's agreed rounds, as a regional viewer their region's.
    national: bool = False


# A day at most; the key changes whenever the roles do.
ROLES_TIMEOUT_SECONDS = 24 * 60 * 60


def roles_of(user) -> Roles:
    """The roles of `user`: kept on the user object for the rest of the request, and in the
    cache under their roles_version for later requests."""
    if not user.is_authenticated:
        return Roles()
    held = getattr(user, "_hicm_roles", None)
    if held is not None:
        return held
    # date_joined tells apart two people given the same id (SQLite reuses a deleted one's).
    key = f"roles:{user.pk}:{user.date_joined.timestamp()}:{user.roles_version}"
    held = cache.get(key)
    if held is None:
        held = _load(user)
        cache.set(key, held, ROLES_TIMEOUT_SECONDS)
    user._hicm_roles = held
    return held


def _load(user) -> Roles:
    # One query for every kind of role: (kind, system or region or None, partner or None).
    member = (
        Member.objects.filter(user=user)
        .order_by()
        .values_list(Value("member"), "partner__system_id", "partner_id")
    )
    system_role = (
        SystemRole.objects.filter(user=user)
        .order_by()
        .values_list("role", "system_id", Value(None, output_field=BigIntegerField()))
    )
    viewer = (
        RegionalViewer.objects.filter(user=user)
        .order_by()
        .values_list(Value("viewer"), "region_id", Value(None, output_field=BigIntegerField()))
    )
    national = (
        NationalViewer.objects.filter(user=user)
        .order_by()
        .values_list(
            Value("national"),
            Value(None, output_field=BigIntegerField()),
            Value(None, output_field=BigIntegerField()),
        )
    )
    partners: dict[int, set[int]] = {}
    facilitator, steering, regions = set(), set(), set()
    is_national = False
    for kind, place_id, partner_id in member.union(system_role, viewer, national, all=True):
        if kind == "member":
            partners.setdefault(place_id, set()).add(partner_id)
        elif kind == SystemRole.Role.FACILITATOR:
            facilitator.add(place_id)
        elif kind == SystemRole.Role.STEERING:
            steering.add(place_id)
        elif kind == "national":
            is_national = True
        else:
            regions.add(place_id)
    return Roles(
        partner_ids_by_system={k: frozenset(v) for k, v in partners.items()},
        facilitator_of=frozenset(facilitator),
        steering_of=frozenset(steering),
        viewer_of_regions=frozenset(regions),
        national=is_national,
    )


def roles_changed(user) -> None:
    """Called by the role services, in their transaction, after they change a person's roles:
    raise the person's roles_version so that every later request reads the roles afresh, and
    read them afresh for the rest of this one. (Nothing is put in the cache here: the
    transaction may still roll back.)"""
    get_user_model().objects.filter(pk=user.pk).update(roles_version=F("roles_version") + 1)
    user.refresh_from_db(fields=["roles_version"])
    user._hicm_roles = _load(user)


@rules.predicate
def is_facilitator(user, system: System | None) -> bool:
    return system is not None and system.pk in roles_of(user).facilitator_of


@rules.predicate
def is_steering_member(user, system: System | None) -> bool:
    return system is not None and system.pk in roles_of(user).steering_of


@rules.predicate
def is_partner_member(user, system: System | None) -> bool:
    return system is not None and system.pk in roles_of(user).partner_ids_by_system


@rules.predicate
def is_regional_viewer(user, system: System | None) -> bool:
    return system is not None and system.region_id in roles_of(user).viewer_of_regions


@rules.predicate
def is_national_viewer(user) -> bool:
    """Someone of the BCF national team: reads what a regional viewer reads, in every region."""
    return roles_of(user).national


@rules.predicate
def is_viewer_of_system(user, system: System | None) -> bool:
    """A regional viewer of the system's region, or a national viewer: read-only, and of its
    agreed rounds only."""
    return system is not None and (is_national_viewer(user) or is_regional_viewer(user, system))


is_system_participant = is_facilitator | is_steering_member | is_partner_member
# Who sees a system: `System.objects.visible_to` is the rule; this asks it of one system from
# the person's roles, without a query (tests/assessments/test_visibility.py holds them together).
can_view_system = is_system_participant | is_viewer_of_system

rules.add_perm("assessments.view_system", can_view_system)
# For templates (`{% test_rule %}`): unlike a permission, not granted to every superuser.
rules.add_rule("national_viewer", is_national_viewer)
rules.add_perm("assessments.view_people", is_system_participant)
rules.add_perm("assessments.invite_people", is_facilitator)
rules.add_perm("assessments.add_round", is_facilitator)
# Whether others in its region see the system's name beside its levels (off until chosen).
rules.add_perm("assessments.name_system", is_facilitator)


@rules.predicate
def is_site_administrator(user) -> bool:
    """Django staff: the admin site, and every system's history (rounds recorded afterwards)."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


# A round that took place before the portal: its facilitators record it, or a site
# administrator (for instance importing a national file of past returns).
rules.add_perm("assessments.record_round_afterwards", is_facilitator | is_site_administrator)


# ---------------------------------------------------------------------------
# Rounds and returns. Each predicate takes the user and a Round or a PartnerReturn.


@rules.predicate
def is_round_facilitator(user, round_) -> bool:
    return round_ is not None and is_facilitator(user, round_.system)


@rules.predicate
def can_view_round(user, round_) -> bool:
    """`Round.objects.visible_to` asked of one round from the person's roles, without a query:
    facilitators in every state, partner and steering members once open, regional viewers of its
    region and national viewers once agreed (tests/assessments/test_visibility.py holds the two
    together)."""
    if round_ is None:
        return False
    system = round_.system
    if round_.is_draft:
        return is_facilitator(user, system)
    if is_system_participant(user, system):
        return True
    return round_.is_agreed and is_viewer_of_system(user, system)


@rules.predicate
def round_is_revealed(user, round_) -> bool:
    return round_ is not None and round_.is_revealed


@rules.predicate
def is_member_of_return_partner(user, partner_return) -> bool:
    if partner_return is None:
        return False
    partner = partner_return.partner
    return partner.pk in roles_of(user).partner_ids_by_system.get(partner.system_id, frozenset())


@rules.predicate
def return_is_open_for_rating(user, partner_return) -> bool:
    return (
        partner_return is not None
        and partner_return.round.status == "rating"
        and partner_return.submitted_at is None
    )


@rules.predicate
def return_can_be_reopened(user, partner_return) -> bool:
    return (
        partner_return is not None
        and partner_return.round.status == "rating"
        and partner_return.submitted_at is not None
    )


@rules.predicate
def is_return_facilitator(user, partner_return) -> bool:
    return partner_return is not None and is_facilitator(user, partner_return.round.system)


rules.add_perm("assessments.view_round", can_view_round)
rules.add_perm("assessments.manage_round", is_round_facilitator)
# Blind rating: a partner's own return is readable by its members only (the facilitator sees
# the tracker's counts, never the levels).
rules.add_perm("assessments.view_return", is_member_of_return_partner)
rules.add_perm("assessments.rate", is_member_of_return_partner & return_is_open_for_rating)
rules.add_perm("assessments.reopen_return", is_return_facilitator & return_can_be_reopened)
rules.add_perm("assessments.manage_return", is_return_facilitator)


# ---------------------------------------------------------------------------
# Review, consensus and approval. Each predicate takes the user and a Round.


@rules.predicate
def round_is_rating(user, round_) -> bool:
    return round_ is not None and round_.status == "rating"


@rules.predicate
def round_is_review(user, round_) -> bool:
    return round_ is not None and round_.status == "review"


@rules.predicate
def round_is_approval(user, round_) -> bool:
    return round_ is not None and round_.status == "approval"


@rules.predicate
def round_is_under_discussion(user, round_) -> bool:
    return round_ is not None and round_.status in ("review", "approval")


@rules.predicate
def is_round_steering_member(user, round_) -> bool:
    return round_ is not None and is_steering_member(user, round_.system)


@rules.predicate
def is_round_participant(user, round_) -> bool:
    return round_ is not None and is_system_participant(user, round_.system)


# After the reveal everyone who sees the round sees everyone's ratings: the participants of
# its system, and regional viewers once it is agreed.
can_view_review = can_view_round & round_is_revealed


rules.add_perm("assessments.reveal_round", is_round_facilitator & round_is_rating)
rules.add_perm("assessments.view_review", can_view_review)
rules.add_perm("assessments.comment", is_round_participant & round_is_under_discussion)
# Only facilitators propose, only steering members decide; one person may hold both roles.
rules.add_perm("assessments.propose", is_round_facilitator & round_is_review)
# While a round waits for approval a facilitator proposes again a change returned to them
# (the service checks that the change was returned).
rules.add_perm("assessments.propose_again", is_round_facilitator & round_is_approval)
rules.add_perm("assessments.submit_for_approval", is_round_facilitator & round_is_review)
rules.add_perm("assessments.decide", is_round_steering_member & round_is_approval)
rules.add_perm("assessments.view_audit", can_view_round)
# Benchmarking among the region and the nation (regions.benchmarking), on an agreed round: for
# the people of its system only. Regional and national viewers read the region's own pages.
rules.add_perm("assessments.view_benchmark", is_round_participant)
