"""Forms of a system's people: inviting someone, and the invitee setting their password."""

from crispy_forms_gds.layout import Field, Size
from django import forms
from django.contrib.auth import password_validation

from assessments.forms.base import PortalForm
from assessments.models import Invitation, Partner, System


class InvitationForm(PortalForm):
    submit_label = "Send invitation"

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    full_name = forms.CharField(label="Full name (optional)", max_length=150, required=False)
    role = forms.ChoiceField(
        label="Role",
        choices=Invitation.Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a role"},
    )
    partner = forms.ModelChoiceField(
        label="Partner organisation",
        queryset=Partner.objects.none(),
        required=False,
        empty_label="Select a partner",
        help_text="Required for a partner member; optional for facilitators and steering members.",
        error_messages={"invalid_choice": "Select a partner of this system"},
    )

    def __init__(self, *args, system: System, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = system.partners.order_by("name")

    def layout_fields(self) -> list:
        return [
            Field.text("email", field_width=30),
            Field.text("full_name", field_width=20),
            Field.radios("role", legend_size=Size.SMALL),
            Field.select("partner"),
        ]

    def clean(self) -> dict:
        data = super().clean()
        partner_missing = not data.get("partner") and "partner" not in self.errors
        if data.get("role") == Invitation.Role.MEMBER and partner_missing:
            self.add_error("partner", forms.ValidationError("Select a partner", code="required"))
        return data


class SetPasswordForm(PortalForm):
    """The invitee chooses a password (and may correct their name)."""

    submit_label = "Set password and continue"

    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        error_messages={"required": "Enter your full name"},
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters. Avoid common words and your name.",
        error_messages={"required": "Enter a password"},
    )
    password2 = forms.CharField(
        label="Confirm password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Confirm your password"},
    )

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def layout_fields(self) -> list:
        return [
            Field.text("full_name", field_width=20),
            Field.text("password1", field_width=20),
            Field.text("password2", field_width=20),
        ]

    def clean(self) -> dict:
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error(
                "password2", forms.ValidationError("Passwords do not match", code="mismatch")
            )
        elif first:
            from hicm_portal.models import User

            try:
                password_validation.validate_password(
                    first, User(email=self.email, full_name=data.get("full_name", ""))
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data
