"""What every form of the portal shares: the GOV.UK FormHelper, the GOV.UK date input, and
showing a service's errors on a form. Other apps' forms build on these too."""

from datetime import date

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when it names one."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            for message in messages:
                form.add_error(name if name in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class GovDateField(DateInputField):
    """A GOV.UK date input with GOV.UK's messages ("… must be a real date", "… must include a
    month"), named after the date being asked for."""

    PARTS = ("day", "month", "year")

    def __init__(self, *, noun: str, **kwargs):
        # Part-filled dates reach compress(), which names the missing part.
        super().__init__(require_all_fields=False, **kwargs)
        self.noun = noun
        self.error_messages.update(
            {"required": f"Enter the {noun}", "incomplete": f"Enter the {noun}"}
        )
        for subfield in self.fields:
            subfield.required = False
            subfield.validators = [
                RegexValidator(r"^\s*[0-9]+\s*$", f"The {noun} must be a real date")
            ]

    def compress(self, data_list):
        values = [str(v).strip() if v is not None else "" for v in (data_list or [])]
        values += [""] * (3 - len(values))
        if not any(values):
            return None
        missing = [part for part, value in zip(self.PARTS, values, strict=True) if not value]
        if missing:
            raise ValidationError(
                f"The {self.noun} must include a {' and a '.join(missing)}", code="incomplete"
            )
        day, month, year = (int(v) for v in values)
        if year < 1000:
            raise ValidationError(f"The {self.noun} must include a 4-digit year", code="invalid")
        try:
            return date(year, month, day)
        except ValueError as error:
            raise ValidationError(f"The {self.noun} must be a real date", code="invalid") from error


class PortalForm(forms.Form):
    """Base form: builds the GOV.UK FormHelper once, so every form renders the same way."""

    submit_label = "Continue"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(*self.layout_fields(), Button("submit", self.submit_label))

    def layout_fields(self) -> list:
        return list(self.fields)
