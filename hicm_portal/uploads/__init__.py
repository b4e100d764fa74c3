"""The one way in for every uploaded spreadsheet: bounded before and while it is read.

Every import (a partner's return, the action import, the admin's imports) goes through here, so
that no file can take a worker down. A 1 MB zip can unpack to gigabytes, and a small sheet can
hold millions of rows or an XML bomb, so an upload is checked in layers, each cheap and each
before the next, more expensive, step:

1. The request (`request_limit`): `upload_view` refuses a body larger than `UPLOAD_MAX_BYTES`
   from its Content-Length before anything reads it, and installs `UploadLimit`, an upload
   handler that stops the upload as soon as the bytes streamed pass the cap (a chunked or
   lying request).
2. The zip (XLSX, `xlsx_checks`): its central directory is read before anything is unpacked.
   Too many members, more than `UPLOAD_MAX_UNPACKED_BYTES` unpacked, or a member squeezed more
   than 100:1, and the file is refused. zipfile never unpacks more than a member declares.
3. The XML (`xlsx_checks`): every XML part is streamed through expat, counting as it goes. A DTD
   is refused (a spreadsheet has none; entity expansion and external entities need one), and
   so are too many elements, too deep a nesting, a row with more cells than Excel allows, or
   more rows than the import takes. This costs a fraction of what openpyxl then spends on the
   same file.
4. The rows (`datasets`): openpyxl reads in read-only mode (it streams, and uses defusedxml,
   checked at import), counting rows as they come and refusing at the cap; CSV is read record
   by record with the same cap and a cap on each cell's length.

A checked upload waits for its confirmation as a `PendingUpload` row, not in the session
(whose row is read on every request), for `UPLOAD_PREVIEW_MINUTES`; expired previews are
refused and deleted whenever someone uploads (`previews`).

Messages are GOV.UK's wording for file uploads (`refusals`). This package imports no app of the
portal. Its names are re-exported here, so callers import `hicm_portal.uploads` alone.
"""

from hicm_portal.uploads.datasets import (
    CSV_EXTENSION,
    IMPORT_FORMATS,
    MAX_CELL_CHARACTERS,
    MAX_COLUMNS,
    XLSX_EXTENSION,
    CSVImport,
    XLSXImport,
    csv_dataset,
    csv_rows,
    sheet_rows,
    spreadsheet_dataset,
    xlsx_dataset,
)
from hicm_portal.uploads.previews import (
    PendingUploadStorage,
    pending_upload_create,
    pending_upload_delete,
    pending_upload_get,
    pending_uploads_delete_expired,
    preview_expired,
)
from hicm_portal.uploads.refusals import (
    CELL_TOO_LONG,
    FILE_EMPTY,
    FILE_MISSING,
    FILE_TOO_BIG,
    NOT_A_SPREADSHEET,
    PREVIEW_EXPIRED,
    TOO_MANY_ROWS,
    TOO_MUCH_DATA,
    WRONG_TYPE,
    UploadRefused,
    size_text,
    too_big,
    too_many_rows,
    too_much_data,
    unreadable,
)
from hicm_portal.uploads.request_limit import (
    REQUEST_ALLOWANCE,
    FormT,
    UploadLimit,
    read_upload,
    upload_form,
    upload_refused,
    upload_view,
)
from hicm_portal.uploads.xlsx_checks import (
    MAX_CELLS_IN_A_ROW,
    MAX_COMPRESSION_RATIO,
    MAX_XML_DEPTH,
    MAX_XML_ELEMENTS,
    MAX_ZIP_MEMBERS,
    RATIO_CHECKED_FROM,
    UNREADABLE,
    check_xlsx,
    open_xlsx,
)

__all__ = [
    "CELL_TOO_LONG",
    "CSV_EXTENSION",
    "FILE_EMPTY",
    "FILE_MISSING",
    "FILE_TOO_BIG",
    "IMPORT_FORMATS",
    "MAX_CELLS_IN_A_ROW",
    "MAX_CELL_CHARACTERS",
    "MAX_COLUMNS",
    "MAX_COMPRESSION_RATIO",
    "MAX_XML_DEPTH",
    "MAX_XML_ELEMENTS",
    "MAX_ZIP_MEMBERS",
    "NOT_A_SPREADSHEET",
    "PREVIEW_EXPIRED",
    "RATIO_CHECKED_FROM",
    "REQUEST_ALLOWANCE",
    "TOO_MANY_ROWS",
    "TOO_MUCH_DATA",
    "UNREADABLE",
    "WRONG_TYPE",
    "XLSX_EXTENSION",
    "CSVImport",
    "FormT",
    "PendingUploadStorage",
    "UploadLimit",
    "UploadRefused",
    "XLSXImport",
    "check_xlsx",
    "csv_dataset",
    "csv_rows",
    "open_xlsx",
    "pending_upload_create",
    "pending_upload_delete",
    "pending_upload_get",
    "pending_uploads_delete_expired",
    "preview_expired",
    "read_upload",
    "sheet_rows",
    "size_text",
    "spreadsheet_dataset",
    "too_big",
    "too_many_rows",
    "too_much_data",
    "unreadable",
    "upload_form",
    "upload_refused",
    "upload_view",
    "xlsx_dataset",
]
