"""django-import-export resources: CSV and XLSX import (with a preview) and export of the
practice library, for site administrators.

Changes are written as framework key and change code, separated by semicolons
("mtoc-2017:6; mtoc-2020:8"); the level as framework key and level number ("mtoc-2017:3");
figures one a line; the system it belongs to as the system's slug, empty for the shared library
(a file without that column leaves each case study where it is). A row is checked as the add
form checks it, and the admin's all-or-nothing import writes every row or none.
"""

from django.core.exceptions import ValidationError
from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget, ManyToManyWidget, Widget

from assessments.models import Change, Level, System
from casestudies.models import CaseStudy

CHANGES_FORMAT = "write each change as framework key and code, like mtoc-2020:8"
LEVEL_FORMAT = "write the level as framework key and number, like mtoc-2020:3"


def parse_changes(value) -> list[Change]:
    """The changes named in a cell; ValueError with a readable message when one is unknown."""
    references = [part.strip() for part in str(value or "").split(";") if part.strip()]
    if not references:
        raise ValueError(f"Enter at least one change: {CHANGES_FORMAT}")
    changes = []
    for reference in references:
        key, _, code = (part.strip() for part in reference.partition(":"))
        change = (
            Change.objects.select_related("framework").filter(framework__key=key, code=code).first()
            if key and code
            else None
        )
        if change is None:
            raise ValueError(f"There is no change {reference!r}: {CHANGES_FORMAT}")
        if change not in changes:
            changes.append(change)
    return changes


def parse_level(value) -> Level | None:
    reference = str(value or "").strip()
    if not reference:
        return None
    key, _, number = (part.strip() for part in reference.partition(":"))
    level = (
        Level.objects.filter(framework__key=key, number=int(number)).first()
        if key and number.isdigit()
        else None
    )
    if level is None:
        raise ValueError(f"There is no level {reference!r}: {LEVEL_FORMAT}")
    return level


class ChangesWidget(ManyToManyWidget):
    def __init__(self):
        super().__init__(Change, separator="; ")

    def clean(self, value, row=None, **kwargs):
        return parse_changes(value)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return "; ".join(f"{change.framework.key}:{change.code}" for change in value.all())


class LevelWidget(ForeignKeyWidget):
    def __init__(self):
        super().__init__(Level)

    def clean(self, value, row=None, **kwargs):
        return parse_level(value)

    def render(self, value, obj=None, **kwargs):
        return f"{value.framework.key}:{value.number}" if value else ""


class FiguresWidget(Widget):
    """Figures as one cell: one a line."""

    def clean(self, value, row=None, **kwargs):
        return [line.strip() for line in str(value or "").splitlines() if line.strip()]

    def render(self, value, obj=None, **kwargs):
        return "\n".join(value or [])


class SystemWidget(ForeignKeyWidget):
    """The system a case study belongs to, by slug; empty for the shared library."""

    def __init__(self):
        super().__init__(System, "slug")

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except System.DoesNotExist as error:
            raise ValueError(
                f"There is no system {value!r}: write the slug of the system it belongs to, "
                "or leave it empty for the shared library"
            ) from error


class CaseStudyResource(resources.ModelResource):
    changes = fields.Field(column_name="changes", attribute="changes", widget=ChangesWidget())
    level = fields.Field(column_name="level", attribute="level", widget=LevelWidget())
    figures = fields.Field(column_name="figures", attribute="figures", widget=FiguresWidget())
    # The slug of the system it belongs to; empty for the shared library.
    system = fields.Field(column_name="system", attribute="system", widget=SystemWidget())

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
        import_id_fields = ("slug",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def get_queryset(self):
        return CaseStudy.objects.select_related("level__framework", "system").prefetch_related(
            "changes__framework"
        )

    def before_import_row(self, row, **kwargs):
        row["slug"] = str(row.get("slug") or "").strip()
        if not row["slug"]:
            raise ValidationError({"slug": "Enter the slug: the case study's web address"})
        for name in ("organisations", "source_url", "level", "figures"):
            if row.get(name) is None:
                row[name] = ""
        valid = {choice.value for choice in CaseStudy.Status}
        if row.get("status") not in valid:
            raise ValidationError(
                {"status": f"Enter the status, one of: {', '.join(sorted(valid))}"}
            )
        errors = {}
        try:
            changes = parse_changes(row.get("changes"))
        except ValueError as error:
            errors["changes"] = str(error)
        try:
            level = parse_level(row.get("level"))
        except ValueError as error:
            errors["level"] = str(error)
        if errors:
            raise ValidationError(errors)
        CaseStudy.check_links(changes, level)

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk is None and instance.created_by_id is None:
            instance.created_by = kwargs.get("user")
