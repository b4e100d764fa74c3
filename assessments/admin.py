from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from assessments import resources
from assessments.models import (
    Change,
    ChangeAction,
    Consensus,
    Crosswalk,
    Descriptor,
    Framework,
    Group,
    Invitation,
    Level,
    Member,
    Partner,
    PartnerReturn,
    Rating,
    Region,
    RegionalViewer,
    Round,
    System,
    SystemRole,
)


class AllOrNothingImportAdmin(ImportExportModelAdmin):
    """A confirmed import writes every row or none.

    import-export rolls back a confirmed import on errors, but by default keeps the valid rows
    when some rows fail validation, and reports "Import finished" either way. The data can
    change between the preview and the confirmation, so a confirmed import is checked again:
    on any error or invalid row nothing is written and the administrator is told why.
    """

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def process_result(self, result, request):
        if not (result.has_errors() or result.has_validation_errors()):
            return super().process_result(result, request)
        problems = [
            f"row {row.number}: {error.error}" for row in result.error_rows for error in row.errors
        ]
        problems += [
            f"row {row.number}: {'; '.join(str(m) for m in row.error.messages)}"
            for row in result.invalid_rows
        ]
        problems += [str(error.error) for error in result.base_errors]
        messages.error(
            request,
            "Nothing was imported, because the file no longer passes the checks "
            f"({'; '.join(problems)}). Correct the file and import it again.",
        )
        app_label, model_name = self.get_model_info()
        return HttpResponseRedirect(
            reverse(f"admin:{app_label}_{model_name}_changelist", current_app=self.admin_site.name)
        )


class HistoryImportExportAdmin(AllOrNothingImportAdmin, SimpleHistoryAdmin):
    """Import/export with a preview, and the record of who changed what."""


@admin.register(Region)
class RegionAdmin(HistoryImportExportAdmin):
    resource_classes = [resources.RegionResource]
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(System)
class SystemAdmin(HistoryImportExportAdmin):
    resource_classes = [resources.SystemResource]
    list_display = ("name", "region", "slug")
    list_filter = ("region",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Partner)
class PartnerAdmin(HistoryImportExportAdmin):
    resource_classes = [resources.PartnerResource]
    list_display = ("name", "partner_type", "system")
    list_filter = ("partner_type", "system__region", "system")
    search_fields = ("name", "system__name")
    list_select_related = ("system",)


@admin.register(Member)
class MemberAdmin(HistoryImportExportAdmin):
    resource_classes = [resources.MemberResource]
    list_display = ("user", "partner", "system_name", "created_at")
    list_filter = ("partner__system",)
    search_fields = ("user__email", "user__full_name", "partner__name")
    autocomplete_fields = ("user", "partner")
    list_select_related = ("user", "partner__system")

    @admin.display(description="system", ordering="partner__system__name")
    def system_name(self, obj: Member) -> str:
        return obj.partner.system.name


@admin.register(SystemRole)
class SystemRoleAdmin(SimpleHistoryAdmin):
    list_display = ("user", "role", "system")
    list_filter = ("role", "system")
    search_fields = ("user__email", "system__name")
    autocomplete_fields = ("user", "system")
    list_select_related = ("user", "system")


@admin.register(RegionalViewer)
class RegionalViewerAdmin(SimpleHistoryAdmin):
    list_display = ("user", "region")
    list_filter = ("region",)
    autocomplete_fields = ("user",)
    list_select_related = ("user", "region")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "role", "system", "partner", "status", "created_at", "invited_by")
    list_filter = ("role", "system")
    search_fields = ("email",)
    readonly_fields = ("token_hash", "accepted_at", "created_at")
    list_select_related = ("system", "partner", "invited_by")


class LevelInline(admin.TabularInline):
    model = Level
    extra = 0


class GroupInline(admin.TabularInline):
    model = Group
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ("short_title", "key", "version", "year", "complete", "loaded_at")
    readonly_fields = ("key", "version", "loaded_at")
    inlines = [LevelInline, GroupInline]


class DescriptorInline(admin.TabularInline):
    model = Descriptor
    extra = 0


class ChangeActionInline(admin.StackedInline):
    model = ChangeAction
    extra = 0


@admin.register(Change)
class ChangeAdmin(AllOrNothingImportAdmin):
    """Import official wording (statements, tips, descriptors) for existing changes."""

    resource_classes = [resources.ChangeWordingResource]
    list_display = ("code", "title", "framework", "archived")
    list_filter = ("framework", "archived")
    search_fields = ("title", "code")
    list_select_related = ("framework",)
    inlines = [DescriptorInline, ChangeActionInline]
    filter_horizontal = ("groups",)


@admin.register(Crosswalk)
class CrosswalkAdmin(admin.ModelAdmin):
    list_display = ("from_change", "to_change")
    list_select_related = ("from_change__framework", "to_change__framework")


class PartnerReturnInline(admin.TabularInline):
    model = PartnerReturn
    extra = 0
    fields = ("partner", "submitted_at", "submitted_by", "reopened_at", "reopened_by")
    readonly_fields = ("submitted_at", "submitted_by", "reopened_at", "reopened_by")
    autocomplete_fields = ("partner",)


@admin.register(Round)
class RoundAdmin(SimpleHistoryAdmin):
    list_display = ("name", "system", "framework", "status", "opens_on", "closes_on")
    list_filter = ("status", "framework", "system__region")
    search_fields = ("name", "system__name")
    list_select_related = ("system", "framework")
    readonly_fields = ("public_id", "created_by", "created_at", "opened_at", "opened_by")
    inlines = [PartnerReturnInline]


@admin.register(Rating)
class RatingAdmin(SimpleHistoryAdmin):
    """Site administrators may read ratings (for support); partners change them in the portal,
    where every save is versioned and checked, so the admin does not edit them."""

    list_display = ("round", "partner", "change", "level", "confidence", "updated_by", "updated_at")
    list_filter = ("round__system", "round")
    search_fields = ("partner__name", "change__code", "rationale")
    list_select_related = ("round__system", "partner", "change", "level", "updated_by")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Consensus)
class ConsensusAdmin(SimpleHistoryAdmin):
    list_display = ("round", "change", "level", "planned_level", "planned_by")
    list_filter = ("round__system",)
    list_select_related = ("round__system", "change", "level", "planned_level")
