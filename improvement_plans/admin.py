"""Plans in the admin. An action or investment changed here goes through the same service as
the plan's forms (`action_update`, `investment_save`): the same checks and history, and a new
owner is told. They are added on the plan's pages, where they belong to a round, and not
deleted: a plan keeps its record. Progress is posted on the action's page."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from import_export.admin import ExportMixin

from assessments.admin import HistoryAdmin, ReadOnlyInline
from assessments.forms import add_service_errors
from improvement_plans import selectors, services
from improvement_plans.forms import action_input_from
from improvement_plans.models import (
    Action,
    FundingLine,
    Investment,
    InvestmentChange,
    ProgressUpdate,
)
from improvement_plans.resources import InvestmentResource

NO_PLAN = "This action is in no plan, so it cannot be checked or changed here."


class ProgressUpdateInline(ReadOnlyInline):
    model = ProgressUpdate
    fields = ("author", "on", "note", "new_status", "new_rag", "created_at")


class ActionAdminForm(forms.ModelForm):
    """An action's fields as the plan's form has them, checked by the same rules."""

    class Meta:
        model = Action
        fields = (
            "title",
            "description",
            "change",
            "target_level",
            "lead_partner",
            "contributing_partners",
            "owner",
            "start_date",
            "due_date",
            "status",
            "rag_override",
            "rag_override_reason",
        )

    def action_input(self) -> services.ActionInput:
        return action_input_from(
            self.cleaned_data,
            investments=list(self.instance.investments.all()),
            template=self.instance.template,
        )

    def clean(self) -> dict:
        data = super().clean()
        round_ = selectors.latest_plan_round(self.instance)
        if round_ is None:
            raise ValidationError(NO_PLAN)
        if not self.errors:
            try:
                services.check_action(round_, self.action_input())
            except ValidationError as error:
                add_service_errors(self, error)
        return data


@admin.register(Action)
class ActionAdmin(HistoryAdmin):
    form = ActionAdminForm
    list_display = ("title", "system", "change", "lead_partner", "owner", "due_date", "status")
    list_filter = ("status", "system")
    search_fields = ("title", "description")
    list_select_related = ("system", "change", "lead_partner", "owner")
    autocomplete_fields = ("owner",)
    filter_horizontal = ("contributing_partners",)
    readonly_fields = ("public_id", "system", "template", "created_by", "created_at", "updated_at")
    inlines = [ProgressUpdateInline]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        services.action_update(
            action=obj,
            round_=selectors.latest_plan_round(obj),
            data=form.action_input(),
            updated_by=request.user,
        )

    def save_related(self, request, form, formsets, change) -> None:
        # The service has set the contributing partners; the inline is read-only.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


class FundingLineInline(ReadOnlyInline):
    model = FundingLine
    fields = ("source", "amount")


class InvestmentChangeInline(ReadOnlyInline):
    model = InvestmentChange
    fields = ("change", "amount")
    verbose_name = "change served"
    verbose_name_plural = "changes served, with the amount allocated to each"


class InvestmentAdminForm(forms.ModelForm):
    """A scheme's name, year and whether it is ongoing. Its funding lines and allocation are
    changed on the plan's form, where they are entered together; here they are kept as they
    are and checked again with the rest by the same service."""

    class Meta:
        model = Investment
        fields = ("scheme_name", "financial_year", "ongoing")

    def investment_input(self) -> services.InvestmentInput:
        data = self.cleaned_data
        links = list(
            InvestmentChange.objects.filter(investment=self.instance)
            .select_related("change")
            .order_by("change__position")
        )
        allocated = [link.amount for link in links]
        return services.InvestmentInput(
            scheme_name=data["scheme_name"],
            financial_year=data.get("financial_year") or "",
            lines=[
                services.FundingLineInput(source=line.source, amount=line.amount)
                for line in self.instance.funding_lines.all()
            ],
            changes=[link.change for link in links],
            allocation=None if None in allocated else allocated,
            ongoing=data.get("ongoing", False),
        )

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors:
            try:
                services.check_investment(self.instance.round, self.investment_input())
            except ValidationError as error:
                add_service_errors(self, error)
        return data


@admin.register(Investment)
class InvestmentAdmin(ExportMixin, HistoryAdmin):
    """Schemes: read, exported (CSV or Excel, `InvestmentResource`), and their name, year and
    ongoing flag changed through `investment_save`."""

    form = InvestmentAdminForm
    resource_classes = [InvestmentResource]
    list_display = ("scheme_name", "round", "financial_year", "ongoing")
    list_filter = ("financial_year", "ongoing")
    search_fields = ("scheme_name",)
    list_select_related = ("round__system",)
    readonly_fields = ("round",)
    inlines = [FundingLineInline, InvestmentChangeInline]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_export_queryset(self, request):
        return (
            super()
            .get_export_queryset(request)
            .select_related("round__system")
            .prefetch_related("funding_lines", "investmentchange_set__change")
        )

    def save_model(self, request, obj, form, change) -> None:
        services.investment_save(
            round_=obj.round, data=form.investment_input(), saved_by=request.user, investment=obj
        )

    def save_related(self, request, form, formsets, change) -> None:
        # The service has set the funding lines and the changes; the inlines are read-only.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
