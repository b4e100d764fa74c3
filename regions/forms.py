"""The filters of the levels map and the summaries: a GET form, so a filtered page (and its
downloads) is a link anyone allowed can share."""

from dataclasses import dataclass
from datetime import date

from django import forms

from assessments.forms.base import PortalForm
from assessments.models import Framework, Round
from hicm_portal.words import govuk_date, parse_date
from regions.selectors import NO_ROUND

YES, NO = "yes", "no"
# The states of a system's current round a page can filter by (drafts are never shown).
STATE_CHOICES = [
    ("", "Any state"),
    *[
        (value, label)
        for value, label in Round.Status.choices
        if value not in (Round.Status.DRAFT, Round.Status.CANCELLED)
    ],
    (NO_ROUND, "No round yet"),
]


@dataclass(frozen=True)
class Filters:
    framework: Framework
    as_of: date | None
    period: str
    state: str
    crosswalk: bool

    def words(self) -> str:
        """The filters in a sentence, for captions and downloads."""
        when = (
            f"in rounds named {self.period}"
            if self.period
            else f"as agreed on or before {self.as_of_words()}"
        )
        parts = [f"{self.framework.short_title}, {when}"]
        if self.crosswalk:
            parts.append("with earlier editions carried over the crosswalk")
        if self.state:
            parts.append(f"systems whose current round is: {dict(STATE_CHOICES)[self.state]}")
        return "; ".join(parts)

    def as_of_words(self) -> str:
        return govuk_date(self.as_of) if self.as_of else "today"


class LevelsFilterForm(PortalForm):
    submit_label = "Show"

    framework = forms.ChoiceField(
        label="Framework",
        required=False,
        error_messages={"invalid_choice": "Choose a framework from the list"},
    )
    as_of = forms.CharField(
        label="As agreed on or before (optional)",
        required=False,
        max_length=40,
        help_text="For example, 31 March 2025. Leave empty for today.",
    )
    period = forms.ChoiceField(
        label="Or in the round named (optional)",
        required=False,
        help_text="Each system's agreed round of that name, instead of a date.",
        error_messages={"invalid_choice": "Choose a round name from the list"},
    )
    state = forms.ChoiceField(
        label="State of the system's current round",
        required=False,
        choices=STATE_CHOICES,
        error_messages={"invalid_choice": "Choose a state from the list"},
    )
    crosswalk = forms.ChoiceField(
        label="Carry levels from the earlier edition over the crosswalk",
        choices=[(NO, "No"), (YES, "Yes")],
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose yes or no"},
    )

    def __init__(self, data, *, frameworks: list[Framework], default: Framework, periods: list):
        # The defaults shown as chosen when the page is opened without filters.
        data = data.copy()
        data.setdefault("framework", default.key)
        data.setdefault("crosswalk", NO)
        super().__init__(data)
        self.frameworks = {framework.key: framework for framework in frameworks}
        self.default = default
        self.fields["framework"].choices = [(f.key, str(f)) for f in frameworks]
        self.fields["framework"].initial = default.key
        self.fields["period"].choices = [("", "Any (use the date)")] + [(p, p) for p in periods]

    def clean_framework(self) -> Framework:
        key = self.cleaned_data.get("framework") or self.default.key
        return self.frameworks[key]

    def clean_as_of(self) -> date | None:
        text = (self.cleaned_data.get("as_of") or "").strip()
        if not text:
            return None
        try:
            return parse_date(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("as_of") and cleaned.get("period"):
            self.add_error(
                "period", "Choose a date or a round name, not both: leave one of them empty"
            )
        return cleaned

    def filters(self) -> Filters:
        """The filters asked for (the defaults where the form was not sent)."""
        data = self.cleaned_data
        return Filters(
            framework=data.get("framework") or self.default,
            as_of=data.get("as_of"),
            period=data.get("period") or "",
            state=data.get("state") or "",
            crosswalk=data.get("crosswalk") == YES,
        )
