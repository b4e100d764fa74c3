"""The admin: frameworks, regions, systems, partners, people and imports for site administrators.

Rounds, ratings, consensus and decisions change in the portal, through services that check
permission and state, keep versions, history and the audit trail, and send e-mail. Here they are
read (for support); the one change allowed, a draft round's set-up, goes through the same
service as the facilitator's form. Agreed data is frozen here as everywhere. No history is
reverted from the admin: that would write an old version back beside the services.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import second_factor_reset_action
from assessments import onboarding_views, resources, round_services, services
from assessments.forms import add_service_errors
from assessments.framework_content import framework_edited
from assessments.models import (
    Change,
    ChangeAction,
    Consensus,
    Crosswalk,
    Decision,
    Descriptor,
    Framework,
    Group,
    Invitation,
    Level,
    Member,
    NationalViewer,
    Partner,
    PartnerReturn,
    Rating,
    Region,
    RegionalViewer,
    RoleChange,
    Round,
    System,
    SystemRole,
)
from hicm_portal import uploads
from hicm_portal.admin import UserAdmin
from hicm_portal.models import User


class HistoryAdmin(SimpleHistoryAdmin):
    """The record of who changed what, to read. Reverting to an old version is refused: it
    would save that version straight to the table, past the checks, versions and audit of the
    services (django-simple-history saves a posted revert even where the admin may only view)."""

    def revert_disabled(self, request, obj=None) -> bool:
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        # A past version is shown only of an object this admin may show at all.
        get_object_or_404(self.get_queryset(request), pk=object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never changed here: the portal's services make these changes."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AllOrNothingImportAdmin(ImportExportModelAdmin):
    """A confirmed import writes every row or none.

    import-export rolls back a confirmed import on errors, but by default keeps the valid rows
    when some rows fail validation, and reports "Import finished" either way. The data can
    change between the preview and the confirmation, so a confirmed import is checked again:
    on any error or invalid row nothing is written and the administrator is told why.

    Every import comes in through `hicm_portal.uploads`, as the portal's do: the request's size
    is checked before its body is read, the file is read by the bounded readers (CSV and XLSX
    only), and the previewed file waits as the administrator's PendingUpload
    (`IMPORT_EXPORT_TMP_STORAGE_CLASS`), which only they can confirm, until it expires.
    """

    import_formats = uploads.IMPORT_FORMATS
    NO_PREVIEW = (
        "There is no previewed file to import: it was imported already, or it is someone "
        "else's. Import the file again."
    )

    def _import_kind(self) -> str:
        app_label, model_name = self.get_model_info()
        return f"admin-import:{app_label}.{model_name}"

    def _import_page(self) -> HttpResponseRedirect:
        app_label, model_name = self.get_model_info()
        return HttpResponseRedirect(
            reverse(f"admin:{app_label}_{model_name}_import", current_app=self.admin_site.name)
        )

    @method_decorator(uploads.upload_view)
    def import_action(self, request, **kwargs):
        refused = uploads.upload_refused(request)
        if refused:
            messages.error(request, refused)
            return self._import_page()
        import_file = request.FILES.get("import_file") if request.method == "POST" else None
        if import_file is not None:
            # import-export hands write_to_tmp_storage the file alone: it carries its owner.
            import_file.owner = request.user
        return super().import_action(request, **kwargs)

    def write_to_tmp_storage(self, import_file, input_format):
        storage = uploads.PendingUploadStorage(
            owner=import_file.owner,
            kind=self._import_kind(),
            encoding=None if input_format.is_binary() else self.from_encoding,
            read_mode=input_format.get_read_mode(),
        )
        storage.save(b"".join(import_file.chunks()))  # no more than the upload's cap
        return storage

    def add_data_read_fail_error_to_form(self, form, e):
        # Refused by the bounded readers (or not text at all): say why, and keep nothing.
        stored = getattr(form.cleaned_data.get("import_file"), "tmp_storage_name", None)
        uploads.pending_upload_delete(pk=stored)
        form.add_error(
            "import_file", e if isinstance(e, uploads.UploadRefused) else uploads.unreadable()
        )

    def process_import(self, request, **kwargs):
        name = request.POST.get("import_file_name")
        if name:
            try:
                preview = uploads.pending_upload_get(
                    pk=name, owner=request.user, kind=self._import_kind()
                )
            except uploads.UploadRefused as expired:
                messages.error(request, expired.message)
                return self._import_page()
            if preview is None:
                messages.error(request, self.NO_PREVIEW)
                return self._import_page()
        return super().process_import(request, **kwargs)

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


class HistoryImportExportAdmin(AllOrNothingImportAdmin, HistoryAdmin):
    """Import/export with a preview, and the record of who changed what."""


class RolesRemovedOnDeleteAdmin(admin.ModelAdmin):
    """Deleting here goes through a service that removes the roles held there (or by the
    person) through `role_remove` first, so each removal is recorded and told, as in the
    portal; the deleted rows' own cascade would do it silently. Django's checks still refuse
    a deletion that protected rows forbid (a partner with ratings, a system with partners)."""

    def delete_model(self, request, obj) -> None:
        raise NotImplementedError

    @transaction.atomic
    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Region)
class RegionAdmin(RolesRemovedOnDeleteAdmin, HistoryImportExportAdmin):
    resource_classes = [resources.RegionResource]
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}

    def delete_model(self, request, obj: Region) -> None:
        services.region_delete(region=obj, deleted_by=request.user)


@admin.register(System)
class SystemAdmin(RolesRemovedOnDeleteAdmin, HistoryImportExportAdmin):
    """Systems, with the ONS code of their Health and Wellbeing Board area (checked against the
    reference list by `System.clean`, here and in the import). "Set up a system" imports a
    system's partners and people with their roles from two files (`onboarding_views`)."""

    resource_classes = [resources.SystemResource]
    change_list_template = "admin/assessments/onboarding/system_change_list.html"
    list_display = ("name", "region", "slug", "area_code")
    list_filter = ("region",)
    search_fields = ("name", "slug", "area_code")
    prepopulated_fields = {"slug": ("name",)}

    def delete_model(self, request, obj: System) -> None:
        services.system_delete(system=obj, deleted_by=request.user)

    def get_urls(self):
        # Before the admin's own, whose "<path:object_id>/" would take "setup/".
        site = {"admin_site": self.admin_site}
        return [
            path(
                "setup/",
                self.admin_site.admin_view(onboarding_views.system_setup),
                site,
                name="assessments_system_setup",
            ),
            path(
                "setup/confirm/",
                self.admin_site.admin_view(onboarding_views.system_setup_confirm),
                site,
                name="assessments_system_setup_confirm",
            ),
            *super().get_urls(),
        ]


