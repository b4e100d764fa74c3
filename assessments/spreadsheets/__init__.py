"""A partner's return as an Excel spreadsheet: download it, fill it in offline, upload it.

Many partners collect ratings from colleagues by e-mail before anyone types them into the
portal, so the return can be downloaded as an .xlsx with one row per change (`download`), filled
in, and uploaded again. An upload is checked in full first (`preview.parse_return_workbook`) so
that the person sees a preview with every problem at once, and is written only when confirmed
(`confirm.upload_apply`), all of it or none of it, through the rating form's own service
(`round_services.rating_save`): the same checks, history and version check. A rating saved by
someone else since the preview stops the upload, and the person chooses between the versions.
Both sides agree on the sheet's shape through `layout`.

Blind rating: the workbook holds the ratings of the one partner it is for, and nothing of any
other partner. The uploaded file is never trusted: its size, its unpacked size, its sheet, its
headers, its row count and every cell are checked before anything is read into a rating, the
file itself through `hicm_portal.uploads`, the one way in for every import.

Its names are re-exported here, so callers import `assessments.spreadsheets` alone.
"""

from assessments.spreadsheets.confirm import (
    UPLOAD_CHANGE_REASON,
    UPLOAD_CONFLICTS,
    UPLOAD_HAS_ERRORS,
    UPLOAD_OUT_OF_DATE,
    UploadConflict,
    UploadConflicts,
    upload_apply,
    upload_resolve,
)
from assessments.spreadsheets.download import (
    COLUMN_WIDTHS,
    CONFIDENCE_ERROR,
    CONFIDENCE_PROMPT,
    EVIDENCE_NOTE,
    LEVEL_ERROR,
    LEVEL_PROMPT,
    LISTS_SHEET_NAME,
    WRAPPED_COLUMNS,
    evidence_to_text,
    return_workbook,
    workbook_filename,
)
from assessments.spreadsheets.layout import (
    CONTENT_TYPE,
    EVIDENCE_EXAMPLE,
    EVIDENCE_SEPARATOR,
    HEADERS,
    SHEET_NAME,
)
from assessments.spreadsheets.preview import (
    CODE_MISSING,
    CODE_TWICE,
    CODE_UNKNOWN,
    CONFIDENCE_INVALID,
    EVIDENCE_INVALID,
    EVIDENCE_MISSING,
    HEADERS_WRONG,
    LEVEL_MISSING,
    LEVEL_UNKNOWN,
    MAX_ROWS,
    MAX_SCANNED_ROWS,
    NO_RATINGS,
    NO_RETURN_SHEET,
    NOT_XLSX,
    RATIONALE_MISSING,
    TOO_MANY_ROWS,
    ParsedUpload,
    UploadRow,
    parse_return_workbook,
)

__all__ = [
    "CODE_MISSING",
    "CODE_TWICE",
    "CODE_UNKNOWN",
    "COLUMN_WIDTHS",
    "CONFIDENCE_ERROR",
    "CONFIDENCE_INVALID",
    "CONFIDENCE_PROMPT",
    "CONTENT_TYPE",
    "EVIDENCE_EXAMPLE",
    "EVIDENCE_INVALID",
    "EVIDENCE_MISSING",
    "EVIDENCE_NOTE",
    "EVIDENCE_SEPARATOR",
    "HEADERS",
    "HEADERS_WRONG",
    "LEVEL_ERROR",
    "LEVEL_MISSING",
    "LEVEL_PROMPT",
    "LEVEL_UNKNOWN",
    "LISTS_SHEET_NAME",
    "MAX_ROWS",
    "MAX_SCANNED_ROWS",
    "NOT_XLSX",
    "NO_RATINGS",
    "NO_RETURN_SHEET",
    "RATIONALE_MISSING",
    "SHEET_NAME",
    "TOO_MANY_ROWS",
    "UPLOAD_CHANGE_REASON",
    "UPLOAD_CONFLICTS",
    "UPLOAD_HAS_ERRORS",
    "UPLOAD_OUT_OF_DATE",
    "WRAPPED_COLUMNS",
    "ParsedUpload",
    "UploadConflict",
    "UploadConflicts",
    "UploadRow",
    "evidence_to_text",
    "parse_return_workbook",
    "return_workbook",
    "upload_apply",
    "upload_resolve",
    "workbook_filename",
]
