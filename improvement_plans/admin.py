from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from improvement_plans.models import Action, Investment, ProgressUpdate


class ProgressUpdateInline(admin.TabularInline):
    model = ProgressUpdate
    extra = 0
    readonly_fields = ("author", "on", "note", "new_status", "new_rag", "created_at")


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    list_display = ("title", "system", "change", "lead_partner", "owner", "due_date", "status")
    list_filter = ("status", "system")
    search_fields = ("title", "description")
    list_select_related = ("system", "change", "lead_partner", "owner")
    autocomplete_fields = ("owner",)
    filter_horizontal = ("contributing_partners", "investments", "rounds")
    inlines = [ProgressUpdateInline]


@admin.register(Investment)
class InvestmentAdmin(SimpleHistoryAdmin):
    list_display = ("scheme_name", "round", "funding_source", "amount", "financial_year")
    list_filter = ("funding_source", "financial_year")
    search_fields = ("scheme_name",)
    list_select_related = ("round__system",)
    filter_horizontal = ("changes",)
