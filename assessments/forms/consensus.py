"""Forms of review, consensus and approval: comments, the facilitator's proposal, returning a
proposal, and the workshop's attendance."""

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Size
from django import forms

from assessments.forms.base import GovDateField, PortalForm
from assessments.models import Comment, Consensus, Decision, Dissent, Round
from hicm_portal.validators import validators_of


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

    def shown_level(self):
        """The agreed level the form shows now: the one chosen (when sent back with errors),
        else the saved or suggested one; None when there is none."""
        chosen = self.data.get("level") if self.is_bound else self.initial.get("level")
        return self.levels.get(str(chosen or ""))

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
        label="Reason for returning it",
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=validators_of(Decision, "reason"),
        error_messages={"required": "Enter the reason for returning this proposal"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class ApproveAllForm(forms.Form):
    """Approving every change still waiting for this steering member, confirmed. Each listed
    proposal's version travels with the form, so the service approves only what was shown."""

    confirm = forms.BooleanField(
        label="I have read every proposal listed and approve them all",
        error_messages={"required": "Confirm that you approve every change listed"},
    )

    def __init__(self, *args, waiting, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.codes = [row.change.code for row in waiting]
        for row in waiting:
            # Not required here: a proposal the page did not show is refused by the service.
            self.fields[f"version_{row.change.code}"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=row.consensus.version, required=False
            )

    def versions(self) -> dict[str, int]:
        """Change code → the proposal version shown on the page."""
        shown = {code: self.cleaned_data.get(f"version_{code}") for code in self.codes}
        return {code: version for code, version in shown.items() if version is not None}

    def version_fields(self) -> list:
        return [self[f"version_{code}"] for code in self.codes]


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
