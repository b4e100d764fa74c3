"""State changes for people and places. One function per user action, each in a transaction."""

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessments.models import (
    Invitation,
    Member,
    NationalViewer,
    Partner,
    Region,
    RegionalViewer,
    RoleChange,
    System,
    SystemRole,
    hash_token,
)
from assessments.rules import roles_changed
from hicm_portal.notify import notify, portal_link

User = get_user_model()

INVITATION_NOT_VALID = (
    "This invitation link has expired, has already been used or has been cancelled. "
    "Ask your facilitator to send you a new one."
)
ROLE_SELF_GRANT = (
    "You cannot give yourself a role. Ask another facilitator or a site administrator."
)
PARTNER_NOT_IN_SYSTEM = "Select a partner of this system"
SITE_ACCESS_SELF_CHANGE = (
    "You cannot change your own site administrator or superuser access. "
    "Ask another site administrator."
)
# The roles held in a system; site roles are set by `site_access_set`.
PLACE_ROLES = [
    RoleChange.Role.MEMBER,
    RoleChange.Role.FACILITATOR,
    RoleChange.Role.STEERING,
]
# Where a national viewer's role is held, in the e-mails that tell them of it.
NATIONAL_PLACE = "every region"


@dataclass
class InvitationOutcome:
    """What inviting did: `invitation` is set when a link was e-mailed, `user` when the role
    went straight to an existing account, with `changes` the roles it gained (none when it
    held them already)."""

    invitation: Invitation | None
    user: object | None
    token: str | None = None
    changes: list[RoleChange] = field(default_factory=list)


# ---------------------------------------------------------------------------
# Roles: granted by someone else, recorded, and told to the people they affect


def is_self_grant(*, user, granted_by) -> bool:
    """Whether a grant would go to the person making it: the one rule behind "nobody grants a
    role to themselves". `role_grant` refuses such a grant whatever the path into it;
    `invitation_create` and the admin's role forms ask first only to show the refusal beside
    their field."""
    return (
        granted_by is not None
        and user is not None
        and user.pk is not None
        and user.pk == granted_by.pk
    )


def _check_place(*, role: str, system, partner, region) -> None:
    if role == RoleChange.Role.NATIONAL_VIEWER:
        return
    if role == RoleChange.Role.REGIONAL_VIEWER:
        if region is None:
            raise ValidationError({"region": "Select a region"})
        return
    if role not in PLACE_ROLES:
        raise ValidationError({"role": "Select a role"})
    if system is None:
        raise ValidationError({"system": "Select a system"})
    if role == RoleChange.Role.MEMBER and partner is None:
        raise ValidationError({"partner": "Select a partner"})
    if partner is not None and partner.system_id != system.pk:
        raise ValidationError({"partner": PARTNER_NOT_IN_SYSTEM})


@transaction.atomic
def role_grant(
    *,
    user,
    role: str,
    granted_by,
    system: System | None = None,
    partner: Partner | None = None,
    region: Region | None = None,
    tell_person: bool = True,
) -> list[RoleChange]:
    """Give `user` a role, as `granted_by`, and return the roles they gained.

    `role` is one of `RoleChange.Role`: a partner member of `partner` (in `system`); a
    facilitator or steering member of `system`, who also becomes a member of `partner` when one
    is given; a regional viewer of `region`; a national viewer (held in no place: every region's
    agreed rounds, read-only). A role already held is left as it is and not
    recorded again. `granted_by` is the person granting (None only for the portal's own set-up
    data), and nobody grants a role to themselves: every path here (an invitation, its
    acceptance, the member import, the admin) meets that refusal.

    Each role gained is recorded as a RoleChange. A partner's existing members are told who
    joined it, and the person what they can now do, unless `tell_person` is False because
    the invitation they accept, or the one about to be sent, tells them.
    """
    if is_self_grant(user=user, granted_by=granted_by):
        raise ValidationError(ROLE_SELF_GRANT, code="self_grant")
    _check_place(role=role, system=system, partner=partner, region=region)
    changes = []
    if role == RoleChange.Role.REGIONAL_VIEWER:
        if RegionalViewer.objects.get_or_create(user=user, region=region)[1]:
            changes.append(RoleChange(role=role, region=region))
    elif role == RoleChange.Role.NATIONAL_VIEWER:
        if NationalViewer.objects.get_or_create(user=user)[1]:
            changes.append(RoleChange(role=role))
    else:
        if partner is not None and Member.objects.get_or_create(user=user, partner=partner)[1]:
            changes.append(RoleChange(role=RoleChange.Role.MEMBER, system=system, partner=partner))
        if (
            role != RoleChange.Role.MEMBER
            and (SystemRole.objects.get_or_create(user=user, system=system, role=role)[1])
        ):
            changes.append(RoleChange(role=role, system=system))
    now = timezone.now()
    for change in changes:
        change.person, change.by, change.at = user, granted_by, now
        change.kind = RoleChange.Kind.GRANTED
        change.name_people_and_place()
    RoleChange.objects.bulk_create(changes)
    if changes:
        roles_changed(user)
    if changes and tell_person:
        _send_role_added_email(
            user=user,
            role_label=RoleChange.Role(role).label,
            place=system or region or NATIONAL_PLACE,
            partner=partner,
            granted_by=granted_by,
        )
    if any(change.role == RoleChange.Role.MEMBER for change in changes):
        _send_member_added_email(user=user, partner=partner, granted_by=granted_by)
    return changes


