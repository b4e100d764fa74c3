"""The form that takes a file of past returns (`history_import_views`)."""

from crispy_forms_gds.layout import Field
from django import forms

from assessments.forms import PortalForm


class PastReturnsForm(PortalForm):
    """The file; for a site administrator, also whether to create missing systems."""

    submit_label = "Upload and preview"

    spreadsheet = forms.FileField(
        label="File of past returns (.xlsx or .csv)",
        error_messages={"required": "Select a file of past returns to upload"},
    )
    create_systems = forms.BooleanField(
        label="Create a system for each area code that no system has yet, from the reference "
        "list of Health and Wellbeing Board areas",
        required=False,
    )

    def __init__(self, *args, can_create_systems: bool = False, **kwargs):
        self.can_create_systems = can_create_systems
        super().__init__(*args, **kwargs)
        if not can_create_systems:
            del self.fields["create_systems"]

    def layout_fields(self) -> list:
        fields = [Field("spreadsheet")]
        if self.can_create_systems:
            fields.append(Field.checkbox("create_systems"))
        return fields
