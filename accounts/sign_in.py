"""Sign-in rules, written once: who must have a second factor, how a session was signed in, and
the account events that django-allauth's and django.contrib.auth's documented signals report.

Password sign-in and single sign-on both finish in django-allauth's login flow, whose stages
ask for the second factor. A person who signed in through single sign-on has already proved
who they are to their organisation, so they are not asked again (`SecondFactorStage`).
"""

from allauth.account.signals import user_logged_in
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import (
    authentication_failed,
    authenticator_added,
    authenticator_removed,
    authenticator_reset,
)
from allauth.mfa.stages import AuthenticateStage
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from accounts.events import account_event_record
from accounts.models import AccountEvent

# The session remembers how its person signed in: "password" or "single_sign_on".
SIGN_IN_METHOD_KEY = "hicm_sign_in_method"
BY_PASSWORD = "password"  # noqa: S105 (a sign-in method, not a password)
SINGLE_SIGN_ON = "single_sign_on"


def second_factor_required(user) -> bool:
    """Site administrators, facilitators and regional and national viewers must set up a second
    factor (when SECOND_FACTOR_REQUIRED is on); everyone else may."""
    from assessments.rules import roles_of  # accounts is below assessments

    if not settings.SECOND_FACTOR_REQUIRED or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    roles = roles_of(user)
    return bool(roles.facilitator_of or roles.viewer_of_regions or roles.national)


def has_second_factor(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def signed_in_with_single_sign_on(request) -> bool:
    return request.session.get(SIGN_IN_METHOD_KEY) == SINGLE_SIGN_ON


class SecondFactorStage(AuthenticateStage):
    """allauth's "enter your code" stage, skipped for single sign-on."""

    def handle(self) -> tuple:
        if (self.login.signal_kwargs or {}).get("sociallogin") is not None:
            return None, True
        return super().handle()


@receiver(user_logged_in)
def _record_sign_in(sender, request, user, sociallogin=None, **kwargs) -> None:
    if sociallogin is not None:
        request.session[SIGN_IN_METHOD_KEY] = SINGLE_SIGN_ON
        method = sociallogin.provider.name
    else:
        request.session[SIGN_IN_METHOD_KEY] = BY_PASSWORD
        method = "password"
    account_event_record(
        user=user, kind=AccountEvent.Kind.SIGNED_IN, request=request, method=method
    )


def sign_in_failed_record(*, user, request, method: str, detail: str = "") -> None:
    """A refused sign-in of a known person, for their Account page."""
    account_event_record(
        user=user,
        kind=AccountEvent.Kind.SIGN_IN_FAILED,
        request=request,
        method=method,
        detail=detail,
    )


@receiver(user_login_failed)
def _record_password_failure(sender, credentials, request=None, **kwargs) -> None:
    address = credentials.get("username") or credentials.get("email")
    if not isinstance(address, str) or request is None:
        return
    user = get_user_model().objects.filter(email__iexact=address.strip()).first()
    if user is not None:
        sign_in_failed_record(
            user=user, request=request, method="password", detail="Wrong password"
        )


@receiver(authentication_failed)
def _record_code_failure(sender, request, user, **kwargs) -> None:
    sign_in_failed_record(user=user, request=request, method="second factor", detail="Wrong code")


@receiver(authenticator_added)
def _record_authenticator_added(sender, request, user, authenticator, **kwargs) -> None:
    if authenticator.type == Authenticator.Type.TOTP:
        kind = AccountEvent.Kind.SECOND_FACTOR_ADDED
    else:
        kind = AccountEvent.Kind.RECOVERY_CODES_MADE
    account_event_record(user=user, kind=kind, request=request, method="authenticator app")


@receiver(authenticator_removed)
def _record_authenticator_removed(sender, request, user, authenticator, **kwargs) -> None:
    if authenticator.type == Authenticator.Type.TOTP:
        account_event_record(
            user=user,
            kind=AccountEvent.Kind.SECOND_FACTOR_REMOVED,
            request=request,
            method="authenticator app",
        )


@receiver(authenticator_reset)
def _record_recovery_codes(sender, request, user, authenticator, **kwargs) -> None:
    account_event_record(user=user, kind=AccountEvent.Kind.RECOVERY_CODES_MADE, request=request)
