"""django-allauth's adapters, through its documented hooks: nobody signs up, and single sign-on
finds an invited person by the e-mail address their provider has verified, or refuses."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base.constants import AuthError
from django.conf import settings
from django.contrib.auth import get_user_model
from django.shortcuts import render

from accounts.sign_in import sign_in_failed_record

# Why single sign-on was refused, shown on the refusal page.
UNVERIFIED_EMAIL = (
    "Your organisation's sign-in service did not confirm that your email address is verified, "
    "so we cannot tell which account is yours."
)
UNKNOWN_PERSON = "There is no account on {service} for the email address {email}."
NO_EMAIL = "Your organisation's sign-in service did not tell us your email address."
LINKED_ELSEWHERE = "Your organisation's account is linked to another person's account here."
PROVIDER_REFUSED = (
    "Your organisation's sign-in service did not sign you in, or its answer could not be trusted."
)
CANCELLED = "You cancelled logging in."
# The pages say who is signed in; "signed in as…" and "signed out" banners add nothing.
SILENT_MESSAGES = frozenset({"account/messages/logged_in.txt", "account/messages/logged_out.txt"})
ALLAUTH_MFA_STAGE = "allauth.mfa.stages.AuthenticateStage"
PORTAL_MFA_STAGE = "accounts.sign_in.SecondFactorStage"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # People join by invitation or import only.
        return False

    def get_login_stages(self) -> list[str]:
        return [
            PORTAL_MFA_STAGE if stage == ALLAUTH_MFA_STAGE else stage
            for stage in super().get_login_stages()
        ]

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        # Setting up or removing the second factor needs a signed-in session, which has already
        # passed the second factor where there is one; the portal asks for no password again.
        if app == "allauth.mfa":
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def login(self, request, user) -> None:
        # A person found by single sign-on was not authenticated by a backend.
        if not hasattr(user, "backend"):
            user.backend = "django.contrib.auth.backends.ModelBackend"
        super().login(request, user)

    def add_message(self, request, level, message_template=None, *args, **kwargs) -> None:
        if message_template in SILENT_MESSAGES:
            return
        super().add_message(request, level, message_template, *args, **kwargs)


def _refuse(request, *, reason: str, provider_name: str):
    response = render(
        request,
        "socialaccount/refused.html",
        {
            "reason": reason,
            "provider_name": provider_name,
            "password_sign_in_off": settings.PASSWORD_SIGNIN_STAFF_ONLY,
        },
        status=403,
    )
    return ImmediateHttpResponse(response)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        return False

    def pre_social_login(self, request, sociallogin) -> None:
        """Find the invited, active person with the provider's verified e-mail address, or show
        the refusal page. Nobody is created; a role comes only from an invitation or import."""
        provider_name = sociallogin.provider.name
        addresses = [address for address in sociallogin.email_addresses if address.email]
        if not addresses:
            raise _refuse(request, reason=NO_EMAIL, provider_name=provider_name)
        users = get_user_model().objects
        verified = [address.email for address in addresses if address.verified]
        if not verified:
            for address in addresses:
                known = users.filter(email__iexact=address.email, is_active=True).first()
                if known is not None:
                    sign_in_failed_record(
                        user=known,
                        request=request,
                        method=provider_name,
                        detail="Email address not verified by the provider",
                    )
            raise _refuse(request, reason=UNVERIFIED_EMAIL, provider_name=provider_name)
        person = users.filter(email__iexact=verified[0], is_active=True).first()
        if person is None:
            reason = UNKNOWN_PERSON.format(service=settings.SERVICE_NAME, email=verified[0])
            raise _refuse(request, reason=reason, provider_name=provider_name)
        if sociallogin.is_existing:
            if sociallogin.user.pk != person.pk:
                # The provider's account was linked to someone else, whose address has changed.
                sign_in_failed_record(
                    user=person,
                    request=request,
                    method=provider_name,
                    detail="Provider account linked to another person",
                )
                raise _refuse(request, reason=LINKED_ELSEWHERE, provider_name=provider_name)
            return
        sociallogin.connect(request, person)

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        """A refused answer from the provider (a token for another client, an expired token):
        the GOV.UK refusal page, not allauth's."""
        reason = CANCELLED if error == AuthError.CANCELLED else PROVIDER_REFUSED
        raise _refuse(request, reason=reason, provider_name=provider.name)


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": (
            "The code is not right. Enter the code your authenticator app shows now"
        ),
    }
