"""A system's choice to be named to its region (`assessments.services.system_naming_set`)."""

from crispy_forms_gds.layout import Field, Size
from django import forms

from assessments.forms.base import PortalForm

NAMED, NOT_NAMED = "yes", "no"


class SystemNamingForm(PortalForm):
    submit_label = "Save"

    named = forms.ChoiceField(
        label="Should others in your region see your system's name beside its levels?",
        choices=[
            (NAMED, "Yes, name our system to the region"),
            (NOT_NAMED, "No, show our levels without our name"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether to name your system to the region"},
    )

    def layout_fields(self) -> list:
        return [Field.radios("named", legend_size=Size.MEDIUM)]
