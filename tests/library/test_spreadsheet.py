"""The framework spreadsheet: the empty template, the download as text (never formulas), the
command that writes them, and a confirmation that finds the library changed since its preview."""

import io

from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from assessments.framework_spreadsheet import FRAMEWORK_FIELD_NAMES, SHEETS
from assessments.framework_spreadsheet_read import spreadsheet_read
from assessments.library_checks import document_problems
from assessments.library_services import CHANGED_SINCE
from assessments.models import Change, Framework
from tests.library.helpers import (
    EXAMPLE_XLSX,
    EXAMPLE_YAML,
    load_earlier_example,
    uploaded,
)

SHEET_NAMES = [
    "Framework",
    "Principles",
    "Levels",
    "Groups",
    "Changes",
    "Measures",
    "Actions",
    "Descriptors",
    "Crosswalk",
    "Notes",
]


def test_the_template_has_every_sheet_with_its_headings_fields_levels_and_notes(client, cast):
    client.force_login(cast.admin)
    response = client.get(reverse("library_template"))
    assert response.status_code == 200
    assert 'filename="framework-template.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == SHEET_NAMES
    for sheet in SHEETS:
        assert [cell.value for cell in workbook[sheet.name][1]] == list(sheet.column_names)
    fields = [row[0] for row in workbook["Framework"].iter_rows(min_row=2, values_only=True)]
    assert fields == list(FRAMEWORK_FIELD_NAMES)
    levels = list(workbook["Levels"].iter_rows(min_row=2, values_only=True))
    assert [level[:2] for level in levels][2] == (3, "Established")
    notes = {(row[0], row[1]) for row in workbook["Notes"].iter_rows(values_only=True)}
    assert ("Changes", "i_statement") in notes and ("Framework", "rate_enablers") in notes


def test_the_empty_template_read_back_asks_for_what_is_required(client, cast):
    client.force_login(cast.admin)
    read = spreadsheet_read(client.get(reverse("library_template")).content)
    problems = [str(p) for p in document_problems(read.document, source="t", locate=read.locate)]
    assert "Framework sheet, row 2, column 'value': is required" in problems  # key
    assert "Changes sheet, row 2, column 'code': must list at least one change" in problems


def test_text_that_looks_like_a_formula_is_downloaded_as_text(client, cast, frameworks):
    Change.objects.filter(framework__key="mtoc-2020", code="1").update(title="=HYPERLINK(1)")
    client.force_login(cast.admin)
    response = client.get(reverse("library_download", args=["mtoc-2020", "xlsx"]))
    cell = load_workbook(io.BytesIO(response.content))["Changes"]["C2"]
    assert (cell.value, cell.data_type) == ("=HYPERLINK(1)", "s")


def test_the_command_writes_the_template_or_a_framework_file_as_the_spreadsheet(tmp_path):
    call_command("framework_template", str(tmp_path / "t.xlsx"), stdout=io.StringIO())
    assert load_workbook(tmp_path / "t.xlsx").sheetnames == SHEET_NAMES
    out = tmp_path / "example.xlsx"
    call_command("framework_template", str(out), "--from", str(EXAMPLE_YAML), stdout=io.StringIO())
    assert spreadsheet_read(out.read_bytes()).document == (
        spreadsheet_read(EXAMPLE_XLSX.read_bytes()).document
    )


def test_a_confirmation_after_the_library_changed_loads_nothing(client, cast):
    load_earlier_example()
    client.force_login(cast.admin)
    client.post(
        reverse("library_upload"),
        {"framework_file": uploaded("example.xlsx", EXAMPLE_XLSX.read_bytes())},
    )
    call_command("load_frameworks", str(EXAMPLE_YAML), stdout=io.StringIO())
    Framework.objects.filter(key="example-discharge").update(title="Loaded meanwhile")
    response = client.post(reverse("library_upload_confirm"), follow=True)
    assert CHANGED_SINCE in response.content.decode().replace("&#x27;", "'")
    assert Framework.objects.get(key="example-discharge").title == "Loaded meanwhile"
