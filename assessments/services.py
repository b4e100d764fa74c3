"""State changes for people and places. One function per user action, each in a transaction."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from assessments.models import Invitation, Member, Partner, System, SystemRole, hash_token
from assessments.rules import forget_roles

User = get_user_model()

INVITATION_NOT_VALID = (
    "This invitation link has expired, has already been used or has been cancelled. "
    "Ask your facilitator to send you a new one."
)


@dataclass
class InvitationOutcome:
    """What inviting did: `invitation` is set when a link was e-mailed, `user` when a role was
    added straight to an existing account."""

    invitation: Invitation | None
    user: object | None
    token: str | None = None


def portal_link(path: str) -> str:
    return f"{settings.PORTAL_URL}{path}"


def role_grant(*, user, system: System, role: str, partner: Partner | None = None) -> None:
    """Give `user` the role in `system`; a role already held is left as it is."""
    if partner is not None:
        if partner.system_id != system.pk:
            raise ValidationError({"partner": "Select a partner of this system"})
        Member.objects.get_or_create(user=user, partner=partner)
    if role in (SystemRole.Role.FACILITATOR, SystemRole.Role.STEERING):
        SystemRole.objects.get_or_create(user=user, system=system, role=role)
    forget_roles(user)


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def _send_invitation_email(invitation: Invitation, token: str) -> None:
    link = portal_link(reverse("invitation_accept", args=[token]))
    context = {
        "invitation": invitation,
        "link": link,
        "valid_days": settings.INVITATION_VALID_DAYS,
        "service_name": settings.SERVICE_NAME,
    }
    send_mail(
        subject=f"You have been invited to {settings.SERVICE_NAME} for {invitation.system}",
        message=render_to_string("emails/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


def _send_role_added_email(*, user, system: System, role_label: str, partner) -> None:
    context = {
        "user": user,
        "system": system,
        "role_label": role_label,
        "partner": partner,
        "link": portal_link(reverse("home")),
        "service_name": settings.SERVICE_NAME,
    }
    send_mail(
        subject=f"You have a new role in {settings.SERVICE_NAME}",
        message=render_to_string("emails/role_added.txt", context),
        from_email=None,
        recipient_list=[user.email],
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
) -> InvitationOutcome:
    """Invite a person into a system with a role.

    A person who already has an account just gains the role and is told by e-mail. Anyone
    else gets a link, valid for INVITATION_VALID_DAYS and usable once, to set a password.
    Earlier pending invitations for the same address and system are cancelled, so only the
    newest link works.
    """
    email = User.objects.normalize_email(email).strip().lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and existing.has_usable_password():
        role_grant(user=existing, system=system, role=role, partner=partner)
        role_label = Invitation.Role(role).label
        transaction.on_commit(
            lambda: _send_role_added_email(
                user=existing, system=system, role_label=role_label, partner=partner
            )
        )
        return InvitationOutcome(invitation=None, user=existing)

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
    transaction.on_commit(lambda: _send_invitation_email(invitation, token))
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
        .select_related("system", "partner")
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
    role_grant(
        user=user, system=invitation.system, role=invitation.role, partner=invitation.partner
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return user


@transaction.atomic
def member_welcome(*, user, partner: Partner, invited_by=None) -> Invitation | None:
    """Send an imported member the set-password e-mail, unless they can already log in."""
    if user.has_usable_password():
        return None
    return invitation_create(
        system=partner.system,
        email=user.email,
        role=Invitation.Role.MEMBER,
        partner=partner,
        invited_by=invited_by,
        full_name=user.full_name,
    ).invitation
