"""The one way in for every uploaded spreadsheet: bounded before and while it is read.

Every import (a partner's return, the action import, the admin's imports) goes through here, so
that no file can take a worker down. A 1 MB zip can unpack to gigabytes, and a small sheet can
hold millions of rows or an XML bomb, so an upload is checked in layers, each cheap and each
before the next, more expensive, step:

1. The request: `upload_view` refuses a body larger than `UPLOAD_MAX_BYTES` from its
   Content-Length before anything reads it, and installs `UploadLimit`, an upload handler that
   stops the upload as soon as the bytes streamed pass the cap (a chunked or lying request).
2. The zip (XLSX): its central directory is read before anything is unpacked. Too many
   members, more than `UPLOAD_MAX_UNPACKED_BYTES` unpacked, or a member squeezed more than
   100:1, and the file is refused. zipfile never unpacks more than a member declares.
3. The XML: every XML part is streamed through expat, counting as it goes. A DTD is refused
   (a spreadsheet has none; entity expansion and external entities need one), and so are too
   many elements, too deep a nesting, a row with more cells than Excel allows, or more rows
   than the import takes. This costs a fraction of what openpyxl then spends on the same file.
4. The rows: openpyxl reads in read-only mode (it streams, and uses defusedxml, checked at
   import), counting rows as they come and refusing at the cap; CSV is read record by record
   with the same cap and a cap on each cell's length.

A checked upload waits for its confirmation as a `PendingUpload` row, not in the session
(whose row is read on every request), for `UPLOAD_PREVIEW_MINUTES`; expired previews are
refused and deleted whenever someone uploads.

Messages are GOV.UK's wording for file uploads. This module imports no app of the portal.
"""

import codecs
import csv
import io
import uuid
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar
from xml.parsers import expat

import openpyxl
import tablib
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import transaction
from django.forms import FileField, Form
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from import_export.formats import base_formats
from import_export.tmp_storages import BaseStorage
from openpyxl.utils.exceptions import InvalidFileException

from hicm_portal.models import PendingUpload, User

if not openpyxl.DEFUSEDXML:  # pragma: no cover - defusedxml is a pinned dependency
    raise ImproperlyConfigured(
        "openpyxl is not using defusedxml (is OPENPYXL_DEFUSEDXML set to False?): "
        "uploaded spreadsheets must be parsed with entity expansion refused."
    )

# ---------------------------------------------------------------------------
# What people are told

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

# ---------------------------------------------------------------------------
# Limits that are not settings: far above any honest spreadsheet, far below harm.

# The multipart boundaries and the form's other fields around the file.
REQUEST_ALLOWANCE = 64 * 1024
MAX_ZIP_MEMBERS = 500
MAX_COMPRESSION_RATIO = 100  # XML compresses 5–20:1; a bomb compresses 1,000:1
RATIO_CHECKED_FROM = 1024 * 1024  # tiny members may compress far better, harmlessly
# Every element of every XML part; a 5,000-row, 9-column sheet has about 130,000. openpyxl
# holds some elements of a part in memory as it reads it, so this bounds its memory too.
MAX_XML_ELEMENTS = 500_000
MAX_XML_DEPTH = 64
MAX_CELLS_IN_A_ROW = 16_384  # Excel's own limit on columns
MAX_CELL_CHARACTERS = 32_767  # Excel's own limit on a cell's text
# Columns read from a sheet (the rest of a row is ignored): more than any import has.
MAX_COLUMNS = 100

XLSX_EXTENSION = ".xlsx"
CSV_EXTENSION = ".csv"

# Anything zipfile, expat or openpyxl can raise while reading a damaged or disguised file:
# there is no single exception type for "not a spreadsheet" (a missing part is a KeyError, bad
# XML a SyntaxError subclass, defusedxml's refusals ValueErrors, a bad zip BadZipFile, odd
# values ValueError or TypeError). UploadRefused is none of these, so it passes through.
UNREADABLE = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    InvalidFileException,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    AttributeError,
    SyntaxError,
    OSError,
    EOFError,
    NotImplementedError,
    RuntimeError,  # an encrypted zip, or nesting too deep to parse
    expat.ExpatError,
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


# ---------------------------------------------------------------------------
# 1. The request