@transaction.atomic
def role_remove(
    *,
    user,
    role: str,
    removed_by,
    system: System | None = None,
    partner: Partner | None = None,
    region: Region | None = None,
) -> RoleChange | None:
    """Take a role away from `user`, as `removed_by`, and return the record of it (None when
    they did not hold it).

    The role is named as for `role_grant`; a partner member's role is their membership of
    `partner`, and only that goes. The removal is recorded as a RoleChange and the person is
    told by e-mail.
    """
    if role == RoleChange.Role.REGIONAL_VIEWER:
        held = RegionalViewer.objects.filter(user=user, region=region)
        change = RoleChange(role=role, region=region)
    elif role == RoleChange.Role.NATIONAL_VIEWER:
        held = NationalViewer.objects.filter(user=user)
        change = RoleChange(role=role)
    elif role == RoleChange.Role.MEMBER:
        held = Member.objects.filter(user=user, partner=partner)
        system = partner.system
        change = RoleChange(role=role, system=system, partner=partner)
    else:
        held = SystemRole.objects.filter(user=user, system=system, role=role)
        change = RoleChange(role=role, system=system)
    deleted, _ = held.delete()
    if not deleted:
        return None
    change.person, change.by, change.kind = user, removed_by, RoleChange.Kind.REMOVED
    change.name_people_and_place()
    change.save()
    roles_changed(user)
    _send_role_removed_email(
        user=user,
        role_label=change.get_role_display(),
        place=system or region or NATIONAL_PLACE,
        partner=partner,
        removed_by=removed_by,
    )
    return change


def _send_role_removed_email(*, user, role_label: str, place, removed_by, partner=None) -> None:
    notify(
        to=[user.email],
        subject=f"A role of yours in {settings.SERVICE_NAME} has been removed",
        template="role_removed",
        context={
            "user": user,
            "role_label": role_label,
            "place": place,
            "partner": partner,
            "removed_by": removed_by,
            "link": portal_link(reverse("accounts:account")),
        },
    )


def _roles_held(user) -> list[dict]:
    """Every role `user` holds in a place, named as `role_remove` takes it."""
    held = [
        {"role": RoleChange.Role.MEMBER, "partner": member.partner}
        for member in Member.objects.filter(user=user).select_related("partner__system")
    ]
    held += [
        {"role": role.role, "system": role.system}
        for role in SystemRole.objects.filter(user=user).select_related("system")
    ]
    held += [
        {"role": RoleChange.Role.REGIONAL_VIEWER, "region": viewer.region}
        for viewer in RegionalViewer.objects.filter(user=user).select_related("region")
    ]
    if NationalViewer.objects.filter(user=user).exists():
        held.append({"role": RoleChange.Role.NATIONAL_VIEWER})
    return held


