"""Sign-in addresses under /accounts/: the sign-in page, single sign-on and the second factor."""

from allauth.mfa.base import views as mfa_views
from allauth.mfa.recovery_codes import views as recovery_code_views
from allauth.mfa.totp import views as totp_views
from allauth.socialaccount.providers.openid_connect import views as oidc_views
from django.urls import path
from django.views.generic import RedirectView

from accounts import sign_in_views

urlpatterns = [
    path("login/", sign_in_views.SignInView.as_view(), name="login"),
    # Where django-allauth sends people back to (an abandoned second-factor step): the same page.
    path(
        "login/again/",
        RedirectView.as_view(pattern_name="login", query_string=True),
        name="account_login",
    ),
    path("oidc/<slug:provider_id>/login/", oidc_views.login, name="openid_connect_login"),
    path(
        "oidc/<slug:provider_id>/login/callback/",
        oidc_views.callback,
        name="openid_connect_callback",
    ),
    # The second factor (django-allauth's views; the portal never asks to confirm a password
    # again, accounts.adapters.AccountAdapter.is_reauthentication_required).
    path("2fa/", mfa_views.index, name="mfa_index"),
    path("2fa/authenticate/", mfa_views.authenticate, name="mfa_authenticate"),
    path("2fa/totp/activate/", totp_views.activate_totp, name="mfa_activate_totp"),
    path("2fa/totp/deactivate/", totp_views.deactivate_totp, name="mfa_deactivate_totp"),
    path(
        "2fa/recovery-codes/",
        recovery_code_views.view_recovery_codes,
        name="mfa_view_recovery_codes",
    ),
    path(
        "2fa/recovery-codes/generate/",
        recovery_code_views.generate_recovery_codes,
        name="mfa_generate_recovery_codes",
    ),
    path(
        "2fa/recovery-codes/download/",
        recovery_code_views.download_recovery_codes,
        name="mfa_download_recovery_codes",
    ),
]
