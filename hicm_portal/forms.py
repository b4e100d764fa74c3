from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string

from hicm_portal.notify import notify


def _gds_helper(*fields, button: str) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.layout = Layout(*fields, Button("submit", button))
    return helper


STAFF_ONLY_CODE = "password_sign_in_off"


class LoginForm(auth_forms.AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct email address and password. Both are case sensitive.",
        "inactive": "This account is not active. Ask your facilitator for help.",
        STAFF_ONLY_CODE: (
            "Log in with your organisation's account, using the button on this page. "
            "Logging in with a password is for site administrators only."
        ),
    }

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        # PASSWORD_SIGNIN=off: everybody but site administrators uses single sign-on.
        if settings.PASSWORD_SIGNIN_STAFF_ONLY and not user.is_staff:
            raise ValidationError(self.error_messages[STAFF_ONLY_CODE], code=STAFF_ONLY_CODE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # GOV.UK: never move focus on load; it skips the skip link and the page's heading.
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["username"].label = "Email address"
        self.fields["username"].error_messages = {"required": "Enter your email address"}
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "email", "spellcheck": "false"}
        )
        self.fields["password"].error_messages = {"required": "Enter your password"}
        self.helper = _gds_helper(
            Field.text("username", field_width=30),
            Field.text("password", field_width=20),
            button="Log in",
        )


class PasswordResetForm(auth_forms.PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].error_messages = {
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        }
        self.helper = _gds_helper(Field.text("email", field_width=30), button="Send reset link")

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        """Sent the way every e-mail of the portal is sent (`notify`), in plain text."""
        notify(
            to=[to_email],
            subject=" ".join(render_to_string(subject_template_name, context).split()),
            template="password_reset",
            context=context,
        )


class SetPasswordForm(auth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].error_messages = {"required": "Enter a new password"}
        self.fields["new_password2"].error_messages = {"required": "Confirm your new password"}
        self.helper = _gds_helper(
            Field.text("new_password1", field_width=20),
            Field.text("new_password2", field_width=20),
            button="Save password",
        )


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        self.fields["old_password"].error_messages = {"required": "Enter your current password"}
        self.fields["new_password1"].error_messages = {"required": "Enter a new password"}
        self.fields["new_password2"].error_messages = {"required": "Confirm your new password"}
        self.helper = _gds_helper(
            Field.text("old_password", field_width=20),
            Field.text("new_password1", field_width=20),
            Field.text("new_password2", field_width=20),
            button="Change password",
        )
