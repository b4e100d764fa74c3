"""The framework spreadsheet: one template for writing a framework out (Download as
spreadsheet, the empty template) and reading one in (`framework_spreadsheet_read`).

A workbook holds one framework: a sheet of its fields (a row per field: `field`, `value`), and
a sheet per kind of item with a row per item under column headings. Rows are in the order
pages show them. A cell holding a list (tips, points) has one item a line; a change's groups
are codes separated by commas. A Notes sheet says what each column means; the reader ignores
it. Every text is written as text, never as a formula (`hicm_portal.spreadsheets`).
"""

import copy
import io
from dataclasses import dataclass

import yaml
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from assessments.library_checks import STANDARD_LEVELS
from hicm_portal.spreadsheets import append_row


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str
    width: int = 20


@dataclass(frozen=True)
class Sheet:
    name: str
    about: str
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)


# The Framework sheet's fields, in order, with what each means.
FRAMEWORK_FIELDS: tuple[Column, ...] = (
    Column("key", "Stable key, never changed once loaded: lowercase letters, digits, hyphens."),
    Column(
        "version", "Whole number. Raise it for each upload: an equal or lower one changes nothing."
    ),
    Column("title", "The framework's full title."),
    Column("short_title", "A short title for lists and headings."),
    Column("publisher", "Who publishes it."),
    Column("year", "The year it was published, like 2025."),
    Column("complete", "yes, or no when it does not yet hold every change its source has."),
    Column("rate_enablers", "yes when rounds rate its enablers (changes of kind enabler) too."),
    Column("source_note", "Where the wording comes from (optional)."),
    Column("introduction", "The introduction shown on its page (optional; paragraphs as lines)."),
    Column("measuring_success", "Its advice on measuring success (optional)."),
    Column("crosswalk_from", "Key of the earlier framework the Crosswalk sheet maps from."),
)
FRAMEWORK_FIELD_NAMES = tuple(field.name for field in FRAMEWORK_FIELDS)

FRAMEWORK = Sheet(
    "Framework",
    "One row per field, in the order below. Only the value column is yours to fill.",
    (
        Column("field", "The field's name, as the template gives it.", 22),
        Column("value", "The field's value.", 80),
    ),
)
SHEETS: tuple[Sheet, ...] = (
    FRAMEWORK,
    Sheet(
        "Principles",
        "The principles the model is built on, one row each (optional).",
        (
            Column("title", "The principle, in a few words.", 40),
            Column("text", "What it means.", 80),
        ),
    ),
    Sheet(
        "Levels",
        "The maturity scale, numbered from 1. The template holds the five HICM levels.",
        (
            Column("number", "1, 2, 3… in order.", 10),
            Column("name", "The level's name, like Established.", 24),
            Column(
                "definition", "Its general definition, shown where a change has no descriptor.", 80
            ),
        ),
    ),
    Sheet(
        "Groups",
        "Goals, enablers and phases that changes (and actions) belong to (optional).",
        (
            Column("code", "A short code, like G1.", 10),
            Column("kind", "goal, enabler or phase.", 12),
            Column("title", "The group's title.", 40),
            Column("description", "What it is about (optional).", 60),
        ),
    ),
    Sheet(
        "Changes",
        "One row per change (or rated enabler), in order. At least one.",
        (
            Column("code", "A short code, like 1 or A: letters, digits, '.', '_', '-'.", 10),
            Column(
                "kind", "change (or empty), or enabler: rated only if rate_enablers is yes.", 10
            ),
            Column("title", "The change's title.", 40),
            Column(
                "groups",
                "Codes of its groups, separated by commas. An enabler names its enabler group.",
                14,
            ),
            Column("summary", "What the change is (optional).", 60),
            Column("i_statement", 'The person\'s "I" statement (optional).', 40),
            Column("we_statement", 'The system\'s "We" statement (optional).', 40),
            Column("tips", "Tips for success, one a line (optional).", 60),
        ),
    ),
    Sheet(
        "Measures",
        "Measures the framework suggests for a change, one row each (optional).",
        (
            Column("change", "The change's code, as in the Changes sheet.", 10),
            Column("name", "The measure, like Delayed discharges.", 40),
            Column("unit", "Its unit, like days or % (optional).", 16),
        ),
    ),
    Sheet(
        "Actions",
        "A change's numbered actions, in order, one row each (optional).",
        (
            Column("change", "The change's code, as in the Changes sheet.", 10),
            Column("code", "The action's code, like A1: unique within its change.", 10),
            Column("group", "The code of a group it belongs to, like a phase (optional).", 10),
            Column("title", "What to do.", 50),
            Column("points", "How it can be achieved, one point a line (optional).", 70),
        ),
    ),
    Sheet(
        "Descriptors",
        "What a change looks like at a level, one row per change and level (optional).",
        (
            Column("change", "The change's code, as in the Changes sheet.", 10),
            Column("level", "The level's number, as in the Levels sheet.", 10),
            Column("text", "The descriptor.", 80),
        ),
    ),
    Sheet(
        "Crosswalk",
        "How the earlier framework's changes (crosswalk_from) map to these, a row each (optional).",
        (
            Column("earlier_change", "A change's code in the earlier framework.", 16),
            Column("change", "The code of the change here that it becomes.", 16),
        ),
    ),
)
SHEET_BY_NAME = {sheet.name: sheet for sheet in SHEETS}
NOTES = "Notes"