class UploadLimit(FileUploadHandler):
    """Counts the bytes of every file in the request as they stream in, and stops the upload
    once they pass `max_bytes`: nothing past the cap is read. `refused` then holds the
    message. Installed first by `upload_view`, so the handlers after it never see more."""

    def __init__(self, request: HttpRequest | None = None, max_bytes: int | None = None):
        super().__init__(request)
        self.max_bytes = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
        self.received = 0
        self.refused = ""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.refused = too_big(self.max_bytes).message
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def upload_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For a view that takes a file: its size is checked before the body is read.

    A body larger than the cap by its Content-Length is not read at all; otherwise
    `UploadLimit` goes first among the request's upload handlers and the CSRF check follows
    (it reads the body, so the handler must be in place before it: Django's "Modifying upload
    handlers on the fly"). Bind the view's form with `upload_form`. When the body is refused
    unread there is no CSRF token to check, so the view must change nothing then: it shows
    the form with the message, which is all `upload_form` lets it do.
    """
    protected = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        limit = UploadLimit(request)
        request.upload_handlers.insert(0, limit)
        if (
            request.method == "POST"
            and _content_length(request) > limit.max_bytes + REQUEST_ALLOWANCE
        ):
            limit.refused = too_big(limit.max_bytes).message
            return view(request, *args, **kwargs)
        return protected(request, *args, **kwargs)

    return wrapper


def _limit_of(request: HttpRequest) -> UploadLimit:
    for handler in request.upload_handlers:
        if isinstance(handler, UploadLimit):
            return handler
    raise ImproperlyConfigured("A view that takes an upload must be decorated with upload_view")


def upload_refused(request: HttpRequest) -> str:
    """Why the request's upload was refused ("" when it was not): by its Content-Length, or
    (reading the body through the limit) by the bytes streamed."""
    limit = _limit_of(request)
    if not limit.refused and request.method == "POST":
        request.FILES  # noqa: B018 - reads the body, through the limit
    return limit.refused


FormT = TypeVar("FormT", bound=Form)


def upload_form(request: HttpRequest, form_class: type[FormT], **kwargs: Any) -> FormT:
    """The view's upload form: unbound on GET, bound to the request on POST, or, when the
    upload was refused for its size, showing just that (the body unread, or read no further
    than the cap)."""
    if request.method != "POST":
        return form_class(**kwargs)
    refused = _limit_of(request).refused
    if not refused:
        form = form_class(request.POST, request.FILES, **kwargs)
        refused = _limit_of(request).refused
        if not refused:
            return form
    form = form_class(data={}, files={}, **kwargs)
    form.full_clean()
    form.errors.clear()  # no "Select a file": the file was too big to take
    name = next(name for name, field in form.fields.items() if isinstance(field, FileField))
    form.add_error(name, UploadRefused(refused, code="too_big"))
    return form


def read_upload(uploaded_file) -> bytes:
    """The file's bytes, reading at most one byte past the cap."""
    if uploaded_file is None:
        raise UploadRefused(FILE_MISSING, code="required")
    max_bytes = settings.UPLOAD_MAX_BYTES
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > max_bytes:
        raise too_big()
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_big()
    if not data:
        raise UploadRefused(FILE_EMPTY, code="empty")
    return data


# ---------------------------------------------------------------------------
# 2 and 3. The zip and its XML


class _XmlCounter:
    """Counts one XML part's elements, depth, rows and cells in a row, as expat streams it,
    raising UploadRefused at the first limit passed. Totals carry across parts."""

    def __init__(self, *, max_rows: int, elements_before: int):
        self.max_rows = max_rows
        self.elements = elements_before
        self.depth = 0
        self.rows = 0
        self.cells = 0
        self.in_row = False
        self.row_depth = 0

    def parser(self):
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartDoctypeDeclHandler = self.refuse_dtd
        parser.EntityDeclHandler = self.refuse_dtd
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        return parser

    def refuse_dtd(self, *args) -> None:
        raise unreadable()

    def start(self, name: str, attributes) -> None:
        self.elements += 1
        self.depth += 1
        if self.elements > MAX_XML_ELEMENTS or self.depth > MAX_XML_DEPTH:
            raise too_much_data()
        local = name.rpartition(" ")[2]
        if self.in_row and self.depth == self.row_depth + 1:
            self.cells += 1
            if self.cells > MAX_CELLS_IN_A_ROW:
                raise too_much_data()
        elif local == "row" and not self.in_row:
            self.rows += 1
            # A sheet's rows, one of them the headings.
            if self.rows > self.max_rows + 1:
                raise too_many_rows(self.max_rows)
            self.in_row, self.row_depth, self.cells = True, self.depth, 0

    def end(self, name: str) -> None:
        if self.in_row and self.depth == self.row_depth:
            self.in_row = False
        self.depth -= 1


def _looks_like_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether a part is XML (which openpyxl may parse) rather than a picture or a binary."""
    with archive.open(info) as member:
        start = member.read(64)
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    return start.removeprefix(codecs.BOM_UTF8).lstrip().startswith(b"<")


def check_xlsx(data: bytes, *, max_rows: int) -> None:
    """Refuse a file that is not a zip, would unpack to too much, or whose XML holds a DTD,
    too many elements, cells in a row or rows, without unpacking more than its XML once."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except UNREADABLE as error:
        raise unreadable() from error
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise too_much_data()
        if sum(info.file_size for info in members) > settings.UPLOAD_MAX_UNPACKED_BYTES:
            raise too_much_data()
        for info in members:
            squeezed = info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)
            if squeezed and info.file_size > RATIO_CHECKED_FROM:
                raise too_much_data()
        elements = 0
        try:
            for info in members:
                if info.is_dir() or not _looks_like_xml(archive, info):
                    continue
                counter = _XmlCounter(max_rows=max_rows, elements_before=elements)
                parser = counter.parser()
                with archive.open(info) as member:
                    while chunk := member.read(64 * 1024):
                        parser.Parse(chunk, False)
                parser.Parse(b"", True)
                elements = counter.elements
        except UNREADABLE as error:
            raise unreadable() from error


