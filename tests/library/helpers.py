"""Shared by the framework library's tests: the example files, workbooks to edit, uploads."""

import io
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import load_workbook

EXAMPLES = Path(settings.BASE_DIR) / "fixtures" / "frameworks" / "examples"
EXAMPLE_XLSX = EXAMPLES / "example-discharge.xlsx"
EXAMPLE_YAML = EXAMPLES / "example-discharge.yaml"
EARLIER_YAML = EXAMPLES / "example-earlier.yaml"


def load_earlier_example() -> None:
    """The invented earlier framework that the example's crosswalk maps from."""
    call_command("load_frameworks", str(EARLIER_YAML), stdout=io.StringIO())


def uploaded(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def edited_workbook(edit, content: bytes | None = None) -> bytes:
    """The example spreadsheet (or `content`), changed by `edit(workbook)`."""
    workbook = load_workbook(io.BytesIO(content or EXAMPLE_XLSX.read_bytes()))
    edit(workbook)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def row_of(sheet, column: str, value) -> int:
    """The number of the first row of `sheet` whose `column` holds `value`."""
    headings = [cell.value for cell in sheet[1]]
    index = headings.index(column)
    for number, row in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        if row[index] == value:
            return number
    raise AssertionError(f"no {column} {value!r} in {sheet.title}")


def set_cell(workbook, sheet_name: str, row: int, column: str, value) -> None:
    sheet = workbook[sheet_name]
    headings = [cell.value for cell in sheet[1]]
    sheet.cell(row=row, column=headings.index(column) + 1).value = value


def set_field(workbook, name: str, value) -> None:
    """Set a field's value on the Framework sheet."""
    set_cell(workbook, "Framework", row_of(workbook["Framework"], "field", name), "value", value)