class PartnerAdminForm(forms.ModelForm):
    """Further types as boxes to tick; `Partner.clean` refuses the main type among them."""

    other_types = forms.MultipleChoiceField(
        label="Further types",
        choices=Partner.Type.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=Partner._meta.get_field("other_types").help_text,
    )

    class Meta:
        model = Partner
        fields = ("system", "name", "partner_type", "other_types", "ods_code")


@admin.register(Partner)
class PartnerAdmin(RolesRemovedOnDeleteAdmin, HistoryImportExportAdmin):
    """Partners, with their NHS ODS code and further types. Filtering by type, here as in the
    portal, goes by the main type."""

    form = PartnerAdminForm
    resource_classes = [resources.PartnerResource]
    list_display = ("name", "partner_type", "further_types", "ods_code", "system")
    list_filter = ("partner_type", "system__region", "system")
    search_fields = ("name", "system__name", "ods_code")
    list_select_related = ("system",)

    @admin.display(description="further types")
    def further_types(self, obj: Partner) -> str:
        return ", ".join(obj.other_type_labels())

    def delete_model(self, request, obj: Partner) -> None:
        services.partner_delete(partner=obj, deleted_by=request.user)


@admin.register(User)
class PersonAdmin(RolesRemovedOnDeleteAdmin, UserAdmin):
    """People's accounts. Site administrator and superuser access are roles: a change of
    either goes through `site_access_set` (recorded, told, and never one's own: those boxes
    are read-only on one's own account), and deleting a person removes every role they hold
    first (`person_delete`)."""

    actions = [second_factor_reset_action]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and obj.pk == request.user.pk:
            return (*fields, "is_staff", "is_superuser")
        return fields

    def save_model(self, request, obj, form, change) -> None:
        if change:
            services.site_access_set(
                user=obj,
                is_staff=obj.is_staff,
                is_superuser=obj.is_superuser,
                changed_by=request.user,
            )
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj) -> None:
        services.person_delete(user=obj, deleted_by=request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Not one's own account (nor among those selected): that would be a change of one's
        # own site access. Django refuses the whole deletion.
        own = obj is not None and obj.pk == request.user.pk
        return super().has_delete_permission(request, obj) and not own


class RoleAdminForm(forms.ModelForm):
    """Adding a role: the refusal of a grant to oneself, shown beside the person. `granted_by`
    (the administrator) is set by `RoleAdmin.get_form`; `role_grant` refuses it regardless."""

    granted_by = None

    def clean(self) -> dict:
        data = super().clean()
        if services.is_self_grant(user=data.get("user"), granted_by=self.granted_by):
            self.add_error("user", services.ROLE_SELF_GRANT)
        return data


class RoleAdmin(HistoryAdmin):
    """Roles are granted and removed here only through `role_grant` and `role_remove`, as in
    the portal: recorded, told to the people they affect, and never granted to oneself (a site
    administrator may give others a role, never their own account). A role is not edited in
    place: remove it and add the new one."""

    form = RoleAdminForm

    def role_of(self, obj) -> dict:
        """The role `obj` stands for, as `role_grant` and `role_remove` name it."""
        raise NotImplementedError

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"granted_by": request.user})

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        services.role_grant(user=obj.user, granted_by=request.user, **self.role_of(obj))
        # The admin's message, log entry and redirect name the row the service wrote.
        obj.pk = self.model.objects.get(user=obj.user, **self.held(obj)).pk

    def held(self, obj) -> dict:
        """What, besides the person, picks out `obj`'s row."""
        raise NotImplementedError

    def delete_model(self, request, obj) -> None:
        services.role_remove(user=obj.user, removed_by=request.user, **self.role_of(obj))

    @transaction.atomic
    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset.select_related("user"):
            self.delete_model(request, obj)


