"""The last layer of an upload: its rows, counted as they stream, and the datasets made of them.

openpyxl reads a checked .xlsx in read-only mode (it streams), counting rows as they come and
refusing at the cap; CSV is read record by record with the same cap and a cap on each cell's
length. `spreadsheet_dataset` is the portal's own imports' way in; `IMPORT_FORMATS` are the
admin's (django-import-export), through the same readers.
"""

import csv
import io
from collections.abc import Iterator

import tablib
from django.conf import settings
from import_export.formats import base_formats

from hicm_portal.uploads.refusals import (
    CELL_TOO_LONG,
    WRONG_TYPE,
    UploadRefused,
    too_many_rows,
    unreadable,
)
from hicm_portal.uploads.request_limit import read_upload
from hicm_portal.uploads.xlsx_checks import open_xlsx

MAX_CELL_CHARACTERS = 32_767  # Excel's own limit on a cell's text
# Columns read from a sheet (the rest of a row is ignored): more than any import has.
MAX_COLUMNS = 100

XLSX_EXTENSION = ".xlsx"
CSV_EXTENSION = ".csv"


def _check_cell_length(values, number: int) -> None:
    for value in values:
        if value.__class__ is str and len(value) > MAX_CELL_CHARACTERS:
            raise UploadRefused(
                CELL_TOO_LONG.format(row=number, characters=MAX_CELL_CHARACTERS),
                code="cell_too_long",
            )


def sheet_rows(
    sheet, *, max_rows: int, max_columns: int = MAX_COLUMNS, min_row: int = 1
) -> Iterator[tuple]:
    """A read-only sheet's rows from `min_row` as tuples of values, `max_columns` wide, counted
    as they stream: past the headings and `max_rows` more rows, UploadRefused. Rows missing
    from the file come as empty rows, as openpyxl gives them (and count)."""
    if not hasattr(sheet, "iter_rows"):  # a chart sheet
        raise unreadable()
    rows = sheet.iter_rows(min_row=min_row, max_col=max_columns, values_only=True)
    for number, values in enumerate(rows, start=min_row):
        if number > max_rows + 1:
            raise too_many_rows(max_rows)
        _check_cell_length(values, number)
        yield values


def csv_rows(data: bytes | str, *, max_rows: int) -> Iterator[list[str]]:
    """A CSV file's records, read one at a time: past the headings and `max_rows` more
    (blank lines count), UploadRefused; so is binary data and a cell longer than Excel's."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise unreadable() from error
    else:
        data = data.removeprefix("\ufeff")
    if "\x00" in data:
        raise unreadable()
    reader = csv.reader(io.StringIO(data, newline=""))
    number = 0
    try:
        for number, record in enumerate(reader, start=1):  # noqa: B007 - used after the loop
            if number > max_rows + 1:
                raise too_many_rows(max_rows)
            _check_cell_length(record, number)
            yield record
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise UploadRefused(
                CELL_TOO_LONG.format(row=number + 1, characters=MAX_CELL_CHARACTERS),
                code="cell_too_long",
            ) from error
        raise unreadable() from error


def _headings(values) -> list[str]:
    """The headings of the first row, up to the last one given; unreadable if there are none."""
    headings = ["" if value is None else str(value).strip() for value in values or ()]
    while headings and not headings[-1]:
        headings.pop()
    if not headings:
        raise unreadable()
    return headings


def _dataset(headings: list[str], rows: Iterator, *, text: bool) -> tablib.Dataset:
    """A tablib dataset of the rows under the headings: each cut or padded to the headings'
    width (a cell beyond them has no column to go in); blank rows are left out."""
    width, blank = len(headings), "" if text else None
    kept = []
    for values in rows:
        row = list(values[:width])
        if all(value is None or (text and not value.strip()) for value in row):
            continue
        kept.append(row + [blank] * (width - len(row)))
    return tablib.Dataset(*kept, headers=headings)  # one check of the width, not one a row


def xlsx_dataset(data: bytes, *, max_rows: int) -> tablib.Dataset:
    """The active sheet of an .xlsx as a dataset, bounded at every step. Below the headings,
    only as many columns as they have are read."""
    with open_xlsx(data, max_rows=max_rows) as workbook:
        sheet = workbook.active
        headings = _headings(next(sheet_rows(sheet, max_rows=max_rows), None))
        rows = sheet_rows(sheet, max_rows=max_rows, max_columns=len(headings), min_row=2)
        return _dataset(headings, rows, text=False)


def csv_dataset(data: bytes | str, *, max_rows: int) -> tablib.Dataset:
    """A CSV file as a dataset, bounded at every step."""
    rows = csv_rows(data, max_rows=max_rows)
    return _dataset(_headings(next(rows, None)), rows, text=True)


def spreadsheet_dataset(uploaded_file, *, max_rows: int | None = None) -> tablib.Dataset:
    """An uploaded .xlsx or .csv file (by its name) as a dataset of at most `max_rows` rows
    (`UPLOAD_MAX_ROWS`), or UploadRefused with the message to show."""
    name = (getattr(uploaded_file, "name", "") or "").lower()
    if not name.endswith((XLSX_EXTENSION, CSV_EXTENSION)):
        raise UploadRefused(WRONG_TYPE, code="wrong_type")
    data = read_upload(uploaded_file)
    max_rows = settings.UPLOAD_MAX_ROWS if max_rows is None else max_rows
    if name.endswith(XLSX_EXTENSION):
        return xlsx_dataset(data, max_rows=max_rows)
    return csv_dataset(data, max_rows=max_rows)


class CSVImport(base_formats.CSV):
    """django-import-export's CSV import, read through the bounded reader."""

    def create_dataset(self, in_stream, **kwargs):
        return csv_dataset(in_stream, max_rows=settings.UPLOAD_MAX_ROWS)


class XLSXImport(base_formats.XLSX):
    """django-import-export's XLSX import, read through the bounded reader."""

    def create_dataset(self, in_stream, **kwargs):
        return xlsx_dataset(in_stream, max_rows=settings.UPLOAD_MAX_ROWS)


# The only formats the admin imports: each other format is another parser to bound.
IMPORT_FORMATS = [CSVImport, XLSXImport]
