"""The one e-mail an imported person gets, naming every role the import gave them.

Sent through `hicm_portal.notify`, so it leaves only once the import's transaction commits.
Someone who cannot log in yet gets a link to set their password: an invitation into a system
they now have a role in (their facilitators see it pending and may send it again), or, for
someone who only views regions, the portal's own set-password link. Anyone else gets a short
e-mail. Where single sign-on is set up, both say they may sign in with their organisation
account. The member import (`resources.MemberResource`) and the system set-up
(`onboarding_services`) both tell people this way.
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from assessments.models import RoleChange
from assessments.services import invitation_create
from hicm_portal.notify import notify, portal_link

# What each person is sent, as the preview names it.
EMAIL_INVITATION = "Set-password link naming their roles"
EMAIL_ROLES = "E-mail naming their new roles"
EMAIL_NONE = "Nothing: they hold every role already"


def organisation_sign_in_offered() -> bool:
    """Whether people may sign in with their organisation account (single sign-on): an
    allauth provider with an app configured in SOCIALACCOUNT_PROVIDERS."""
    providers = getattr(settings, "SOCIALACCOUNT_PROVIDERS", None) or {}
    return any(
        isinstance(config, dict) and (config.get("APPS") or config.get("APP"))
        for config in providers.values()
    )


def _role_words(gained: list[RoleChange]) -> list[str]:
    words = []
    for change in gained:
        text = change.description
        if change.partner_id is not None:
            text += f", in {change.system}"
        words.append(text)
    return words


def _set_password_link(user, gained: list[RoleChange], told_by) -> tuple[str, str]:
    """A link to set a password, and how long it lasts: an invitation into the first system
    the person gained a role in (so their facilitators see it pending and may send it again),
    or, for someone who only views regions, the portal's password link."""
    in_system = next((change for change in gained if change.system_id is not None), None)
    if in_system is not None:
        outcome = invitation_create(
            system=in_system.system,
            email=user.email,
            role=in_system.role,
            partner=in_system.partner,
            invited_by=told_by,
            full_name=user.full_name,
            send_email=False,
        )
        days = settings.INVITATION_VALID_DAYS
        return portal_link(reverse("invitation_accept", args=[outcome.token])), _days(days)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = portal_link(reverse("password_reset_confirm", args=[uid, token]))
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    return link, _days(hours // 24) if hours % 24 == 0 else f"{hours} hours"


def _days(days: int) -> str:
    return f"{days} day{'s' if days != 1 else ''}"


def person_roles_tell(*, user, gained: list[RoleChange], told_by) -> str:
    """E-mail `user` once about every role in `gained` (given by `told_by`): a set-password
    link when they have never signed in and have no password, otherwise a short e-mail. Sent
    when the transaction commits. Returns what was sent, in the preview's words."""
    if not gained:
        return EMAIL_NONE
    context = {
        "user": user,
        "roles": _role_words(gained),
        "told_by": told_by,
        "organisation_sign_in": organisation_sign_in_offered(),
        "sign_in_link": portal_link(reverse("login")),
    }
    # Someone without a password who has signed in before did so with their organisation
    # account: they need no password to take up their roles.
    if user.has_usable_password() or user.last_login is not None:
        notify(
            to=[user.email],
            subject=f"You have {'a new role' if len(gained) == 1 else 'new roles'} in "
            f"{settings.SERVICE_NAME}",
            template="roles_given",
            context={**context, "link": portal_link(reverse("accounts:account"))},
        )
        return EMAIL_ROLES
    link, valid_for = _set_password_link(user, gained, told_by)
    notify(
        to=[user.email],
        subject=f"You have been invited to {settings.SERVICE_NAME}",
        template="roles_welcome",
        context={**context, "link": link, "valid_for": valid_for},
    )
    return EMAIL_INVITATION
