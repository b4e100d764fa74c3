"""The second and third layers of an .xlsx upload: its zip and its XML, checked before openpyxl.

The zip's central directory is read before anything is unpacked: too many members, more than
`UPLOAD_MAX_UNPACKED_BYTES` unpacked, or a member squeezed more than 100:1, and the file is
refused (zipfile never unpacks more than a member declares). Then every XML part is streamed
through expat, counting as it goes: a DTD is refused (a spreadsheet has none; entity expansion
and external entities need one), and so are too many elements, too deep a nesting, a row with
more cells than Excel allows, or more rows than the import takes. `open_xlsx` opens only a
workbook that passed, read-only, with openpyxl using defusedxml (checked here, at import).
"""

import codecs
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from xml.parsers import expat

import openpyxl
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from openpyxl.utils.exceptions import InvalidFileException

from hicm_portal.uploads.refusals import too_many_rows, too_much_data, unreadable

if not openpyxl.DEFUSEDXML:  # pragma: no cover - defusedxml is a pinned dependency
    raise ImproperlyConfigured(
        "openpyxl is not using defusedxml (is OPENPYXL_DEFUSEDXML set to False?): "
        "uploaded spreadsheets must be parsed with entity expansion refused."
    )

# Limits that are not settings: far above any honest spreadsheet, far below harm.
MAX_ZIP_MEMBERS = 500
MAX_COMPRESSION_RATIO = 100  # XML compresses 5–20:1; a bomb compresses 1,000:1
RATIO_CHECKED_FROM = 1024 * 1024  # tiny members may compress far better, harmlessly
# Every element of every XML part; a 5,000-row, 9-column sheet has about 130,000. openpyxl
# holds some elements of a part in memory as it reads it, so this bounds its memory too.
MAX_XML_ELEMENTS = 500_000
MAX_XML_DEPTH = 64
MAX_CELLS_IN_A_ROW = 16_384  # Excel's own limit on columns

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