@transaction.atomic
def site_access_set(*, user, is_staff: bool, is_superuser: bool, changed_by) -> list[RoleChange]:
    """Make `user` a site administrator (`is_staff`: the admin site) and a superuser (every
    permission there), or stop them being one, as `changed_by`, and return the changes.

    Like every role, each change is recorded as a RoleChange and told to the person by
    e-mail, and nobody changes their own: a site administrator could otherwise make
    themselves a superuser, or quietly leave no record of it.
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    wanted = {
        RoleChange.Role.SITE_ADMINISTRATOR: (locked.is_staff, is_staff),
        RoleChange.Role.SUPERUSER: (locked.is_superuser, is_superuser),
    }
    changed = [role for role, (held, want) in wanted.items() if held != want]
    if not changed:
        return []
    if changed_by is not None and changed_by.pk == user.pk:
        raise ValidationError(SITE_ACCESS_SELF_CHANGE, code="self_change")
    User.objects.filter(pk=user.pk).update(is_staff=is_staff, is_superuser=is_superuser)
    changes = []
    for role in changed:
        granted = wanted[role][1]
        change = RoleChange(
            person=user,
            role=role,
            by=changed_by,
            kind=RoleChange.Kind.GRANTED if granted else RoleChange.Kind.REMOVED,
        )
        change.name_people_and_place()
        change.save()
        changes.append(change)
        label = change.get_role_display()
        if granted:
            _send_role_added_email(
                user=user,
                role_label=label,
                place=settings.SERVICE_NAME,
                partner=None,
                granted_by=changed_by,
            )
        else:
            _send_role_removed_email(
                user=user, role_label=label, place=settings.SERVICE_NAME, removed_by=changed_by
            )
    return changes


# ---------------------------------------------------------------------------
# A system's settings

SYSTEM_NAMED = "Others in {region} now see {system}'s name beside its levels when they compare."
SYSTEM_NOT_NAMED = "{system} is no longer named to others in {region}: they see its levels only."


@transaction.atomic
def system_naming_set(*, actor, system: System, named: bool) -> bool:
    """Choose, as `actor` (one of its facilitators), whether `system` is named to its region:
    whether the people of the region's other systems see its name beside its levels where they
    compare themselves with the region (`regions.benchmarking`). Off until chosen. Returns
    whether it changed; a change is kept in the system's history, with who made it."""
    if not actor.has_perm("assessments.name_system", system):
        raise PermissionDenied
    locked = System.objects.select_for_update().get(pk=system.pk)
    if locked.named_in_region == named:
        return False
    locked.named_in_region = named
    locked._history_user = actor  # django-simple-history's documented way, as area_services
    locked._change_reason = "Named to its region" if named else "No longer named to its region"
    locked.save(update_fields=["named_in_region"])
    return True


@transaction.atomic
def person_delete(*, user, deleted_by) -> list[RoleChange]:
    """Delete a person's account, as `deleted_by`, removing every role they hold first,
    through `role_remove` and `site_access_set`: each removal is recorded (the record keeps
    their name and address) and told to them. Returns the removals."""
    removed = [role_remove(user=user, removed_by=deleted_by, **role) for role in _roles_held(user)]
    removed += site_access_set(user=user, is_staff=False, is_superuser=False, changed_by=deleted_by)
    user.delete()
    return removed


@transaction.atomic
def partner_delete(*, partner: Partner, deleted_by) -> list[RoleChange]:
    """Delete a partner, as `deleted_by`, removing its members' roles first through
    `role_remove` (recorded and told). A partner that has taken part in a round cannot be
    deleted (its ratings protect it): the deletion raises and nothing changes."""
    removed = [
        role_remove(
            user=member.user, role=RoleChange.Role.MEMBER, partner=partner, removed_by=deleted_by
        )
        for member in Member.objects.filter(partner=partner).select_related("user")
    ]
    partner.delete()
    return removed


@transaction.atomic
def system_delete(*, system: System, deleted_by) -> list[RoleChange]:
    """Delete a system, as `deleted_by`, removing its facilitators' and steering members'
    roles first through `role_remove` (recorded and told). A system with partners or rounds
    cannot be deleted: the deletion raises and nothing changes."""
    removed = [
        role_remove(user=role.user, role=role.role, system=system, removed_by=deleted_by)
        for role in SystemRole.objects.filter(system=system).select_related("user")
    ]
    system.delete()
    return removed


@transaction.atomic
def region_delete(*, region: Region, deleted_by) -> list[RoleChange]:
    """Delete a region, as `deleted_by`, removing its regional viewers' roles first through
    `role_remove` (recorded and told). A region with systems cannot be deleted."""
    removed = [
        role_remove(
            user=viewer.user,
            role=RoleChange.Role.REGIONAL_VIEWER,
            region=region,
            removed_by=deleted_by,
        )
        for viewer in RegionalViewer.objects.filter(region=region).select_related("user")
    ]
    region.delete()
    return removed


def _send_role_added_email(*, user, role_label: str, place, partner, granted_by) -> None:
    notify(
        to=[user.email],
        subject=f"You have a new role in {settings.SERVICE_NAME}",
        template="role_added",
        context={
            "user": user,
            "role_label": role_label,
            "place": place,
            "partner": partner,
            "granted_by": granted_by,
            "link": portal_link(reverse("accounts:account")),
        },
    )


