"""Forms of a partner's ratings: one change at a time, or the offline spreadsheet of them all."""

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field
from django import forms

from assessments.forms.base import PortalForm
from assessments.models import Rating
from hicm_portal.validators import validators_of

EVIDENCE_ROWS = 5


class RatingForm(forms.Form):
    """One partner's rating of one change. `complete` decides how strictly it is checked:
    "Save and continue" needs everything; "Save as draft" keeps whatever was typed."""

    level = forms.ChoiceField(
        label="Maturity level",
        widget=forms.RadioSelect,
        required=False,
    )
    rationale = forms.CharField(
        label="Rationale",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text="Why this level: what you see in practice across your organisation.",
        validators=validators_of(Rating, "rationale"),
    )
    confidence = forms.ChoiceField(
        label="How confident are you in this rating?",
        choices=Rating.Confidence.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    # What "Save and continue" says about each part `Rating.missing_parts` finds missing:
    # the field it belongs to, the message and its code.
    MISSING = {
        "level": ("level", "Select a maturity level", "required"),
        "rationale": ("rationale", "Enter the rationale for this level", "required"),
        "confidence": ("confidence", "Select how confident you are in this rating", "required"),
        "evidence": (
            "evidence_url_1",
            "Add at least one piece of evidence: {level} needs evidence of impact behind it",
            "evidence_required",
        ),
    }

    def __init__(self, *args, level_hints, complete: bool, **kwargs):
        super().__init__(*args, **kwargs)
        # The page lays the fields out itself; the helper is what the error summary reads.
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.complete = complete
        self.levels = {str(level.pk): level for level, _ in level_hints}
        self.fields["level"].choices = [
            Choice(str(level.pk), f"{level.number} {level.name}", hint=hint)
            for level, hint in level_hints
        ]
        for index in range(1, EVIDENCE_ROWS + 1):
            self.fields[f"evidence_title_{index}"] = forms.CharField(
                label=f"Evidence {index}: title", max_length=200, required=False
            )
            self.fields[f"evidence_url_{index}"] = forms.URLField(
                label=f"Evidence {index}: web address",
                max_length=500,
                required=False,
                assume_scheme="https",
                # A text input, so GOV.UK styles it; inputmode brings up the web address keyboard.
                widget=forms.TextInput(attrs={"inputmode": "url", "spellcheck": "false"}),
                error_messages={
                    "invalid": "Enter a web address in the correct format, like "
                    "https://www.example.org/report"
                },
            )

    @staticmethod
    def initial_for(rating: Rating | None) -> dict:
        if rating is None:
            return {"version": 0}
        initial = {
            "level": str(rating.level_id) if rating.level_id else "",
            "rationale": rating.rationale,
            "confidence": rating.confidence,
            "version": rating.version,
        }
        for index, link in enumerate(rating.evidence[:EVIDENCE_ROWS], start=1):
            initial[f"evidence_title_{index}"] = link["title"]
            initial[f"evidence_url_{index}"] = link["url"]
        return initial

    def evidence_rows(self) -> list[tuple]:
        return [
            (index, self[f"evidence_title_{index}"], self[f"evidence_url_{index}"])
            for index in range(1, EVIDENCE_ROWS + 1)
        ]

    def clean(self) -> dict:
        data = super().clean()
        evidence = []
        for index in range(1, EVIDENCE_ROWS + 1):
            title = (data.get(f"evidence_title_{index}") or "").strip()
            url = data.get(f"evidence_url_{index}") or ""
            if title and not url and f"evidence_url_{index}" not in self.errors:
                self.add_error(
                    f"evidence_url_{index}",
                    forms.ValidationError(
                        "Enter the web address of this evidence", code="required"
                    ),
                )
            if url:
                evidence.append({"title": title or url, "url": url})
        data["evidence"] = evidence
        level = self.levels.get(data.get("level") or "")
        data["level_object"] = level
        if self.complete:
            missing = Rating.missing_parts(
                level=level,
                rationale=data.get("rationale") or "",
                confidence=data.get("confidence") or "",
                evidence=evidence,
            )
            for part in missing:
                field, message, code = self.MISSING[part]
                self.add_error(
                    field,
                    forms.ValidationError(message.format(level=level.name if level else ""), code),
                )
        return data

    def rating_input(self):
        from assessments.round_services import RatingInput

        data = self.cleaned_data
        return RatingInput(
            level=data["level_object"],
            rationale=data.get("rationale") or "",
            evidence=data["evidence"],
            confidence=data.get("confidence") or "",
        )


class UploadForm(PortalForm):
    submit_label = "Upload and preview"

    spreadsheet = forms.FileField(
        label="Your completed spreadsheet",
        help_text="The .xlsx file you downloaded from this page, filled in.",
        error_messages={"required": "Select a spreadsheet to upload"},
    )

    def layout_fields(self) -> list:
        return [Field("spreadsheet")]
