from decimal import Decimal

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Size
from django import forms
from django.contrib.auth import get_user_model

from assessments.forms import GovDateField, PortalForm
from assessments.models import Change, Level, Partner, Round
from hicm_portal.validators import validators_of
from improvement_plans.models import Action, Investment, Rag, ReturnNarrative
from improvement_plans.services import ActionInput, InvestmentInput

AUTO_RAG = ""


class ActionForm(PortalForm):
    submit_label = "Save action"

    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter a title for the action"}
    )
    description = forms.CharField(
        label="Description (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    change = forms.ModelChoiceField(
        label="Change",
        queryset=Change.objects.none(),
        empty_label="Select a change",
        error_messages={
            "required": "Select the change this action is for",
            "invalid_choice": "Select a change of this round's framework",
        },
    )
    target_level = forms.ModelChoiceField(
        label="Level it helps reach (optional)",
        queryset=Level.objects.none(),
        required=False,
        empty_label="Not set",
    )
    lead_partner = forms.ModelChoiceField(
        label="Lead partner",
        queryset=Partner.objects.none(),
        empty_label="Select a partner",
        error_messages={
            "required": "Select the lead partner",
            "invalid_choice": "Select a partner of this system",
        },
    )
    contributing_partners = forms.ModelMultipleChoiceField(
        label="Contributing partners (optional)",
        queryset=Partner.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    owner = forms.ModelChoiceField(
        label="Owner",
        queryset=get_user_model().objects.none(),
        empty_label="Select the owner",
        help_text="A member of one of the system's partners. They are told by e-mail.",
        error_messages={
            "required": "Select the owner",
            "invalid_choice": "Select an owner who is a member of one of this system's partners",
        },
    )
    start_date = GovDateField(noun="start date", label="Start date")
    due_date = GovDateField(noun="due date", label="Due date")
    status = forms.ChoiceField(
        label="Status",
        choices=Action.Status.choices,
        widget=forms.RadioSelect,
        initial=Action.Status.NOT_STARTED,
    )
    rag_override = forms.ChoiceField(
        label="RAG status",
        choices=[(AUTO_RAG, "Work it out from the dates and status"), *Rag.choices],
        widget=forms.RadioSelect,
        required=False,
    )
    rag_override_reason = forms.CharField(
        label="Reason for overriding the RAG status",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    investments = forms.ModelMultipleChoiceField(
        label="Investments it draws on (optional)",
        queryset=Investment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, round_: Round, **kwargs):
        super().__init__(*args, **kwargs)
        system = round_.system
        self.fields["change"].queryset = Change.objects.filter(
            framework=round_.framework, archived=False
        )
        self.fields["target_level"].queryset = round_.framework.levels.all()
        partners = system.partners.order_by("name")
        self.fields["lead_partner"].queryset = partners
        self.fields["contributing_partners"].queryset = partners
        self.fields["owner"].queryset = (
            get_user_model()
            .objects.filter(memberships__partner__system=system)
            .distinct()
            .order_by("full_name", "email")
        )
        self.fields["owner"].label_from_instance = lambda user: (
            f"{user.get_full_name()} ({user.email})"
        )
        self.fields["investments"].queryset = Investment.objects.filter(round=round_)
        self.fields["rag_override"].choices = [
            Choice(AUTO_RAG, "Work it out from the dates and status"),
            *[Choice(value, label) for value, label in Rag.choices],
        ]

    def clean(self):
        # The service checks this too, but only once every field is valid; checked here, it
        # shows in the error summary beside the other errors, as GOV.UK asks.
        cleaned = super().clean()
        start, due = cleaned.get("start_date"), cleaned.get("due_date")
        if start and due and due < start:
            self.add_error("due_date", "The due date must be the same as or after the start date")
        return cleaned

    def layout_fields(self) -> list:
        return [
            Field.text("title", field_width=30),
            Field.textarea("description"),
            Field.select("change"),
            Field.select("target_level"),
            Field.select("lead_partner"),
            Field.checkboxes("contributing_partners", legend_size=Size.SMALL, small=True),
            Field.select("owner"),
            Field("start_date"),
            Field("due_date"),
            Field.radios("status", legend_size=Size.SMALL, small=True),
            Field.radios("rag_override", legend_size=Size.SMALL, small=True),
            Field.textarea("rag_override_reason"),
            Field.checkboxes("investments", legend_size=Size.SMALL, small=True),
        ]

    def action_input(self, template=None) -> ActionInput:
        return action_input_from(
            self.cleaned_data,
            investments=list(self.cleaned_data.get("investments") or []),
            template=template,
        )


class ProgressForm(PortalForm):
    submit_label = "Post update"

    note = forms.CharField(
        label="What has happened",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what has happened"},
    )
    on = GovDateField(
        noun="date of the update",
        label="Date of the update",
        required=False,
        help_text="Leave empty for today.",
    )
    new_status = forms.ChoiceField(
        label="Change the status (optional)",
        required=False,
        choices=[("", "Keep the status"), *Action.Status.choices],
    )
    new_rag = forms.ChoiceField(
        label="Change the RAG status (optional)",
        required=False,
        choices=[
            ("", "Keep the RAG status"),
            ("auto", "Work it out from the dates and status"),
            *Rag.choices,
        ],
        help_text="Overriding the RAG status uses this update as the reason.",
    )

    def layout_fields(self) -> list:
        return [
            Field.textarea("note"),
            Field("on"),
            Field.select("new_status"),
            Field.select("new_rag"),
        ]


class InvestmentForm(PortalForm):
    submit_label = "Save investment"

    scheme_name = forms.CharField(
        label="Scheme name", max_length=200, error_messages={"required": "Enter the scheme name"}
    )
    funding_source = forms.ChoiceField(
        label="Funding source",
        choices=Investment.Source.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the funding source"},
    )
    amount = forms.DecimalField(
        label="Amount in pounds",
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        help_text="For example, 125000 or 1250.50",
        error_messages={
            "required": "Enter the amount",
            "invalid": "Enter the amount as a number, like 1250.50",
            "min_value": "The amount must be £0 or more",
            "max_decimal_places": "Enter the amount in pounds and pence, like 1250.50",
            "max_digits": "The amount must be less than £10,000,000,000",
        },
    )
    financial_year = forms.RegexField(
        label="Financial year",
        regex=r"^20\d\d/\d\d$",
        max_length=7,
        help_text="For example, 2026/27",
        error_messages={
            "required": "Enter the financial year",
            "invalid": "Enter the financial year like 2026/27",
        },
    )
    changes = forms.ModelMultipleChoiceField(
        label="Changes it serves",
        queryset=Change.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one change this investment serves"},
    )

    def __init__(self, *args, round_: Round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["changes"].queryset = Change.objects.filter(
            framework=round_.framework, archived=False
        )

    def layout_fields(self) -> list:
        return [
            Field.text("scheme_name", field_width=30),
            Field.radios("funding_source", legend_size=Size.SMALL, small=True),
            Field.text("amount", field_width=10),
            Field.text("financial_year", field_width=5),
            Field.checkboxes("changes", legend_size=Size.SMALL, small=True),
        ]

    def investment_input(self) -> InvestmentInput:
        data = self.cleaned_data
        return InvestmentInput(
            scheme_name=data["scheme_name"],
            funding_source=data["funding_source"],
            amount=data["amount"],
            financial_year=data["financial_year"],
            changes=list(data["changes"]),
        )


class ActionImportForm(PortalForm):
    submit_label = "Upload and preview"

    spreadsheet = forms.FileField(
        label="Spreadsheet of actions (.xlsx or .csv)",
        error_messages={"required": "Select a spreadsheet to upload"},
    )

    def layout_fields(self) -> list:
        return [Field("spreadsheet")]


class NarrativeForm(PortalForm):
    submit_label = "Save the draft narrative"

    performance_issues = forms.CharField(
        label="Current performance issues to be addressed",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        validators=validators_of(ReturnNarrative, "performance_issues"),
    )
    changes_to_embed = forms.CharField(
        label="The changes to embed further, including commitments on reablement and care homes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        validators=validators_of(ReturnNarrative, "changes_to_embed"),
    )
    anticipated_improvements = forms.CharField(
        label="Anticipated improvements",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        validators=validators_of(ReturnNarrative, "anticipated_improvements"),
    )


def action_input_from(data: dict, *, investments: list, template) -> ActionInput:
    """What the action services take, from a form's cleaned data (the page's form and the
    admin's alike)."""
    return ActionInput(
        title=data["title"],
        description=data.get("description") or "",
        change=data["change"],
        target_level=data.get("target_level"),
        lead_partner=data["lead_partner"],
        contributing_partners=list(data.get("contributing_partners") or []),
        owner=data["owner"],
        start_date=data["start_date"],
        due_date=data["due_date"],
        status=data["status"],
        rag_override=data.get("rag_override") or "",
        rag_override_reason=data.get("rag_override_reason") or "",
        investments=investments,
        template=template,
    )
