import re

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import HTML, Button, Field, Fieldset, Layout, Size
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.html import escape

from assessments.forms import GovDateField, PortalForm
from assessments.framework_content import content_for_round
from assessments.models import Change, Level, Partner, Round
from hicm_portal.money import format_amount, parse_amount, pounds
from hicm_portal.validators import validators_of
from improvement_plans import markdown
from improvement_plans.models import Action, Investment, InvestmentChange, Rag, ReturnNarrative
from improvement_plans.return_selectors import NARRATIVE_PROMPTS
from improvement_plans.selectors import investments_in_plan
from improvement_plans.services import (
    MESSAGE_NO_CHANGES,
    ActionInput,
    FundingLineInput,
    InvestmentInput,
)

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
        # The changes the round agreed, named as in its own wording version.
        changes = {change.pk: change for change in content_for_round(round_).live_changes}
        self.fields["change"].queryset = Change.objects.filter(pk__in=changes).order_by("position")
        self.fields["change"].label_from_instance = lambda change: str(
            changes.get(change.pk, change)
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
        self.fields["investments"].queryset = investments_in_plan(round_).with_total()
        self.fields["investments"].label_from_instance = lambda investment: (
            f"{investment.scheme_name} ({pounds(investment.total)})"
        )
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


class MoneyField(forms.CharField):
    """An amount of money as people type it ("£250,000", "250,000", "250000.50"), read by
    `hicm_portal.money.parse_amount`; its message is prefixed with what the amount is for."""

    def __init__(self, *, prefix: str, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"spellcheck": "false"}))
        super().__init__(**kwargs)
        self.prefix = prefix

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        try:
            return parse_amount(value)
        except ValueError as error:
            message = str(error)
            raise ValidationError(
                f"{self.prefix}: {message[0].lower()}{message[1:]}", code="invalid"
            ) from error


FUNDING_LINE_ROWS = 3  # blank rows offered; an edit offers one more than the scheme has


