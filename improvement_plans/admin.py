"""Plans in the admin. An action or investment changed here goes through the same service as
the plan's forms (`action_update`, `investment_save`): the same checks and history, and a new
owner is told. They are added on the plan's pages, where they belong to a round, and not
deleted: a plan keeps its record. Progress is posted on the action's page."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from assessments.admin import HistoryAdmin, ReadOnlyInline
from assessments.forms import add_service_errors
from improvement_plans import selectors, services
from improvement_plans.forms import action_input_from
from improvement_plans.models import Action, Investment, ProgressUpdate

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


class InvestmentAdminForm(forms.ModelForm):
    class Meta:
        model = Investment
        fields = ("scheme_name", "funding_source", "amount", "financial_year", "changes")

    def investment_input(self) -> services.InvestmentInput:
        data = self.cleaned_data
        return services.InvestmentInput(
            scheme_name=data["scheme_name"],
            funding_source=data["funding_source"],
            amount=data["amount"],
            financial_year=data.get("financial_year") or "",
            changes=list(data.get("changes") or []),
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
class InvestmentAdmin(HistoryAdmin):
    form = InvestmentAdminForm
    list_display = ("scheme_name", "round", "funding_source", "amount", "financial_year")
    list_filter = ("funding_source", "financial_year")
    search_fields = ("scheme_name",)
    list_select_related = ("round__system",)
    filter_horizontal = ("changes",)
    readonly_fields = ("round",)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        services.investment_save(
            round_=obj.round, data=form.investment_input(), saved_by=request.user, investment=obj
        )

    def save_related(self, request, form, formsets, change) -> None:
        pass  # the service has set the changes the investment serves
