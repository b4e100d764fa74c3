from datetime import date

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout, Size
from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import Count, Q

from assessments.models import (
    Comment,
    Consensus,
    Decision,
    Dissent,
    Framework,
    Invitation,
    Partner,
    Rating,
    Round,
    System,
)
from hicm_portal.validators import validators_of


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


# ---------------------------------------------------------------------------
# Rounds


class RoundForm(PortalForm):
    """Set up (or change, while draft) a round. Rules live in round_services; the form only
    shapes input, so the service reports the same errors to forms and to tests."""

    submit_label = "Save round"

    name = forms.CharField(
        label="Name of the round",
        max_length=100,
        help_text="For example, 2026/27 Q3",
        error_messages={"required": "Enter a name for the round"},
    )
    framework = forms.ModelChoiceField(
        label="Framework",
        queryset=Framework.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select a framework", "invalid_choice": "Select a framework"},
    )
    partners = forms.ModelMultipleChoiceField(
        label="Partners taking part",
        queryset=Partner.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Each partner taking part rates every change once, as one voice.",
        error_messages={
            "required": "Select at least one partner",
            "invalid_choice": "Select partners of this system only",
        },
    )
    opens_on = GovDateField(
        noun="opening date", label="Opening date", help_text="For example, 1 12 2026"
    )
    closes_on = GovDateField(
        noun="closing date", label="Closing date", help_text="Returns are due by this date."
    )
    quorum = forms.IntegerField(
        label="Approval quorum",
        min_value=1,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text="How many steering committee members must approve each agreed level.",
        error_messages={
            "required": "Enter the approval quorum",
            "invalid": "Enter the quorum as a whole number, like 2",
            "min_value": "The quorum must be 1 or more",
        },
    )
    previous_round = forms.ModelChoiceField(
        label="Start from an agreed round (optional)",
        queryset=Round.objects.none(),
        required=False,
        empty_label="Do not start from an earlier round",
        help_text="Partners see the level agreed for each change in that round, as context.",
    )

    def __init__(self, *args, system: System, **kwargs):
        super().__init__(*args, **kwargs)
        framework_choices = [
            Choice(
                framework.pk,
                framework.title,
                hint=f"{framework.change_count} changes"
                + ("" if framework.complete else "; incomplete"),
            )
            for framework in Framework.objects.annotate(
                change_count=Count("changes", filter=Q(changes__archived=False))
            ).order_by("-year", "short_title")
        ]
        self.fields["framework"].queryset = Framework.objects.all()
        self.fields["framework"].choices = framework_choices
        self.fields["partners"].queryset = system.partners.order_by("name")
        self.fields["partners"].choices = [
            Choice(p.pk, p.name, hint=p.get_partner_type_display())
            for p in system.partners.order_by("name")
        ]
        self.fields["previous_round"].queryset = system.rounds.filter(
            status=Round.Status.AGREED
        ).order_by("-closes_on")

    def layout_fields(self) -> list:
        return [
            Field.text("name", field_width=20),
            Field.radios("framework", legend_size=Size.SMALL),
            Field.checkboxes("partners", legend_size=Size.SMALL),
            Field("opens_on"),
            Field("closes_on"),
            Field.text("quorum", field_width=3),
            Field.select("previous_round"),
        ]

    def details(self):
        from assessments.round_services import RoundDetails

        data = self.cleaned_data
        return RoundDetails(
            name=data["name"],
            framework=data["framework"],
            partners=list(data["partners"]),
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
            quorum=data["quorum"],
            previous_round=data.get("previous_round"),
        )


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


# ---------------------------------------------------------------------------
# Review, consensus and approval


class CommentForm(PortalForm):
    submit_label = "Post comment"

    text = forms.CharField(
        label="Add to the discussion",
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=validators_of(Comment, "text"),
        error_messages={"required": "Enter your comment"},
    )