def _send_member_added_email(*, user, partner: Partner, granted_by) -> None:
    """Tell a partner's other members who has joined it: each of them now shares the
    partner's blind ratings with the newcomer. Members who cannot log in yet (imported, their
    set-password e-mail still unanswered) are not told."""
    colleagues = (
        Member.objects.filter(partner=partner, user__is_active=True)
        .exclude(user=user)
        .exclude(user__password__startswith=UNUSABLE_PASSWORD_PREFIX)
        .values_list("user__email", flat=True)
    )
    notify(
        to=colleagues,
        subject=f"A new member of {partner} in {settings.SERVICE_NAME}",
        template="member_added",
        context={
            "new_member": user,
            "partner": partner,
            "system": partner.system,
            "granted_by": granted_by,
            "link": portal_link(reverse("system_detail", args=[partner.system.slug])),
        },
    )


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def _send_invitation_email(invitation: Invitation, token: str) -> None:
    notify(
        to=[invitation.email],
        subject=f"You have been invited to {settings.SERVICE_NAME} for {invitation.system}",
        template="invitation",
        context={
            "invitation": invitation,
            "link": portal_link(reverse("invitation_accept", args=[token])),
            "valid_days": settings.INVITATION_VALID_DAYS,
        },
    )


@transaction.atomic
def invitation_create(
    *,
    system: System,
    email: str,
    role: str,
    partner: Partner | None,
    invited_by,
    full_name: str = "",
    send_email: bool = True,
) -> InvitationOutcome:
    """Invite a person into a system with a role.

    A person who already has an account just gains the role, through `role_grant` (recorded,
    and told by e-mail). Anyone else gets a link, valid for INVITATION_VALID_DAYS and usable
    once, to set a password. Earlier pending invitations for the same address and system are
    cancelled, so only the newest link works. Nobody invites themselves: their own address is
    refused here, whether or not they can log in with a password.

    With `send_email` False the caller e-mails the link (`InvitationOutcome.token`) in its own
    words: the people import's one e-mail a person names every role the file gave them.
    """
    email = User.objects.normalize_email(email).strip().lower()
    existing = User.objects.filter(email__iexact=email).first()
    if is_self_grant(user=existing, granted_by=invited_by):
        raise ValidationError({"email": ValidationError(ROLE_SELF_GRANT, code="self_grant")})
    if existing is not None and existing.has_usable_password():
        changes = role_grant(
            user=existing, system=system, role=role, partner=partner, granted_by=invited_by
        )
        return InvitationOutcome(invitation=None, user=existing, changes=changes)

    now = timezone.now()
    Invitation.objects.filter(
        email__iexact=email, system=system, accepted_at=None, cancelled_at=None
    ).update(cancelled_at=now)
    token, token_hash = _new_token()
    invitation = Invitation(
        email=email,
        full_name=full_name.strip(),
        system=system,
        partner=partner,
        role=role,
        token_hash=token_hash,
        invited_by=invited_by,
        created_at=now,
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    if send_email:
        _send_invitation_email(invitation, token)
    return InvitationOutcome(invitation=invitation, user=None, token=token)


@transaction.atomic
def invitation_resend(*, invitation: Invitation, sent_by) -> Invitation:
    """Send a fresh link (new token, new expiry) and cancel the old one."""
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation has already been accepted.")
    outcome = invitation_create(
        system=invitation.system,
        email=invitation.email,
        role=invitation.role,
        partner=invitation.partner,
        invited_by=sent_by,
        full_name=invitation.full_name,
    )
    return outcome.invitation


@transaction.atomic
def invitation_cancel(*, invitation: Invitation) -> None:
    if invitation.accepted_at is None and invitation.cancelled_at is None:
        invitation.cancelled_at = timezone.now()
        invitation.save(update_fields=["cancelled_at"])


def invitation_for_token(token: str) -> Invitation | None:
    """The pending invitation a link's token belongs to, or None."""
    invitation = (
        Invitation.objects.select_related("system", "partner")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None or not invitation.is_pending:
        return None
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str, full_name: str = ""):
    """Set the invitee's password, give them the role, and spend the link. Returns the user."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("system", "partner", "invited_by")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None or not invitation.is_pending:
        raise ValidationError(INVITATION_NOT_VALID)
    user = User.objects.filter(email__iexact=invitation.email).first()
    if user is None:
        user = User(email=invitation.email)
    user.full_name = full_name.strip() or invitation.full_name or user.full_name
    user.set_password(password)
    user.is_active = True
    user.save()
    # Granted by the inviter (refused if that is the invitee); the invitation told the person.
    role_grant(
        user=user,
        system=invitation.system,
        role=invitation.role,
        partner=invitation.partner,
        granted_by=invitation.invited_by,
        tell_person=False,
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return user
