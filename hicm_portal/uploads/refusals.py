"""Why an upload was refused: GOV.UK's wording for file uploads, and the error that carries it.

Every check of `hicm_portal.uploads` refuses a file by raising `UploadRefused` with one of these
messages and a code, so a form can show the message and a test can assert the code.
"""

from django.conf import settings
from django.core.exceptions import ValidationError

FILE_MISSING = "Select a spreadsheet to upload"
FILE_EMPTY = "The selected file is empty"
FILE_TOO_BIG = "The selected file must be smaller than {size}"
WRONG_TYPE = "The selected file must be an Excel spreadsheet (.xlsx) or a CSV file (.csv)"
NOT_A_SPREADSHEET = (
    "The selected file is not a spreadsheet we can read. Save it from your spreadsheet "
    "program as .xlsx (or .csv) and upload it again."
)
TOO_MUCH_DATA = (
    "The selected file holds too much data to import. Remove anything that is not needed "
    "(other sheets, pictures, formatting) and upload it again."
)
TOO_MANY_ROWS = (
    "The selected file has more than {rows:,} rows. Split it into files of {rows:,} rows "
    "or fewer and upload each one."
)
CELL_TOO_LONG = (
    "Row {row} of the selected file has a cell with more than {characters:,} characters. "
    "Shorten it and upload the file again."
)
PREVIEW_EXPIRED = (
    "The preview was made more than {minutes} minutes ago, so it has expired and nothing was "
    "saved. Upload the spreadsheet again."
)


class UploadRefused(ValidationError):
    """An upload that will not be read any further, with the message to show and a code
    ("too_big", "empty", "wrong_type", "unreadable", "too_much_data", "too_many_rows",
    "cell_too_long", "expired")."""


def size_text(size: int) -> str:
    """Bytes the GOV.UK way: 5MB, 512KB."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g}MB"
    return f"{size / 1024:g}KB"


def too_big(max_bytes: int | None = None) -> UploadRefused:
    size = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    return UploadRefused(FILE_TOO_BIG.format(size=size_text(size)), code="too_big")


def too_many_rows(max_rows: int) -> UploadRefused:
    return UploadRefused(TOO_MANY_ROWS.format(rows=max_rows), code="too_many_rows")


def unreadable() -> UploadRefused:
    return UploadRefused(NOT_A_SPREADSHEET, code="unreadable")


def too_much_data() -> UploadRefused:
    return UploadRefused(TOO_MUCH_DATA, code="too_much_data")
