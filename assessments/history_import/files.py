"""Reading a file of past returns: its sheets as records, row by row, named as the spreadsheet
numbers them (the headings are row 1).

A CSV file is one sheet, the levels. An .xlsx file has a sheet `levels` and may have a sheet
`investments`. Everything comes in through `hicm_portal.uploads`, the one way in for every
import: the file's size, its zip and its XML are checked before openpyxl reads it (read-only,
streaming), and the rows are counted as they stream, up to `UPLOAD_MAX_ROWS` a sheet. Nothing
here knows what the columns mean; `levels` and the investments reader do.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings

from hicm_portal import uploads

LEVELS_SHEET = "levels"
INVESTMENTS_SHEET = "investments"

NO_LEVELS_SHEET = (
    f"The spreadsheet has no sheet called {LEVELS_SHEET}. Put the levels in a sheet called "
    f"{LEVELS_SHEET} (and any investments in a sheet called {INVESTMENTS_SHEET})."
)
NO_HEADINGS = "The first row of the {sheet} must have the column headings: {columns}"
COLUMN_MISSING = (
    "The {sheet} has no column {column}. Its first row must have the headings: {columns}"
)
COLUMN_UNKNOWN = (
    "The {sheet} has a column {column} that the import does not know. Its columns are: {columns}"
)
COLUMN_TWICE = "The {sheet} has the column {column} twice"
PLACE_MISSING = "The {sheet} needs a column area_code or a column system (or both)"


@dataclass(frozen=True)
class Record:
    """One row of a sheet: its number as the spreadsheet shows it, and its cells by column
    heading ("" when empty; a date cell of an .xlsx as a date)."""

    number: int
    cells: dict[str, str | date]

    def text(self, column: str) -> str:
        value = self.cells.get(column, "")
        return value.isoformat() if isinstance(value, date) else value


@dataclass(frozen=True)
class Columns:
    """What a sheet's headings must be: `required` columns, `optional` ones, and `place`, the
    columns of which at least one names the area or system."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    place: tuple[str, ...] = ("area_code", "system")

    @property
    def known(self) -> tuple[str, ...]:
        return (*self.place, *self.required, *self.optional)


def cell(value) -> str | date:
    """A cell as text (3 and 3.0 are "3"; whitespace around it goes), or a date where the
    spreadsheet program stored one."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def sheet_label(sheet: str | None) -> str:
    return f"{sheet} sheet" if sheet else "file"


def check_headings(headings: list[str], columns: Columns, sheet: str | None) -> list[str]:
    """What is wrong with a sheet's headings, every problem at once."""
    label = sheet_label(sheet)
    listed = ", ".join(columns.known)
    if not any(headings):
        return [NO_HEADINGS.format(sheet=label, columns=listed)]
    problems = []
    seen = set()
    for heading in headings:
        if not heading:
            continue
        if heading in seen:
            problems.append(COLUMN_TWICE.format(sheet=label, column=heading))
        elif heading not in columns.known:
            problems.append(COLUMN_UNKNOWN.format(sheet=label, column=heading, columns=listed))
        seen.add(heading)
    problems += [
        COLUMN_MISSING.format(sheet=label, column=column, columns=listed)
        for column in columns.required
        if column not in seen
    ]
    if not seen & set(columns.place):
        problems.append(PLACE_MISSING.format(sheet=label))
    return problems


def records(rows: Iterator, headings: list[str]) -> Iterator[Record]:
    """The rows under the headings as records, numbered from row 2; blank rows are skipped
    (and counted)."""
    for number, values in enumerate(rows, start=2):
        cells = {
            heading: cell(value)
            for heading, value in zip(headings, values, strict=False)
            if heading
        }
        if any(value != "" for value in cells.values()):
            yield Record(number, cells)


class ReturnsFile:
    """An open file of past returns: `sheet(name)` gives its headings and records."""

    def __init__(self, *, workbook=None, csv_data: bytes | None = None, max_rows: int):
        self.workbook = workbook
        self.csv_data = csv_data
        self.max_rows = max_rows

    @property
    def is_csv(self) -> bool:
        return self.workbook is None

    def sheet(self, name: str) -> tuple[list[str], Iterator] | None:
        """The sheet's headings (trimmed, in lower case) and its rows of values, or None when
        the file has no such sheet (a CSV file has the levels only)."""
        if self.is_csv:
            if name != LEVELS_SHEET:
                return None
            rows = uploads.csv_rows(self.csv_data, max_rows=self.max_rows)
        else:
            found = next(
                (n for n in self.workbook.sheetnames if n.strip().casefold() == name), None
            )
            if found is None:
                return None
            rows = uploads.sheet_rows(self.workbook[found], max_rows=self.max_rows)
        first = next(rows, None) or ()
        headings = [str(cell(value)).strip().casefold() for value in first]
        while headings and not headings[-1]:
            headings.pop()
        return headings, rows


@contextmanager
def open_returns_file(data: bytes, *, filename: str) -> Iterator[ReturnsFile]:
    """The file, opened by its name's extension (.csv or .xlsx), bounded at every step: raises
    `uploads.UploadRefused` with the message to show when it cannot be read."""
    name = (filename or "").lower()
    max_rows = settings.UPLOAD_MAX_ROWS
    if name.endswith(uploads.CSV_EXTENSION):
        yield ReturnsFile(csv_data=data, max_rows=max_rows)
    elif name.endswith(uploads.XLSX_EXTENSION):
        with uploads.open_xlsx(data, max_rows=max_rows) as workbook:
            yield ReturnsFile(workbook=workbook, max_rows=max_rows)
    else:
        raise uploads.UploadRefused(uploads.WRONG_TYPE, code="wrong_type")


@dataclass(frozen=True)
class Problem:
    """What is wrong, and where: the sheet (None for a CSV file), row and column."""

    message: str
    row: int | None = None
    column: str = ""
    sheet: str | None = None

    def __str__(self) -> str:
        place = []
        if self.sheet:
            place.append(f"Sheet {self.sheet}")
        if self.row is not None:
            place.append(f"row {self.row}" if place else f"Row {self.row}")
        if self.column:
            place.append(f"column {self.column}")
        return f"{', '.join(place)}: {self.message}" if place else self.message
