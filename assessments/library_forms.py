"""The form that takes a framework file for the library (`library_views`)."""

from crispy_forms_gds.layout import Field
from django import forms

from assessments.forms import PortalForm


class FrameworkUploadForm(PortalForm):
    """A framework spreadsheet (the library's template) or a framework YAML file."""

    submit_label = "Upload and preview"

    framework_file = forms.FileField(
        label="Framework file (.xlsx or .yaml)",
        error_messages={"required": "Select a framework file to upload"},
    )

    def layout_fields(self) -> list:
        return [Field("framework_file")]