@admin.register(Member)
class MemberAdmin(AllOrNothingImportAdmin, RoleAdmin):
    """Partner members. Its import takes members alone; "Import people and roles" (the system
    set-up page) takes every role."""

    resource_classes = [resources.MemberResource]
    change_list_template = "admin/assessments/onboarding/member_change_list.html"
    list_display = ("user", "partner", "system_name", "created_at")
    list_filter = ("partner__system",)
    search_fields = ("user__email", "user__full_name", "partner__name")
    autocomplete_fields = ("user", "partner")
    list_select_related = ("user", "partner__system")
    fields = ("user", "partner")

    @admin.display(description="system", ordering="partner__system__name")
    def system_name(self, obj: Member) -> str:
        return obj.partner.system.name

    def role_of(self, obj: Member) -> dict:
        return {
            "role": RoleChange.Role.MEMBER,
            "system": obj.partner.system,
            "partner": obj.partner,
        }

    def held(self, obj: Member) -> dict:
        return {"partner": obj.partner}


@admin.register(SystemRole)
class SystemRoleAdmin(RoleAdmin):
    list_display = ("user", "role", "system")
    list_filter = ("role", "system")
    search_fields = ("user__email", "system__name")
    autocomplete_fields = ("user", "system")
    list_select_related = ("user", "system")
    fields = ("user", "system", "role")

    def role_of(self, obj: SystemRole) -> dict:
        return {"role": obj.role, "system": obj.system}

    def held(self, obj: SystemRole) -> dict:
        return {"system": obj.system, "role": obj.role}


@admin.register(RegionalViewer)
class RegionalViewerAdmin(RoleAdmin):
    list_display = ("user", "region")
    list_filter = ("region",)
    autocomplete_fields = ("user",)
    list_select_related = ("user", "region")
    fields = ("user", "region")

    def role_of(self, obj: RegionalViewer) -> dict:
        return {"role": RoleChange.Role.REGIONAL_VIEWER, "region": obj.region}

    def held(self, obj: RegionalViewer) -> dict:
        return {"region": obj.region}


@admin.register(NationalViewer)
class NationalViewerAdmin(RoleAdmin):
    """The BCF national team and the Department: every region's agreed rounds, read-only."""

    list_display = ("user", "created_at")
    autocomplete_fields = ("user",)
    list_select_related = ("user",)
    fields = ("user",)

    def role_of(self, obj: NationalViewer) -> dict:
        return {"role": RoleChange.Role.NATIONAL_VIEWER}

    def held(self, obj: NationalViewer) -> dict:
        return {}