class InvestmentForm(PortalForm):
    """A scheme: its name and year, up to a few funding lines (a source and an amount each),
    the changes it serves and, optionally, how its money is allocated across them. The rules
    are the service's (`check_investment`); the form reads the amounts and pairs the rows."""

    submit_label = "Save investment"

    scheme_name = forms.CharField(
        label="Scheme name", max_length=200, error_messages={"required": "Enter the scheme name"}
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
    ongoing = forms.BooleanField(
        label="The scheme is ongoing: it continues after this year",
        required=False,
        help_text="An ongoing scheme carries into the plans of later rounds; any other scheme "
        "carries only until its financial year ends.",
    )
    changes = forms.ModelMultipleChoiceField(
        label="Changes it serves",
        queryset=Change.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": MESSAGE_NO_CHANGES},
    )

    def __init__(self, *args, round_: Round, line_rows: int = FUNDING_LINE_ROWS, **kwargs):
        super().__init__(*args, **kwargs)
        # The changes the round agreed, in its own wording version.
        self.framework_changes = content_for_round(round_).live_changes
        self.fields["changes"].queryset = Change.objects.filter(
            pk__in=[change.pk for change in self.framework_changes]
        )
        if self.is_bound:
            # As many rows as were posted, so nothing typed is lost.
            posted = [key for key in self.data if re.fullmatch(r"line_\d+_source", key)]
            line_rows = max(line_rows, len(posted))
        self.line_rows = line_rows
        source_choices = [("", "Select a source"), *Investment.Source.choices]
        for number in range(1, line_rows + 1):
            self.fields[f"line_{number}_source"] = forms.ChoiceField(
                label="Source", choices=source_choices, required=False
            )
            self.fields[f"line_{number}_amount"] = MoneyField(
                label="Amount in pounds",
                prefix=f"Funding line {number}",
                required=False,
                help_text="For example, £250,000 or 1250.50",
            )
        for change in self.framework_changes:
            self.fields[f"allocation_{change.pk}"] = MoneyField(
                label=f"Change {change.code}: {change.title}",
                prefix=f"Allocation to change {change.code}",
                required=False,
            )
        # Fields in page order, so the error summary lists them as the page does.
        self.order_fields(
            [
                "scheme_name",
                "financial_year",
                "ongoing",
                *(name for name in self.fields if name.startswith("line_")),
                "changes",
            ]
        )
        # PortalForm laid the form out before these fields existed: lay it out again.
        self.helper.layout = Layout(*self.layout_fields(), Button("submit", self.submit_label))

    def layout_fields(self) -> list:
        fields = [
            Field.text("scheme_name", field_width=30),
            Field.text("financial_year", field_width=5),
            Field.checkbox("ongoing"),
        ]
        for number in range(1, getattr(self, "line_rows", 0) + 1):
            fields.append(
                Fieldset(
                    Field.select(f"line_{number}_source"),
                    Field.text(f"line_{number}_amount", field_width=10),
                    legend=f"Funding line {number}" + (" (optional)" if number > 1 else ""),
                    legend_size=Size.SMALL,
                    css_id=f"funding-line-{number}",
                )
            )
        fields.append(Field.checkboxes("changes", legend_size=Size.SMALL, small=True))
        if getattr(self, "framework_changes", None):
            fields.append(
                Fieldset(
                    HTML(
                        '<p class="govuk-hint">Leave these empty if the scheme serves its '
                        "changes together. To divide its money, give an amount for each change "
                        "it serves; the amounts must add up to the scheme's total.</p>"
                    ),
                    *(
                        Field.text(f"allocation_{change.pk}", field_width=10)
                        for change in self.framework_changes
                    ),
                    legend="How the money is allocated across the changes (optional)",
                    legend_size=Size.SMALL,
                    css_id="allocation",
                )
            )
        return fields

    def clean(self) -> dict:
        data = super().clean()
        for number in range(1, self.line_rows + 1):
            source = data.get(f"line_{number}_source")
            amount_name = f"line_{number}_amount"
            amount = data.get(amount_name)
            if amount_name in self.errors:
                continue
            if source and amount is None:
                self.add_error(amount_name, f"Funding line {number}: enter the amount")
            elif amount is not None and not source:
                self.add_error(
                    f"line_{number}_source", f"Funding line {number}: select the funding source"
                )
        selected = {change.pk for change in data.get("changes") or []}
        for change in self.framework_changes:
            name = f"allocation_{change.pk}"
            if data.get(name) is not None and change.pk not in selected:
                self.add_error(
                    name,
                    f"Allocation to change {change.code}: the scheme does not serve this "
                    "change; select it above or leave its amount empty",
                )
        return data

    def add_service_errors(self, error: ValidationError) -> None:
        """The service's errors beside the rows they are about: those of the funding lines on
        the first row, those of the allocation on the first change's amount."""
        first_allocation = next(
            (
                f"allocation_{change.pk}"
                for change in self.framework_changes
                if change in (self.cleaned_data.get("changes") or [])
            ),
            None,
        )
        fields = {"lines": "line_1_source", "allocation": first_allocation}
        for name, messages in error.message_dict.items():
            target = fields.get(name, name)
            for message in messages:
                self.add_error(target if target in self.fields else None, message)

    def investment_input(self) -> InvestmentInput:
        data = self.cleaned_data
        changes = sorted(data["changes"], key=lambda change: change.position)
        allocation = [data.get(f"allocation_{change.pk}") for change in changes]
        return InvestmentInput(
            scheme_name=data["scheme_name"],
            financial_year=data["financial_year"],
            lines=[
                FundingLineInput(
                    source=data[f"line_{number}_source"], amount=data[f"line_{number}_amount"]
                )
                for number in range(1, self.line_rows + 1)
                if data.get(f"line_{number}_source")
            ],
            changes=changes,
            allocation=None if all(a is None for a in allocation) else allocation,
            ongoing=data.get("ongoing", False),
        )

    @staticmethod
    def initial_from(investment: Investment) -> dict:
        """A saved scheme as the form's initial values."""
        initial = {
            "scheme_name": investment.scheme_name,
            "financial_year": investment.financial_year,
            "ongoing": investment.ongoing,
            "changes": [],
        }
        for number, line in enumerate(investment.funding_lines.all(), start=1):
            initial[f"line_{number}_source"] = line.source
            initial[f"line_{number}_amount"] = format_amount(line.amount)
        for link in InvestmentChange.objects.filter(investment=investment):
            initial["changes"].append(link.change_id)
            if link.amount is not None:
                initial[f"allocation_{link.change_id}"] = format_amount(link.amount)
        return initial


class ActionImportForm(PortalForm):
    submit_label = "Upload and preview"

    spreadsheet = forms.FileField(
        label="Spreadsheet of actions (.xlsx or .csv)",
        error_messages={"required": "Select a spreadsheet to upload"},
    )

    def layout_fields(self) -> list:
        return [Field("spreadsheet")]


# Under the narrative fields, and read with each of them (aria-describedby).
FORMATTING_HINT_ID = "narrative-formatting-hint"


class NarrativeForm(PortalForm):
    """The return's title, its level-number option and the narrative under the BCF appendix's
    three prompts (their labels are the return's: return_selectors.NARRATIVE_PROMPTS)."""

    submit_label = "Save the draft narrative"

    title = forms.CharField(
        label="Title of the return",
        required=False,
        max_length=200,
        validators=validators_of(ReturnNarrative, "title"),
    )
    show_level_numbers = forms.BooleanField(
        label="Write each level's number before its name in the levels table",
        required=False,
        help_text="For example “3 Established” instead of “Established”.",
    )
    performance_issues = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "aria-describedby": FORMATTING_HINT_ID}),
        validators=validators_of(ReturnNarrative, "performance_issues"),
    )
    changes_to_embed = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "aria-describedby": FORMATTING_HINT_ID}),
        validators=validators_of(ReturnNarrative, "changes_to_embed"),
    )
    anticipated_improvements = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "aria-describedby": FORMATTING_HINT_ID}),
        validators=validators_of(ReturnNarrative, "anticipated_improvements"),
    )

    def __init__(self, *args, default_title: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].help_text = (
            f"Leave it empty for “{default_title}”."
            if default_title
            else "Leave it empty for “Appendix C – ” and the framework's name."
        )
        for key, label in NARRATIVE_PROMPTS:
            self.fields[key].label = label

    def layout_fields(self) -> list:
        hint = escape(markdown.FORMATTING_HINT)
        return [
            *self.fields,
            HTML(f'<p class="govuk-hint" id="{FORMATTING_HINT_ID}">{hint}</p>'),
        ]


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