class ProposalForm(forms.Form):
    """The facilitator's proposal for one change. The rules (rationale when the level differs
    from the suggestion or is Mature or above, planned level and date) live in
    consensus_services.check_proposal, so the workshop screen and this page agree."""

    level = forms.ChoiceField(
        label="Agreed level",
        widget=forms.RadioSelect,
        error_messages={"required": "Select a level"},
    )
    rationale = forms.CharField(
        label="Rationale",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed when the level differs from the suggested one, and for Mature or "
        "Exemplary.",
        validators=validators_of(Consensus, "rationale"),
    )
    planned_level = forms.ChoiceField(
        label="Planned level",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the planned level"},
    )
    planned_by = GovDateField(
        noun="planned date",
        label="Date to reach the planned level",
        required=False,
        help_text="For example, 31 3 2027",
    )
    challenges = forms.CharField(
        label="Challenges",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=validators_of(Consensus, "challenges"),
    )
    milestones = forms.CharField(
        label="Milestones met and observed impact",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=validators_of(Consensus, "milestones"),
    )
    support_needs = forms.CharField(
        label="Support needs",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=validators_of(Consensus, "support_needs"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, levels, suggested, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.levels = {str(level.pk): level for level in levels}
        self.fields["level"].choices = [
            Choice(
                str(level.pk),
                f"{level.number} {level.name}",
                hint="Suggested: the median of the partners' ratings, rounded down"
                if suggested is not None and level.pk == suggested.pk
                else "",
            )
            for level in levels
        ]
        self.fields["planned_level"].choices = [
            (str(level.pk), f"{level.number} {level.name}") for level in levels
        ]
        self.partners = partners
        for partner in partners:
            self.fields[f"dissent_{partner.pk}"] = forms.CharField(
                label=f"{partner.name}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                validators=validators_of(Dissent, "note"),
            )

    @staticmethod
    def initial_for(consensus, suggested) -> dict:
        if consensus is None:
            return {"version": 0, "level": str(suggested.pk) if suggested else ""}
        initial = {
            "version": consensus.version,
            "level": str(consensus.level_id),
            "rationale": consensus.rationale,
            "planned_level": str(consensus.planned_level_id or ""),
            "planned_by": consensus.planned_by,
            "challenges": consensus.challenges,
            "milestones": consensus.milestones,
            "support_needs": consensus.support_needs,
        }
        for dissent in consensus.dissents.all():
            initial[f"dissent_{dissent.partner_id}"] = dissent.note
        return initial

    def dissent_fields(self) -> list:
        return [self[f"dissent_{partner.pk}"] for partner in self.partners]

    def proposal_input(self):
        from assessments.consensus_services import ProposalInput

        data = self.cleaned_data
        return ProposalInput(
            level=self.levels[data["level"]],
            rationale=data.get("rationale") or "",
            planned_level=self.levels.get(data.get("planned_level") or ""),
            planned_by=data.get("planned_by"),
            challenges=data.get("challenges") or "",
            milestones=data.get("milestones") or "",
            support_needs=data.get("support_needs") or "",
            dissent={
                partner.pk: data.get(f"dissent_{partner.pk}") or "" for partner in self.partners
            },
        )


class ReturnDecisionForm(forms.Form):
    reason = forms.CharField(
        label="Reason for returning it to review",
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=validators_of(Decision, "reason"),
        error_messages={"required": "Enter the reason for returning this proposal"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class AttendanceForm(PortalForm):
    submit_label = "Save attendance"

    attendees = forms.MultipleChoiceField(
        label="Who is at the meeting",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label="Others attending, and apologies",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=validators_of(Round, "attendance_note"),
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(person.pk): person for person in people}
        self.fields["attendees"].choices = [
            (str(person.pk), person.get_full_name()) for person in people
        ]

    def layout_fields(self) -> list:
        return [Field.checkboxes("attendees", legend_size=Size.SMALL), Field.textarea("note")]
