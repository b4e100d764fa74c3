"""django-allauth's second-factor forms, with GOV.UK error messages (settings.MFA_FORMS)."""

from allauth.mfa.base import forms as base_forms
from allauth.mfa.totp import forms as totp_forms

ENTER_CODE = "Enter the code from your authenticator app, or one of your recovery codes"
ENTER_APP_CODE = "Enter the 6-digit code from your authenticator app"


class AuthenticateForm(base_forms.AuthenticateForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].error_messages["required"] = ENTER_CODE


class ActivateTOTPForm(totp_forms.ActivateTOTPForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].error_messages["required"] = ENTER_APP_CODE
