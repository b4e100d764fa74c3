"""The one writer of every spreadsheet the portal gives out, so that user text stays text.

A spreadsheet program runs a cell as a formula when its text starts with "=", "+", "-" or "@"
(and, in some programs, a tab or carriage return): a rationale such as `=HYPERLINK("http://x")`
or `=cmd|' /C calc'!A0` would become a live link or command in the colleague's copy of Excel.
So user text is written as text, one rule for every file:

- XLSX: every str is stored as a string cell (openpyxl's data type "s"). openpyxl otherwise
  makes any str starting with "=" a formula. The text itself is kept exactly as written.
- CSV: a str that starts with one of those characters gets a single quote in front, as OWASP
  advises for CSV injection (a CSV cell has no type, so the quote is the only safe marker).

Numbers, dates and booleans are written as they are, so amounts stay numeric. In XLSX a date
is a real date cell shown the GOV.UK way ("31 March 2027"; a date-time also with its time, in
the portal's time zone, as Excel holds no time zone), and a Decimal is an amount of money in
pounds, shown as "£1,000.50".

`write_cell` and `append_row` are for workbooks built cell by cell (the partner return, the BCF
return); `dataset_csv`, `dataset_xlsx` and `export_dataset` for tablib datasets (the actions
list); `CSV` and `XLSX` are django-import-export formats doing the same for the admin exports
(`EXPORT_FORMATS` in settings).
"""

import io
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import tablib
from django.utils import timezone
from import_export.formats import base_formats
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font

# What a spreadsheet program may read as the start of a formula (with the full-width forms,
# which some programs treat the same way).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")

# Excel number formats: dates the GOV.UK way, amounts in pounds.
DATE_FORMAT = "d mmmm yyyy"
DATE_TIME_FORMAT = "h:mm AM/PM, d mmmm yyyy"
MONEY_FORMAT = '"£"#,##0.00'

CSV_CONTENT_TYPE = "text/csv"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_value(value: Any) -> Any:
    """A value as it may go into a CSV file: text that could start a formula gets a leading
    single quote; anything that is not text is left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_cell(cell, value: Any) -> None:
    """Put a value in an openpyxl cell, text as text (never a formula).

    Control characters that a browser form lets through are dropped: openpyxl refuses to write
    a file containing them.
    """
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"
    elif isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(value)
        cell.value = value
        cell.number_format = DATE_TIME_FORMAT
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif isinstance(value, Decimal):
        cell.value = value
        cell.number_format = MONEY_FORMAT
    else:
        cell.value = value


def append_row(sheet, values: Iterable[Any]) -> None:
    """`sheet.append(values)`, with every cell written by `write_cell`."""
    cells = []
    for value in values:
        cell = Cell(sheet)
        write_cell(cell, value)
        cells.append(cell)
    sheet.append(cells)


def dataset_csv(dataset: tablib.Dataset) -> str:
    """A tablib dataset as CSV text, formula-safe."""
    safe = tablib.Dataset(headers=[csv_value(h) for h in dataset.headers or []] or None)
    for row in dataset:
        safe.append([csv_value(value) for value in row])
    return safe.export("csv")


def dataset_xlsx(dataset: tablib.Dataset) -> bytes:
    """A tablib dataset as an .xlsx workbook (bold header row, frozen), formula-safe."""
    workbook = Workbook()
    sheet = workbook.active
    if dataset.title:
        sheet.title = dataset.title[:31]
    if dataset.headers:
        append_row(sheet, dataset.headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    for row in dataset:
        append_row(sheet, row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def export_dataset(dataset: tablib.Dataset, file_format: str) -> str | bytes:
    """A dataset as "csv" or "xlsx", through the writers above."""
    if file_format == "csv":
        return dataset_csv(dataset)
    if file_format == "xlsx":
        return dataset_xlsx(dataset)
    raise ValueError(f"No spreadsheet format {file_format!r}")


class CSV(base_formats.CSV):
    """django-import-export's CSV export, formula-safe."""

    def export_data(self, dataset, **kwargs):
        return dataset_csv(dataset)


class XLSX(base_formats.XLSX):
    """django-import-export's XLSX export, formula-safe."""

    def export_data(self, dataset, **kwargs):
        return dataset_xlsx(dataset)


EXPORT_FORMATS = [CSV, XLSX]
