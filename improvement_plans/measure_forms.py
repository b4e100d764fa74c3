"""The form of a local measure: name, unit, baseline (value and date), latest (value and
date) and target. Values are typed as people write them: 23, 23.5, 1,250 or -4."""

from decimal import Decimal

from crispy_forms_gds.layout import Field
from django import forms
from django.core.exceptions import ValidationError

from assessments.forms import GovDateField, PortalForm
from hicm_portal.money import parse_number
from improvement_plans.measure_services import MeasureInput, date_problems, value_problem
from improvement_plans.models import Measure


class MeasureValueField(forms.CharField):
    """A number as people type it: "23", "23.5", "1,250", "-4"; at most two decimal places.
    Cleans to a Decimal (None when empty and not required)."""

    def __init__(self, *, noun: str, example: str = "23, 23.5 or 1,250", **kwargs):
        self.noun = noun
        self.example = example
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"})
        )
        super().__init__(**kwargs)
        self.error_messages["required"] = f"Enter the {noun}"

    def to_python(self, value) -> Decimal | None:
        if not str(value or "").strip():
            return None
        try:
            number = parse_number(value)
        except ValueError:
            raise ValidationError(
                f"Enter the {self.noun} as a number, like {self.example}", code="invalid"
            ) from None
        problem = value_problem(number)
        if problem:
            raise ValidationError(problem, code="invalid")
        return number


class MeasureForm(PortalForm):
    submit_label = "Save measure"

    name = forms.CharField(
        label="Name of the measure",
        max_length=Measure._meta.get_field("name").max_length,
        help_text="For example, average reablement episode",
        error_messages={
            "required": "Enter the name of the measure",
            "max_length": "Enter a name of at most %(limit_value)d characters",
        },
    )
    unit = forms.CharField(
        label="Unit (optional)",
        max_length=Measure._meta.get_field("unit").max_length,
        required=False,
        help_text="For example, days, %, or people a week",
        error_messages={"max_length": "Enter a unit of at most %(limit_value)d characters"},
    )
    baseline_value = MeasureValueField(noun="baseline value", label="Baseline value")
    baseline_on = GovDateField(
        noun="baseline date",
        label="Baseline date",
        help_text="For example, 1 4 2025",
    )
    latest_value = MeasureValueField(
        noun="latest value", label="Latest value (optional)", required=False
    )
    latest_on = GovDateField(
        noun="date of the latest value",
        label="Date of the latest value (optional)",
        required=False,
        help_text="For example, 1 10 2025",
    )
    target_value = MeasureValueField(noun="target", label="Target (optional)", required=False)

    def clean(self):
        # The service asks the same (date_problems); asked here, the dates' errors show in the
        # error summary beside the other fields' errors, as GOV.UK asks.
        cleaned = super().clean()
        for name, message in date_problems(
            cleaned.get("baseline_on"), cleaned.get("latest_on")
        ).items():
            if name not in self.errors:
                self.add_error(name, message)
        return cleaned

    def layout_fields(self) -> list:
        return [
            Field.text("name", field_width=30),
            Field.text("unit", field_width=10),
            Field.text("baseline_value", field_width=10),
            Field("baseline_on"),
            Field.text("latest_value", field_width=10),
            Field("latest_on"),
            Field.text("target_value", field_width=10),
        ]

    def measure_input(self) -> MeasureInput:
        data = self.cleaned_data
        return MeasureInput(
            name=data["name"],
            unit=data.get("unit") or "",
            baseline_value=data["baseline_value"],
            baseline_on=data["baseline_on"],
            latest_value=data.get("latest_value"),
            latest_on=data.get("latest_on"),
            target_value=data.get("target_value"),
        )

    @staticmethod
    def initial_for(measure: Measure) -> dict:
        return {
            "name": measure.name,
            "unit": measure.unit,
            "baseline_value": _typed(measure.baseline_value),
            "baseline_on": measure.baseline_on,
            "latest_value": _typed(measure.latest_value),
            "latest_on": measure.latest_on,
            "target_value": _typed(measure.target_value),
        }


def _typed(value: Decimal | None) -> str:
    """A stored value as a person would type it: 23.00 → "23", 1250.50 → "1250.5"."""
    if value is None:
        return ""
    text = f"{value:.2f}"
    return text.rstrip("0").rstrip(".")
