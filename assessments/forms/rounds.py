"""The forms of a round: setting it up (or changing it, while draft), and running it once
open (a new closing date, cancelling it, reopening a partner's return)."""

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Size
from django import forms
from django.db.models import Count, Q

from assessments.forms.base import GovDateField, PortalForm
from assessments.models import Framework, Partner, Round, System


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


class ClosingDateForm(PortalForm):
    """A new closing date for a round in rating; the rules are the service's."""

    submit_label = "Change the closing date and tell partners"

    closes_on = GovDateField(
        noun="new closing date",
        label="New closing date",
        help_text="For example, 31 3 2027",
    )

    def layout_fields(self) -> list:
        return [Field("closes_on")]


class CancelRoundForm(PortalForm):
    """Why the facilitator cancels a round; everyone taking part is told."""

    submit_label = "Cancel the round and tell everyone"

    cancel_reason = forms.CharField(
        label="Why are you cancelling the round?",
        help_text="Everyone taking part is e-mailed this reason, and it is shown on the round.",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter why you are cancelling the round",
            "max_length": "The reason must be 1,000 characters or fewer",
        },
    )

    def layout_fields(self) -> list:
        return [Field.textarea("cancel_reason")]


class ReopenReturnForm(PortalForm):
    """Why the facilitator reopens a partner's return; its members are told."""

    submit_label = "Reopen the return and tell its members"

    reason = forms.CharField(
        label="Why are you reopening the return?",
        help_text="The partner's members are e-mailed this reason.",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter why you are reopening the return",
            "max_length": "The reason must be 1,000 characters or fewer",
        },
    )

    def layout_fields(self) -> list:
        return [Field.textarea("reason")]