@admin.register(RoleChange)
class RoleChangeAdmin(ReadOnlyAdmin):
    """The record of every grant and removal of a role, to read: written by the services."""

    list_display = ("at", "kind", "person_name", "person_email", "role", "place_name", "by")
    list_filter = ("kind", "role", "system__region", "system")
    search_fields = ("person_email", "person_name", "place_name", "by__email")
    list_select_related = ("by",)
    date_hierarchy = "at"


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

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        framework_edited(form.instance.pk, actor=request.user)  # a new wording version


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

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        framework_edited(form.instance.framework_id, actor=request.user)  # a new wording version

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        framework_edited(obj.framework_id, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        frameworks = set(queryset.values_list("framework_id", flat=True))
        super().delete_queryset(request, queryset)
        for framework_id in frameworks:
            framework_edited(framework_id, actor=request.user)


@admin.register(Crosswalk)
class CrosswalkAdmin(admin.ModelAdmin):
    list_display = ("from_change", "to_change")
    list_select_related = ("from_change__framework", "to_change__framework")


class PartnerReturnInline(ReadOnlyInline):
    """Submitting and reopening a return happen in the portal (`return_submit`,
    `return_reopen`), which record who and when and tell the partner's members."""

    model = PartnerReturn
    fields = ("partner", "submitted_at", "submitted_by", "reopened_at", "reopened_by")


class RoundAdminForm(forms.ModelForm):
    """A draft round's set-up, checked by the rules of the facilitator's form."""

    class Meta:
        model = Round
        fields = ("name", "framework", "opens_on", "closes_on", "quorum", "previous_round")

    def details(self) -> round_services.RoundDetails:
        data = self.cleaned_data
        return round_services.RoundDetails(
            name=data["name"],
            framework=data["framework"],
            partners=list(self.instance.partners.all()),
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
            quorum=data["quorum"],
            previous_round=data.get("previous_round"),
        )

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        if not Round.objects.filter(pk=self.instance.pk, status=Round.Status.DRAFT).exists():
            raise ValidationError(round_services.ROUND_NOT_DRAFT)
        try:
            round_services.check_round_details(
                self.instance.system, self.details(), exclude_pk=self.instance.pk
            )
        except ValidationError as error:
            add_service_errors(self, error)
        return data


@admin.register(Round)
class RoundAdmin(HistoryAdmin):
    """Rounds are set up, opened and moved on by their facilitators in the portal. Here a draft
    round's set-up may be corrected, through `round_update` (audited); an open round is read."""

    form = RoundAdminForm
    list_display = ("name", "system", "framework", "status", "opens_on", "closes_on")
    list_filter = ("status", "framework", "system__region")
    search_fields = ("name", "system__name")
    list_select_related = ("system", "framework")
    readonly_fields = (
        "public_id",
        "system",
        "status",
        "created_by",
        "created_at",
        "opened_at",
        "opened_by",
        "revealed_at",
        "revealed_by",
        "submitted_for_approval_at",
        "agreed_at",
        "attendance_note",
    )
    inlines = [PartnerReturnInline]

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # set up with its partners in the portal (`round_create`)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a round carries its ratings, consensus and audit trail

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or obj.is_draft)

    def save_model(self, request, obj, form, change) -> None:
        round_services.round_update(round_=obj, details=form.details(), updated_by=request.user)

    def save_related(self, request, form, formsets, change) -> None:
        # The service wrote the round; its inline is read-only, so saving it writes nothing.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin, HistoryAdmin):
    """Site administrators may read ratings (for support) once they are revealed: while a round
    is in rating its ratings are its partners' alone (DESIGN §4), here as on every page. Partners
    change them in the portal, where every save is versioned and checked, so the admin does not
    edit them."""

    list_display = ("round", "partner", "change", "level", "confidence", "updated_by", "updated_at")
    list_filter = ("round__system", "round")
    search_fields = ("partner__name", "change__code", "rationale")
    list_select_related = ("round__system", "partner", "change", "level", "updated_by")

    def get_queryset(self, request):
        # The list, the change page and the history pages all read through this queryset.
        blind = [Round.Status.DRAFT, Round.Status.RATING]
        return super().get_queryset(request).exclude(round__status__in=blind)


class DecisionInline(ReadOnlyInline):
    model = Decision
    fields = ("proposal_version", "decided_by", "kind", "reason", "decided_at")


@admin.register(Consensus)
class ConsensusAdmin(ReadOnlyAdmin, HistoryAdmin):
    """Read only. Proposals change on the review page (`consensus_propose`: versioned, clearing
    their approvals, audited) and are decided on the approval page (`decision_record`); once the
    round is agreed, nothing in it changes anywhere."""

    list_display = ("round", "change", "level", "planned_level", "planned_by", "state")
    list_filter = ("round__system", "state")
    list_select_related = ("round__system", "change", "level", "planned_level")
    inlines = [DecisionInline]
