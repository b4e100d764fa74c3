"""Forms of a person's own account."""

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Size
from django import forms

from assessments.forms.base import PortalForm

IMMEDIATE, DIGEST = "immediate", "digest"
CHOOSE = "Select how you want to get e-mails"


class EmailSettingsForm(PortalForm):
    submit_label = "Save your choice"

    frequency = forms.ChoiceField(
        label="How do you want to get e-mails?",
        choices=[
            Choice(IMMEDIATE, "Send me each e-mail as it happens"),
            Choice(
                DIGEST,
                "Send me one e-mail a day with everything that is not a deadline",
                hint="News, such as a return submitted, progress posted on an action or a "
                "round agreed, comes together in one e-mail the next day.",
            ),
        ],
        widget=forms.RadioSelect,
        help_text="Reminders, due dates and overdue actions, invitations, password resets "
        "and changes to your roles always reach you as they happen.",
        error_messages={"required": CHOOSE, "invalid_choice": CHOOSE},
    )

    def layout_fields(self) -> list:
        return [Field.radios("frequency", legend_size=Size.MEDIUM)]
