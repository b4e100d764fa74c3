from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from assessments.admin import HistoryImportExportAdmin
from casestudies import resources
from casestudies.models import CaseStudy


class CaseStudyAdminForm(forms.ModelForm):
    source_url = forms.URLField(
        label="Source", required=False, max_length=500, assume_scheme="https"
    )

    class Meta:
        model = CaseStudy
        fields = (
            "slug",
            "title",
            "place",
            "organisations",
            "changes",
            "level",
            "summary",
            "what_they_did",
            "outcomes",
            "figures",
            "source_url",
            "status",
            "system",
        )

    def clean(self) -> dict:
        data = super().clean()
        if "changes" in data:
            try:
                CaseStudy.check_links(data["changes"], data.get("level"))
            except ValidationError as error:
                self.add_error(None, error)
        return data


@admin.register(CaseStudy)
class CaseStudyAdmin(HistoryImportExportAdmin):
    """The practice library: CSV or XLSX import with a preview (all rows or none), export, and
    the record of who changed what. Here site administrators curate the shared library (no
    system) and set which system a case study belongs to."""

    form = CaseStudyAdminForm
    resource_classes = [resources.CaseStudyResource]
    list_display = ("title", "place", "system", "status", "level", "updated_at")
    list_filter = ("status", ("system", admin.EmptyFieldListFilter), "changes__framework")
    search_fields = ("title", "summary", "place", "slug")
    list_select_related = ("level__framework", "system")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("changes",)
    readonly_fields = ("public_id", "created_by", "created_at", "updated_at")
    history_list_display = ("status",)

    def save_model(self, request, obj, form, change):
        if obj.created_by_id is None and not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