YAML_CONTENT_TYPE = "application/yaml; charset=utf-8"


def _lines(items) -> str:
    return "\n".join(items or [])


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _rows(document: dict) -> dict[str, list[list]]:
    """The rows of each sheet below its headings, for a document."""
    crosswalk = document.get("crosswalk") or {}
    values = {
        **{name: document.get(name) for name in FRAMEWORK_FIELD_NAMES},
        "complete": _yes_no(document.get("complete", True)),
        "rate_enablers": _yes_no(document.get("rate_enablers", False)),
        "crosswalk_from": crosswalk.get("from"),
    }
    changes = document.get("changes") or []
    return {
        "Framework": [[name, values[name]] for name in FRAMEWORK_FIELD_NAMES],
        "Principles": [[p["title"], p["text"]] for p in document.get("principles") or []],
        "Levels": [
            [lv["number"], lv["name"], lv["definition"]] for lv in document.get("levels") or []
        ],
        "Groups": [
            [g["code"], g["kind"], g["title"], g.get("description") or ""]
            for g in document.get("groups") or []
        ],
        "Changes": [
            [
                c["code"],
                c.get("kind") or "change",
                c["title"],
                ", ".join(c.get("groups") or []),
                c.get("summary") or "",
                c.get("i_statement") or "",
                c.get("we_statement") or "",
                _lines(c.get("tips")),
            ]
            for c in changes
        ],
        "Measures": [
            [c["code"], m["name"], m.get("unit") or ""]
            for c in changes
            for m in c.get("measures") or []
        ],
        "Actions": [
            [c["code"], a["code"], a.get("group") or "", a["title"], _lines(a.get("points"))]
            for c in changes
            for a in c.get("actions") or []
        ],
        "Descriptors": [
            [c["code"], number, text]
            for c in changes
            for number, text in sorted((c.get("descriptors") or {}).items())
        ],
        "Crosswalk": [[old, new] for old, new in (crosswalk.get("changes") or {}).items()],
    }


def workbook_bytes(document: dict) -> bytes:
    """A document as the framework spreadsheet."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    wrapped = Alignment(wrap_text=True, vertical="top")
    for sheet, rows in zip(SHEETS, _rows(document).values(), strict=True):
        worksheet = workbook.create_sheet(sheet.name)
        append_row(worksheet, sheet.column_names)
        for row in rows:
            append_row(worksheet, row)
        for cell in worksheet[1]:
            cell.font = Font(bold=True)
        for index, column in enumerate(sheet.columns):
            letter = worksheet.cell(row=1, column=index + 1).column_letter
            worksheet.column_dimensions[letter].width = column.width
            for cell in worksheet[letter][1:]:
                cell.alignment = wrapped
        worksheet.freeze_panes = "A2"
    _write_notes(workbook.create_sheet(NOTES))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _write_notes(worksheet) -> None:
    append_row(worksheet, ["sheet", "column or field", "meaning"])
    append_row(
        worksheet,
        [
            "",
            "",
            "Keep the sheets' names and the column headings as they are. Rows are read in order; "
            "blank rows are skipped. This sheet is not read.",
        ],
    )
    for sheet in SHEETS:
        append_row(worksheet, [sheet.name, "", sheet.about])
        columns = FRAMEWORK_FIELDS if sheet is FRAMEWORK else sheet.columns
        for column in columns:
            append_row(worksheet, [sheet.name, column.name, column.meaning])
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
    for letter, width in (("A", 14), ("B", 20), ("C", 100)):
        worksheet.column_dimensions[letter].width = width
    worksheet.freeze_panes = "A2"


def template_bytes() -> bytes:
    """The empty template: every sheet with its headings, the Framework sheet's fields with no
    values, and the five HICM levels."""
    return workbook_bytes({"levels": STANDARD_LEVELS, "complete": True, "rate_enablers": False})


def yaml_text(document: dict) -> str:
    """A document as the YAML file `load_frameworks` reads (an action with no group has no
    `group` key)."""
    document = copy.deepcopy(document)
    for change in document.get("changes") or []:
        for action in change.get("actions") or []:
            if action.get("group") is None:
                action.pop("group", None)
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def download_filename(key: str, version: int, extension: str) -> str:
    """A framework's download: its key and version, like `mtoc-2020-version-2.xlsx`."""
    return f"{key}-version-{version}.{extension}"
