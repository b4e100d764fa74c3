"""The forms of the token pages: naming a new token and choosing how long it lasts."""

from crispy_forms_gds.layout import Field, Size
from django import forms
from django.conf import settings

from assessments.forms.base import PortalForm

LIFETIMES = [(7, "7 days"), (30, "30 days"), (90, "90 days"), (180, "180 days"), (365, "1 year")]


class AccessTokenForm(PortalForm):
    submit_label = "Create token"

    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What the token is for, so you can tell your tokens apart, "
        "for example “Trust action tracker”.",
        error_messages={
            "required": "Enter a name for the token",
            "max_length": "Enter a name of at most 100 characters",
        },
    )
    days = forms.TypedChoiceField(
        label="How long it lasts",
        choices=LIFETIMES,
        coerce=int,
        widget=forms.RadioSelect,
        help_text="It stops working then; you can revoke it sooner.",
        error_messages={
            "required": "Select how long the token lasts",
            "invalid_choice": "Select how long the token lasts",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        days = settings.API_TOKEN_DAYS
        if days not in dict(LIFETIMES):
            self.fields["days"].choices = sorted([*LIFETIMES, (days, f"{days} days")])
        self.fields["days"].initial = days

    def layout_fields(self) -> list:
        return [
            Field.text("name", field_width=20),
            Field.radios("days", legend_size=Size.SMALL),
        ]


class RevokeTokenForm(forms.Form):
    """Which of the person's tokens to revoke (the view finds it among theirs alone)."""

    token = forms.IntegerField(min_value=1)