@contextmanager
def open_xlsx(data: bytes, *, max_rows: int) -> Iterator[Any]:
    """The workbook, checked by `check_xlsx` and opened read-only (streaming). Whatever
    openpyxl raises inside the block, as it reads lazily, means the file is unreadable."""
    check_xlsx(data, max_rows=max_rows)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except UNREADABLE as error:
        raise unreadable() from error
    try:
        yield workbook
    except UNREADABLE as error:
        raise unreadable() from error
    finally:
        workbook.close()


# ---------------------------------------------------------------------------
# 4. The rows


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


# ---------------------------------------------------------------------------
# Previews


def preview_expired() -> UploadRefused:
    return UploadRefused(
        PREVIEW_EXPIRED.format(minutes=settings.UPLOAD_PREVIEW_MINUTES), code="expired"
    )


def pending_uploads_delete_expired(*, now=None) -> int:
    """Delete every expired preview, whoever's; say how many."""
    deleted, _ = PendingUpload.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


def pending_upload_create(
    *, owner: User, kind: str, payload: Any = None, content: bytes = b""
) -> PendingUpload:
    """Keep a checked upload until its owner confirms it: the rows as JSON (`payload`), or the
    file itself (`content`). It replaces the owner's earlier preview of the same kind, and
    expired previews of anyone are deleted on the way."""
    now = timezone.now()
    with transaction.atomic():
        pending_uploads_delete_expired(now=now)
        PendingUpload.objects.filter(owner=owner, kind=kind).delete()
        pending = PendingUpload(
            owner=owner,
            kind=kind,
            payload=payload if payload is not None else {},
            content=content,
            created_at=now,
            expires_at=now + timedelta(minutes=settings.UPLOAD_PREVIEW_MINUTES),
        )
        pending.full_clean()
        pending.save()
    return pending


def pending_upload_get(*, pk, owner: User, kind: str) -> PendingUpload | None:
    """The owner's preview of this kind, or None when there is none (never made, used up, or
    someone else's). An expired one is deleted and refused with PREVIEW_EXPIRED."""
    try:
        pk = uuid.UUID(str(pk))
    except ValueError:
        return None
    pending = PendingUpload.objects.filter(pk=pk, owner=owner, kind=kind).first()
    if pending is not None and pending.is_expired():
        pending.delete()
        raise preview_expired()
    return pending


def pending_upload_delete(*, pk) -> None:
    """Forget a preview (confirmed, or replaced)."""
    with suppress(ValueError):
        PendingUpload.objects.filter(pk=uuid.UUID(str(pk))).delete()


class PendingUploadStorage(BaseStorage):
    """django-import-export's temporary storage for the admin's imports, as PendingUploads.

    Its default (`TempFolderStorage`) keeps each previewed file in the server's /tmp: another
    worker or container cannot see it, a preview never confirmed stays for ever, and the name
    posted back with the confirmation is opened as a path. Here a file is a database row that
    every worker sees, expires, and is read only by its owner's confirmation (the admin checks
    the owner with `pending_upload_get` before import-export reads it). Give `owner` and
    `kind` to save.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.owner = kwargs.get("owner")
        self.kind = kwargs.get("kind", "")

    def save(self, data) -> None:
        if self.owner is None:
            raise ImproperlyConfigured("PendingUploadStorage saves a file for an owner only")
        if isinstance(data, str):
            data = data.encode(self.encoding or "utf-8")
        self.name = str(pending_upload_create(owner=self.owner, kind=self.kind, content=data).pk)

    def read(self):
        try:
            pk = uuid.UUID(str(self.name))
        except ValueError as error:
            raise FileNotFoundError(self.name) from error
        content = PendingUpload.objects.filter(pk=pk).values_list("content", flat=True).first()
        if content is None:
            raise FileNotFoundError(self.name)
        content = bytes(content)
        return content if "b" in self.read_mode else content.decode(self.encoding or "utf-8")

    def remove(self) -> None:
        pending_upload_delete(pk=self.name)
