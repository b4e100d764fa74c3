"""Reading the framework spreadsheet (`framework_spreadsheet`) into a framework document: the
same mapping a framework's YAML file gives, checked afterwards by the same rules
(`library_checks.document_problems`).

The file comes in through `hicm_portal.uploads` (its size, zip and XML checked, its rows
counted). What only the spreadsheet can get wrong — a sheet or a column heading missing, a row
naming a change the Changes sheet does not have, a descriptor given twice — is found here; each
problem names its sheet, row and column. `SpreadsheetRead.locate` turns a key of the document
into the cell it was read from, so the rules' problems name cells too.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings

from assessments.framework_spreadsheet import (
    FRAMEWORK,
    FRAMEWORK_FIELD_NAMES,
    SHEET_BY_NAME,
    SHEETS,
    Sheet,
)
from assessments.library_checks import Problem, normalised_code
from hicm_portal import uploads

REQUIRED_FIELDS = ("key", "version", "title", "short_title", "publisher", "year")
OPTIONAL_TEXT_FIELDS = ("source_note", "introduction", "measuring_success")
YES = {"yes", "y", "true"}
NO = {"no", "n", "false"}

Row = tuple[int, dict[str, Any]]  # the row's number in the sheet, its cells by column


def cell_place(sheet: str, row: int | None = None, column: str | None = None) -> str:
    """Where a cell is, as a person finds it: "Changes sheet, row 7, column 'code'"."""
    place = f"{sheet} sheet"
    if row is not None:
        place += f", row {row}"
    if column:
        place += f", column '{column}'"
    return place


@dataclass
class SpreadsheetRead:
    """A read spreadsheet: its document (None when its sheets or headings are not the
    template's), the problems found reading it, and where each key of the document was read."""

    document: dict | None
    problems: list[Problem]
    places: dict[tuple, tuple[str, int, str]] = field(default_factory=dict)

    def locate(self, path: tuple, column: str | None = None) -> str | None:
        """The cell a key of the document was read from: the longest start of `path` read from
        a row; the column named by the rest of the path, or `column`, or the row's first."""
        for length in range(len(path), -1, -1):
            place = self.places.get(tuple(path[:length]))
            if place is None:
                continue
            sheet, row, default = place
            if column is None:
                following = path[length] if length < len(path) else None
                names = SHEET_BY_NAME[sheet].column_names
                column = following if following in names else default
            return cell_place(sheet, row, column)
        return None


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _text(value: Any) -> str | None:
    return (
        None if value is None else normalised_code(value) if not isinstance(value, str) else value
    )


def _whole(value: Any) -> Any:
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def _lines(value: Any) -> list[str]:
    text = _text(value) or ""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _codes(value: Any) -> list[str]:
    text = _text(value) or ""
    return [code.strip() for code in re.split(r"[,;\n]", text) if code.strip()]


def _code(value: Any) -> str | None:
    return None if value is None else normalised_code(value)


def _table(worksheet, sheet: Sheet, problems: list[Problem]) -> list[Row] | None:
    """A sheet's rows below its headings, blank rows left out; None when its headings are not
    the template's (each problem added)."""
    rows = uploads.sheet_rows(worksheet, max_rows=settings.UPLOAD_MAX_ROWS)
    headings = [str(_cell(value) or "").lower() for value in next(rows, None) or ()]
    index: dict[str, int] = {}
    known = ", ".join(sheet.column_names)
    fine = True
    for position, name in enumerate(headings):
        if not name:
            continue
        if name not in sheet.column_names:
            problems.append(
                Problem(
                    cell_place(sheet.name, 1, name),
                    f"is not a column of this sheet. Its columns are {known}",
                )
            )
            fine = False
        elif name in index:
            problems.append(Problem(cell_place(sheet.name, 1, name), "is there twice"))
            fine = False
        else:
            index[name] = position
    for name in sheet.column_names:
        if name not in index:
            problems.append(
                Problem(
                    cell_place(sheet.name, 1),
                    f"has no column '{name}'. Put its heading back as the template has it",
                )
            )
            fine = False
    if not fine:
        return None
    table = []
    for number, values in enumerate(rows, start=2):
        cells = {
            name: _cell(values[position] if position < len(values) else None)
            for name, position in index.items()
        }
        if any(value is not None for value in cells.values()):
            table.append((number, cells))
    return table


def spreadsheet_read(data: bytes) -> SpreadsheetRead:
    """Read an uploaded framework spreadsheet. Raises `uploads.UploadRefused` for a file that
    is not a spreadsheet or is too big to read."""
    problems: list[Problem] = []
    tables: dict[str, list[Row] | None] = {}
    with uploads.open_xlsx(data, max_rows=settings.UPLOAD_MAX_ROWS) as workbook:
        names = list(workbook.sheetnames)
        for sheet in SHEETS:
            if sheet.name in names:
                tables[sheet.name] = _table(workbook[sheet.name], sheet, problems)
            else:
                problems.append(
                    Problem(
                        cell_place(sheet.name),
                        f"is missing: the workbook has no sheet called {sheet.name}. Its "
                        f"sheets are {', '.join(names)}; keep the names the template gives them",
                    )
                )
    if problems:
        return SpreadsheetRead(None, problems)
    read = SpreadsheetRead({}, problems)
    _Builder(tables, read).build()
    return read


class _Builder:
    """Turns the sheets' rows into the document, noting where each part was read."""

    def __init__(self, tables: dict[str, list[Row]], read: SpreadsheetRead):
        self.tables, self.read = tables, read
        self.document: dict = read.document
        self.change_index: dict[str, int] = {}
        self.crosswalk_from: str | None = None

    def place(self, path: tuple, sheet: str, row: int, column: str) -> None:
        self.read.places[path] = (sheet, row, column)

    def problem(self, sheet: str, row: int, column: str, message: str) -> None:
        self.read.problems.append(Problem(cell_place(sheet, row, column), message))

    def build(self) -> None:
        self._framework()
        document = self.document
        document["principles"] = []
        for number, cells in self.tables["Principles"]:
            self.place(("principles", len(document["principles"])), "Principles", number, "title")
            document["principles"].append(
                {"title": _text(cells["title"]), "text": _text(cells["text"])}
            )
        if self.tables["Levels"]:
            document["levels"] = []
            for number, cells in self.tables["Levels"]:
                self.place(("levels", len(document["levels"])), "Levels", number, "number")
                document["levels"].append(
                    {
                        "number": _whole(cells["number"]),
                        "name": _text(cells["name"]),
                        "definition": _text(cells["definition"]),
                    }
                )
        document["groups"] = []
        for number, cells in self.tables["Groups"]:
            self.place(("groups", len(document["groups"])), "Groups", number, "code")
            document["groups"].append(
                {
                    "code": _code(cells["code"]),
                    "kind": (_text(cells["kind"]) or "").lower() or None,
                    "title": _text(cells["title"]),
                    "description": _text(cells["description"]) or "",
                }
            )
        self._changes()
        self._measures()
        self._actions()
        self._descriptors()
        self._crosswalk()

    def _framework(self) -> None:
        values: dict[str, tuple[int, Any]] = {}
        for number, cells in self.tables["Framework"]:
            name = (_text(cells["field"]) or "").lower()
            if name not in FRAMEWORK_FIELD_NAMES:
                self.problem(
                    "Framework",
                    number,
                    "field",
                    f"{name!r} is not a field of a framework. The fields are "
                    f"{', '.join(FRAMEWORK_FIELD_NAMES)}",
                )
            elif name in values:
                self.problem(
                    "Framework", number, "field", f"{name} is also in row {values[name][0]}"
                )
            else:
                values[name] = (number, cells["value"])
                self.place((name,), "Framework", number, "value")
        for name in REQUIRED_FIELDS:
            if name not in values:
                self.read.problems.append(
                    Problem(
                        cell_place(FRAMEWORK.name),
                        f"has no row for the field {name}. Put it back as the template has it",
                    )
                )
        value = {name: cell for name, (_, cell) in values.items()}
        document = self.document
        document["key"] = _text(value.get("key"))
        document["version"] = _whole(value.get("version"))
        document["year"] = _whole(value.get("year"))
        for name in ("title", "short_title", "publisher"):
            document[name] = _text(value.get(name))
        for name in OPTIONAL_TEXT_FIELDS:
            document[name] = _text(value.get(name)) or ""
        for name, default in (("complete", True), ("rate_enablers", False)):
            document[name] = self._yes_no(name, value.get(name), default, values)
        if "crosswalk_from" in values:
            number = values["crosswalk_from"][0]
            self.place(("crosswalk",), "Framework", number, "value")
        self.crosswalk_from = _text(value.get("crosswalk_from"))

    def _yes_no(self, name: str, value: Any, default: bool, values: dict) -> bool:
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in YES | NO:
            return word in YES
        self.problem("Framework", values[name][0], "value", f"{name} must be yes or no")
        return default

    def _changes(self) -> None:
        changes = self.document["changes"] = []
        self.place(("changes",), "Changes", 2, "code")
        for number, cells in self.tables["Changes"]:
            path = ("changes", len(changes))
            self.place(path, "Changes", number, "code")
            code = _code(cells["code"])
            if code is not None:
                self.change_index.setdefault(code, len(changes))
            changes.append(
                {
                    "code": code,
                    "kind": (_text(cells["kind"]) or "change").lower(),
                    "title": _text(cells["title"]),
                    "groups": _codes(cells["groups"]),
                    "summary": _text(cells["summary"]) or "",
                    "i_statement": _text(cells["i_statement"]) or "",
                    "we_statement": _text(cells["we_statement"]) or "",
                    "tips": _lines(cells["tips"]),
                    "measures": [],
                    "actions": [],
                    "descriptors": {},
                }
            )

    def _change_of(self, sheet: str, number: int, cells: dict) -> int | None:
        """The index of the change a row of `sheet` names, or None (the problem added)."""
        code = _code(cells["change"])
        if code is None:
            self.problem(sheet, number, "change", "enter the code of a change in the Changes sheet")
            return None
        if code not in self.change_index:
            self.problem(sheet, number, "change", f"there is no change {code} in the Changes sheet")
            return None
        return self.change_index[code]

    def _measures(self) -> None:
        for number, cells in self.tables["Measures"]:
            index = self._change_of("Measures", number, cells)
            if index is None:
                continue
            measures = self.document["changes"][index]["measures"]
            self.place(("changes", index, "measures", len(measures)), "Measures", number, "name")
            measures.append({"name": _text(cells["name"]), "unit": _text(cells["unit"]) or ""})

    def _actions(self) -> None:
        for number, cells in self.tables["Actions"]:
            index = self._change_of("Actions", number, cells)
            if index is None:
                continue
            actions = self.document["changes"][index]["actions"]
            self.place(("changes", index, "actions", len(actions)), "Actions", number, "code")
            actions.append(
                {
                    "code": _code(cells["code"]),
                    "group": _code(cells["group"]),
                    "title": _text(cells["title"]),
                    "points": _lines(cells["points"]),
                }
            )

    def _descriptors(self) -> None:
        first_row: dict[tuple, int] = {}
        for number, cells in self.tables["Descriptors"]:
            index = self._change_of("Descriptors", number, cells)
            level = _whole(cells["level"])
            if level is None:
                self.problem("Descriptors", number, "level", "enter the number of a level")
            if index is None or level is None:
                continue
            change = self.document["changes"][index]
            if (index, level) in first_row:
                self.problem(
                    "Descriptors",
                    number,
                    "level",
                    f"change {change['code']} has a descriptor for level {level} in row "
                    f"{first_row[index, level]} already",
                )
                continue
            first_row[index, level] = number
            self.place(("changes", index, "descriptors", str(level)), "Descriptors", number, "text")
            change["descriptors"][level] = _text(cells["text"])

    def _crosswalk(self) -> None:
        mapping: dict[str, str] = {}
        first_row: dict[str, int] = {}
        for number, cells in self.tables["Crosswalk"]:
            old, new = _code(cells["earlier_change"]), _code(cells["change"])
            if old is None:
                self.problem(
                    "Crosswalk",
                    number,
                    "earlier_change",
                    "enter a change's code in the earlier framework",
                )
            elif old in first_row:
                self.problem(
                    "Crosswalk",
                    number,
                    "earlier_change",
                    f"{old} is also in row {first_row[old]}: map each earlier change once",
                )
            if new is None:
                self.problem(
                    "Crosswalk", number, "change", "enter the code of a change in the Changes sheet"
                )
            if old is None or new is None or old in first_row:
                continue
            first_row[old] = number
            mapping[old] = new
            self.place(("crosswalk", "changes", old), "Crosswalk", number, "earlier_change")
        if self.tables["Crosswalk"] and not self.crosswalk_from:
            self.read.problems.append(
                Problem(
                    self.read.locate(("crosswalk",), "value") or cell_place(FRAMEWORK.name),
                    "enter the key of the earlier framework that the Crosswalk sheet maps from, "
                    "as crosswalk_from",
                )
            )
        elif self.crosswalk_from:
            self.document["crosswalk"] = {"from": self.crosswalk_from, "changes": mapping}
