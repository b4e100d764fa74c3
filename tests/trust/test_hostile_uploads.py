"""Issue 12, fault 3: no upload can take a worker down.

Every import — a partner's return, the action import, and every admin import — is sent the same
hostile files: zip bombs by size and by rows, a row of 100,000 cells, XML entity expansion,
files that are not spreadsheets, a 50 MB upload and one that streams past the cap. Each must
end within 2 s of this process's processor time (the test client runs the request here; a zip
bomb actually unpacked takes far more, while other work on a shared machine does not count)
and 30 s on the clock, with its memory (measured by tracemalloc inside the request) under 100 MB,
with a clear GOV.UK message, and leave nothing written. The body of an upload refused for its
Content-Length is not read at all. Previews wait in the database, not in the session, and
expire.

The hostile files are built here, small: a sheet that inflates to 1 GB is 1 MB of deflate.
"""

import functools
import html
import io
import itertools
import struct
import time
import tracemalloc
import zipfile
import zlib
from dataclasses import dataclass
from datetime import timedelta

import openpyxl
import pytest
from defusedxml import DefusedXmlException
from django.apps import apps
from django.contrib import admin
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from import_export.admin import ImportMixin

from assessments import spreadsheets
from assessments.models import AuditEvent, PartnerReturn, Rating, Region
from hicm_portal import uploads
from hicm_portal.models import PendingUpload
from improvement_plans.models import Action
from improvement_plans.views import IMPORT_MAX_ROWS
from tests.improvement_plans.helpers import agreed_round, plan_url

pytestmark = pytest.mark.django_db

SECONDS = 2  # of processor time
WALL_SECONDS = 30  # on the clock: generous, for a loaded machine; a hang still fails
MEMORY_BYTES = 100 * 1024 * 1024
MB = 1024 * 1024

# ---------------------------------------------------------------------------
# Hostile files

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
PACKAGE_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">'
    '<sheets><sheet name="Return" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
HEADINGS = "".join(
    f'<c r="{letter}1" t="inlineStr"><is><t>{heading}</t></is></c>'
    for letter, heading in zip("ABCDEF", spreadsheets.HEADERS, strict=True)
)


def deflated(parts) -> tuple[bytes, int, int]:
    """Raw deflate of the parts, with the CRC-32 and the size of what they join to."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    chunks, crc, size = [], 0, 0
    for part in parts:
        chunks.append(compressor.compress(part))
        crc, size = zlib.crc32(part, crc), size + len(part)
    chunks.append(compressor.flush())
    return b"".join(chunks), crc, size


def zip_of(members: list[tuple[str, tuple[bytes, int, int]]], *, flags: int = 0) -> bytes:
    """A zip of deflated members, written by hand so that a member can be deflated faster
    than zipfile would (see `zip_bomb_by_size`)."""
    output, directory = io.BytesIO(), io.BytesIO()
    for name, (data, crc, size) in members:
        encoded, offset = name.encode(), output.tell()
        fields = (20, flags, 8, 0, 0x21, crc, len(data), size, len(encoded))
        output.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + encoded + data)
        directory.write(
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, 0, offset)
            + encoded
        )
    start, count = output.tell(), len(members)
    output.write(directory.getvalue())
    output.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count,
                             len(directory.getvalue()), start, 0))  # fmt: skip
    return output.getvalue()


def workbook(sheet_parts, *, prologue: str = "", sheet=None, flags: int = 0) -> bytes:
    """An .xlsx whose one sheet ("Return") is the XML of `sheet_parts`, deflated as it is
    made (so a big sheet never sits in memory), or `sheet` already deflated."""
    head = f'<?xml version="1.0" encoding="UTF-8"?>{prologue}<worksheet xmlns="{MAIN}"><sheetData>'
    tail = "</sheetData></worksheet>"
    if sheet is None:
        sheet = deflated(itertools.chain([head.encode()], sheet_parts, [tail.encode()]))
    return zip_of(
        [
            ("[Content_Types].xml", deflated([CONTENT_TYPES.encode()])),
            ("_rels/.rels", deflated([PACKAGE_RELS.encode()])),
            ("xl/workbook.xml", deflated([WORKBOOK.encode()])),
            ("xl/_rels/workbook.xml.rels", deflated([WORKBOOK_RELS.encode()])),
            ("xl/worksheets/sheet1.xml", sheet),
        ],
        flags=flags,
    )


@functools.cache
def zip_bomb_by_size() -> bytes:
    """A sheet of one cell holding a gigabyte of "a", deflated into 1 MB. Deflating a gigabyte
    takes seconds, so one 4 MB run is deflated once and its bytes repeated: after a full flush
    deflate starts afresh, so the same run always gives the same bytes."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
    head += '<row r="1"><c r="A1" t="inlineStr"><is><t>'
    tail = b"</t></is></c></row></sheetData></worksheet>"
    run, runs = b"a" * (4 * MB), 256
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(head.encode()) + compressor.flush(zlib.Z_FULL_FLUSH)
    deflated_run = compressor.compress(run) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.compress(tail) + compressor.flush()
    crc = zlib.crc32(head.encode())
    for _ in range(runs):
        crc = zlib.crc32(run, crc)
    size = len(head) + len(run) * runs + len(tail)
    return workbook([], sheet=(start + deflated_run * runs + end, zlib.crc32(tail, crc), size))


@functools.cache
def numbered_rows() -> bytes:
    """100,000 rows, each numbered, so they compress only some 6:1, like real rows."""
    return workbook(
        f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>'.encode() for n in range(1, 100_001)
    )


@functools.cache
def identical_rows() -> bytes:
    """Two million identical rows: 50 MB of XML (just under the cap) in 100 KB."""
    return workbook([b"<row><c><v>1</v></c></row>" * 10_000] * 200)


def sparse_rows() -> bytes:
    """The headings, then one cell in the last row Excel has: openpyxl makes up a million
    empty rows in between."""
    return workbook(
        [
            f'<row r="1">{HEADINGS}</row>'.encode(),
            b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>',
        ]
    )


def wide_row() -> bytes:
    """One row of 100,000 cells, numbered so that it does not compress too well."""
    return workbook(
        [b'<row r="1">', *(f"<c><v>{n}</v></c>".encode() for n in range(100_000)), b"</row>"]
    )


BILLION_LAUGHS = (
    '<!DOCTYPE worksheet [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";" if n > 1 else "&lol;") * 10}">'
        for n in range(1, 10)
    )
    + "]>"
)


def billion_laughs() -> bytes:
    return workbook(
        [b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'],
        prologue=BILLION_LAUGHS,
    )


def external_entity() -> bytes:
    return workbook(
        [b'<row r="1"><c r="A1" t="inlineStr"><is><t>&secret;</t></is></c></row>'],
        prologue='<!DOCTYPE worksheet [<!ENTITY secret SYSTEM "file:///etc/passwd">]>',
    )


def encrypted() -> bytes:
    """A workbook whose parts say they are encrypted (zipfile wants a password)."""
    return workbook([f'<row r="1">{HEADINGS}</row>'.encode()], flags=0x1)


PDF = (
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(range(256)) * 40
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06" + bytes(4096)
BINARY_CSV = bytes(range(256)) * 100
CSV_ROWS = "change,title\n" + "1,Hub\n" * 100_000
CSV_LONG_CELL = "change,title\n1," + "x" * (1024 * 1024) + "\n"


@dataclass(frozen=True)
class Hostile:
    name: str
    filename: str
    content: object  # bytes, or a function making them (cached when costly)
    code: str  # why it is refused: an UploadRefused code
    size: int = 0  # send this many bytes of zeros instead, streamed (the content is ignored)

    def data(self) -> bytes:
        return self.content() if callable(self.content) else self.content

    @property
    def is_csv(self) -> bool:
        return self.filename.endswith(".csv")


HOSTILE = [
    Hostile("zip bomb by size: a sheet of 1 GB", "bomb.xlsx", zip_bomb_by_size, "too_much_data"),
    Hostile("zip bomb by rows: 2 million rows", "same.xlsx", identical_rows, "too_much_data"),
    Hostile("rows: 100,000 numbered rows", "rows.xlsx", numbered_rows, "too_many_rows"),
    Hostile("rows made up: one cell in row 1,048,576", "sparse.xlsx", sparse_rows, "too_many_rows"),
    Hostile("a row of 100,000 cells", "wide.xlsx", wide_row, "too_much_data"),
    Hostile("entity expansion: billion laughs", "laughs.xlsx", billion_laughs, "unreadable"),
    Hostile("entity expansion: an external entity", "xxe.xlsx", external_entity, "unreadable"),
    Hostile("an encrypted workbook", "locked.xlsx", encrypted, "unreadable"),
    Hostile("a PDF named .xlsx", "report.xlsx", PDF, "unreadable"),
    Hostile("a PNG named .xlsx", "picture.xlsx", PNG, "unreadable"),
    Hostile("binary data named .csv", "data.csv", BINARY_CSV, "unreadable"),
    Hostile("a CSV of 100,000 rows", "rows.csv", CSV_ROWS.encode(), "too_many_rows"),
    Hostile("a CSV with a cell of 1 MB", "long.csv", CSV_LONG_CELL.encode(), "cell_too_long"),
    Hostile("a 50 MB upload", "big.xlsx", b"", "too_big", size=50 * MB),
    Hostile(
        "just over 5 MB, stopped as it streams", "big.xlsx", b"", "too_big", size=5 * MB + 8 * 1024
    ),
]


# ---------------------------------------------------------------------------
# Sending a file, as a browser does, without holding a 50 MB body in memory

BOUNDARY = "hostile-upload-boundary"


class Body(io.RawIOBase):
    """A multipart body made as it is read: `head` (the form's fields and the start of the
    file), then `zeros` zero bytes, then `tail`. `read_so_far` says how much the server read."""

    def __init__(self, head: bytes, zeros: int, tail: bytes):
        self.head, self.zeros, self.tail = head, zeros, tail
        self.length = len(head) + zeros + len(tail)
        self.read_so_far = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        start = self.read_so_far
        stop = min(start + len(buffer), self.length)
        zeros_start, tail_start = len(self.head), len(self.head) + self.zeros
        chunk = (
            self.head[start:stop]
            + bytes(max(0, min(stop, tail_start) - max(start, zeros_start)))
            + self.tail[max(start - tail_start, 0) : max(stop - tail_start, 0)]
        )
        buffer[: len(chunk)] = chunk
        self.read_so_far = stop
        return len(chunk)


def multipart(fields: dict, file_field: str, hostile: Hostile) -> Body:
    head = b""
    for name, value in fields.items():
        head += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
    head += (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{file_field}"; '
        f'filename="{hostile.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    content = b"" if hostile.size else hostile.data()
    return Body(head + content, hostile.size, f"\r\n--{BOUNDARY}--\r\n".encode())


@dataclass
class Sent:
    response: object
    seconds: float  # the processor time of this process, where the test client runs the request
    wall_seconds: float
    peak_bytes: int
    read_bytes: int
    length: int


def send(client: Client, url: str, body: Body, *, trace: bool = False) -> Sent:
    """POST the body; how long the portal took (processor time and on the clock) or (tracing,
    which slows every allocation) the most memory it held meanwhile."""
    if trace:
        tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.request(
            REQUEST_METHOD="POST",
            PATH_INFO=url,
            CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
            CONTENT_LENGTH=str(body.length),
            **{"wsgi.input": body},
        )
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    return Sent(response, cpu_seconds, seconds, peak, body.read_so_far, body.length)


# ---------------------------------------------------------------------------
# Every import


def admin_imports() -> list[str]:
    """Every model the admin imports, as "app_label.model_name"."""
    return sorted(
        model._meta.label_lower
        for model in apps.get_models()
        if admin.site.is_registered(model)
        and isinstance(admin.site.get_model_admin(model), ImportMixin)
    )


IMPORTS = ["partner return", "action import", *(f"admin: {label}" for label in admin_imports())]


@dataclass
class Import:
    name: str
    client: Client
    url: str
    file_field: str
    fields: dict

    @property
    def max_rows(self) -> int:
        return IMPORT_MAX_ROWS if self.name == "action import" else 5_000

    def fields_for(self, hostile: Hostile) -> dict:
        if not self.name.startswith("admin"):
            return self.fields
        chosen = uploads.CSVImport if hostile.is_csv else uploads.XLSXImport
        return {**self.fields, "format": str(uploads.IMPORT_FORMATS.index(chosen))}

    def message(self, code: str, hostile: Hostile | None = None) -> str:
        if self.name == "partner return":  # .xlsx only, in the return's own words
            if code == "unreadable" or (hostile and hostile.is_csv and code != "too_big"):
                return spreadsheets.NOT_XLSX
            if code == "too_many_rows":
                return spreadsheets.TOO_MANY_ROWS
        return {
            "too_big": "The selected file must be smaller than 5MB",
            "too_much_data": uploads.TOO_MUCH_DATA,
            "too_many_rows": uploads.TOO_MANY_ROWS.format(rows=self.max_rows),
            "unreadable": uploads.NOT_A_SPREADSHEET,
            "cell_too_long": "Row 2 of the selected file has a cell with more than 32,767",
        }[code]


@pytest.fixture
def an_import(request, cast, open_round, frameworks) -> Import:
    name = request.param
    client = Client()
    if name == "partner return":
        client.force_login(cast.member)
        url = f"/rounds/{open_round.public_id}/partners/{cast.partner.public_id}/upload/"
        return Import(name, client, url, "spreadsheet", {})
    if name == "action import":
        client.force_login(cast.facilitator)
        agreed = agreed_round(cast.system, frameworks["mtoc-2020"], planner=cast.facilitator)
        return Import(name, client, plan_url(agreed, "action_import"), "spreadsheet", {})
    app_label, model_name = name.removeprefix("admin: ").split(".")
    client.force_login(cast.admin)
    url = f"/admin/{app_label}/{model_name}/import/"
    return Import(name, client, url, "import_file", {"resource": "0"})


def written() -> dict:
    """What an import could have written."""
    counts = {model.__name__: model.objects.count() for model in (Rating, Action, AuditEvent)}
    for label in admin_imports():
        counts[label] = apps.get_model(label).objects.count()
    counts["previews"] = PendingUpload.objects.count()
    return counts


def page_text(client: Client, sent: Sent) -> str:
    """The page the person ends on (the admin redirects back to its import page)."""
    response = sent.response
    if response.status_code == 302:
        response = client.get(response["Location"])
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("an_import", IMPORTS, indirect=True)
@pytest.mark.parametrize("hostile", HOSTILE, ids=[hostile.name for hostile in HOSTILE])
def test_a_hostile_file_is_refused_quickly_with_a_clear_message_and_nothing_written(
    an_import, hostile
):
    def body():
        return multipart(an_import.fields_for(hostile), an_import.file_field, hostile)

    before = written()
    an_import.client.get(an_import.url)  # middleware and templates loaded, as in a live worker

    sent = send(an_import.client, an_import.url, body())
    traced = send(an_import.client, an_import.url, body(), trace=True)

    assert sent.seconds < SECONDS and sent.wall_seconds < WALL_SECONDS
    assert traced.peak_bytes < MEMORY_BYTES
    assert sent.response.status_code in (200, 302)
    assert an_import.message(hostile.code, hostile) in page_text(an_import.client, sent)
    assert written() == before
    if hostile.size > 5 * MB + uploads.REQUEST_ALLOWANCE:
        assert sent.read_bytes == 0  # refused by its Content-Length, before a byte was read
    else:
        assert sent.read_bytes <= 5 * MB + uploads.REQUEST_ALLOWANCE


def unpacked(data: bytes) -> zipfile.ZipInfo:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.getinfo("xl/worksheets/sheet1.xml")


def test_the_hostile_files_are_small_and_really_what_they_say():
    bomb = unpacked(zip_bomb_by_size())
    assert len(zip_bomb_by_size()) < 2 * MB
    assert bomb.file_size > 1024 * MB
    # Two million rows pass the cap on the unpacked size: their compression gives them away.
    rows = unpacked(identical_rows())
    assert 2_000_000 * len("<row><c><v>1</v></c></row>") < rows.file_size < 50 * MB
    assert rows.file_size > uploads.MAX_COMPRESSION_RATIO * rows.compress_size
    # Numbered rows pass every check of the zip: only counting their rows refuses them.
    numbered = unpacked(numbered_rows())
    assert numbered.file_size < uploads.MAX_COMPRESSION_RATIO * numbered.compress_size
    with zipfile.ZipFile(io.BytesIO(sparse_rows())) as archive:
        assert archive.testzip() is None  # the hand-made zips are sound


def test_openpyxl_itself_refuses_entity_expansion(tmp_path):
    """Behind the portal's own refusal of any DTD, openpyxl parses with defusedxml."""
    assert openpyxl.DEFUSEDXML is True
    with pytest.raises(ValueError) as refused:  # defusedxml's refusal, or openpyxl's about it
        book = openpyxl.load_workbook(io.BytesIO(billion_laughs()), read_only=True)
        list(book.active.iter_rows(values_only=True))
    causes = [refused.value, refused.value.__cause__, refused.value.__context__]
    assert any(isinstance(cause, DefusedXmlException) for cause in causes)


# ---------------------------------------------------------------------------
# The request's body


def test_an_upload_refused_for_its_size_is_shown_on_the_form_without_a_csrf_token(cast, open_round):
    """Refused unread, so with no CSRF token to check: the page says why and changes nothing."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.member)
    url = f"/rounds/{open_round.public_id}/partners/{cast.partner.public_id}/upload/"
    body = multipart({}, "spreadsheet", Hostile("big", "big.xlsx", b"", "too_big", size=6 * MB))

    sent = send(client, url, body)

    assert sent.response.status_code == 200
    assert sent.read_bytes == 0
    form = sent.response.context["form"]
    assert form.has_error("spreadsheet", "too_big")
    assert form.errors["spreadsheet"] == ["The selected file must be smaller than 5MB"]
    assert "<title>Error: " in sent.response.content.decode()


def test_an_upload_within_the_cap_is_still_checked_for_its_csrf_token(cast, open_round):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.member)
    url = f"/rounds/{open_round.public_id}/partners/{cast.partner.public_id}/upload/"
    body = multipart({}, "spreadsheet", Hostile("pdf", "report.xlsx", PDF, "unreadable"))

    assert send(client, url, body).response.status_code == 403

    client.get(url)
    token = client.cookies["csrftoken"].value
    body = multipart(
        {"csrfmiddlewaretoken": token}, "spreadsheet", Hostile("pdf", "r.xlsx", PDF, "unreadable")
    )
    response = send(client, url, body).response
    assert response.status_code == 200
    assert spreadsheets.NOT_XLSX in html.unescape(response.content.decode())


def test_the_cap_and_the_allowance_follow_the_setting(cast, open_round, settings):
    settings.UPLOAD_MAX_BYTES = 1 * MB
    client = Client()
    client.force_login(cast.member)
    url = f"/rounds/{open_round.public_id}/partners/{cast.partner.public_id}/upload/"
    body = multipart({}, "spreadsheet", Hostile("big", "b.xlsx", b"", "too_big", size=2 * MB))
    sent = send(client, url, body)
    assert sent.read_bytes == 0
    assert "The selected file must be smaller than 1MB" in page_text(client, sent)


# ---------------------------------------------------------------------------
# Previews: in the database, not the session, and they expire


def session_size(client: Client) -> int:
    return len(Session.objects.get(pk=client.session.session_key).session_data)


def good_return(client: Client, round_, partner) -> bytes:
    base = f"/rounds/{round_.public_id}/partners/{partner.public_id}/"
    book = openpyxl.load_workbook(io.BytesIO(client.get(base + "spreadsheet/").content))
    sheet = book[spreadsheets.SHEET_NAME]
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, 1).value:
            sheet.cell(row, 3).value = "Established"
            sheet.cell(row, 4).value = "A rationale long enough to make a preview weigh " * 40
            sheet.cell(row, 6).value = "Medium"
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def test_a_return_preview_waits_in_the_database_not_the_session(client, cast, open_round):
    client.force_login(cast.member)
    base = f"/rounds/{open_round.public_id}/partners/{cast.partner.public_id}/"
    data = good_return(client, open_round, cast.partner)

    response = client.post(base + "upload/", {"spreadsheet": io.BytesIO(data)})

    assert "Check what will be saved" in response.content.decode()
    partner_return = PartnerReturn.objects.get(round=open_round, partner=cast.partner)
    (preview,) = PendingUpload.objects.all()
    assert (preview.owner, preview.kind) == (
        cast.member,
        f"return-upload:{partner_return.public_id}",
    )
    assert len(preview.payload["rows"]) == 9
    assert client.session[f"return-upload-{partner_return.public_id}"] == str(preview.pk)
    assert session_size(client) < 1024  # the rows would be some 20 KB
    client.post(base + "upload/confirm/")
    assert Rating.objects.filter(partner=cast.partner).count() == 9
    assert not PendingUpload.objects.exists()


def test_an_expired_return_preview_is_refused_and_deleted(client, cast, open_round):
    client.force_login(cast.member)
    base = f"/rounds/{open_round.public_id}/partners/{cast.partner.public_id}/"
    client.post(
        base + "upload/", {"spreadsheet": io.BytesIO(good_return(client, open_round, cast.partner))}
    )
    an_hour_ago = timezone.now() - timedelta(minutes=61)
    PendingUpload.objects.update(
        created_at=an_hour_ago - timedelta(hours=1), expires_at=an_hour_ago
    )

    response = client.post(base + "upload/confirm/", follow=True)

    assert uploads.PREVIEW_EXPIRED.format(minutes=60) in html.unescape(response.content.decode())
    assert not Rating.objects.exists()
    assert not PendingUpload.objects.exists()


def action_rows(cast) -> bytes:
    today = timezone.localdate()
    lines = ["change,title,description,target_level,lead_partner,owner,start_date,due_date,status"]
    for number in range(20):
        lines.append(
            f"1,Action {number},{'A description ' * 20},4,Testshire Hospitals,"
            f"member@test.example,{today:%d/%m/%Y},{today + timedelta(days=90):%d/%m/%Y},"
            "Not started"
        )
    return "\n".join(lines).encode()


def test_an_action_import_preview_waits_in_the_database_not_the_session(client, cast, frameworks):
    agreed = agreed_round(cast.system, frameworks["mtoc-2020"], planner=cast.facilitator)
    client.force_login(cast.facilitator)
    upload = io.BytesIO(action_rows(cast))
    upload.name = "actions.csv"

    response = client.post(plan_url(agreed, "action_import"), {"spreadsheet": upload})

    assert response.context["problems"] == []
    (preview,) = PendingUpload.objects.all()
    assert (preview.owner, preview.kind) == (cast.facilitator, f"action-import:{agreed.public_id}")
    assert len(preview.payload) == 20
    assert session_size(client) < 1024  # the rows would be some 8 KB
    client.post(plan_url(agreed, "action_import_confirm"))
    assert Action.objects.count() == 20
    assert not PendingUpload.objects.exists()


def test_an_expired_action_import_preview_is_refused_and_deleted(client, cast, frameworks):
    agreed = agreed_round(cast.system, frameworks["mtoc-2020"], planner=cast.facilitator)
    client.force_login(cast.facilitator)
    upload = io.BytesIO(action_rows(cast))
    upload.name = "actions.csv"
    client.post(plan_url(agreed, "action_import"), {"spreadsheet": upload})
    PendingUpload.objects.update(expires_at=timezone.now())

    response = client.post(plan_url(agreed, "action_import_confirm"), follow=True)

    assert uploads.PREVIEW_EXPIRED.format(minutes=60) in html.unescape(response.content.decode())
    assert not Action.objects.exists()
    assert not PendingUpload.objects.exists()


def region_csv() -> io.BytesIO:
    upload = io.BytesIO(b"name,slug\nNorth East,north-east\n")
    upload.name = "regions.csv"
    return upload


def admin_preview(client: Client):
    csv_format = str(uploads.IMPORT_FORMATS.index(uploads.CSVImport))
    response = client.post(
        "/admin/assessments/region/import/",
        {"import_file": region_csv(), "format": csv_format, "resource": "0"},
    )
    confirm_form = response.context["confirm_form"]
    return {name: value for name, value in confirm_form.initial.items() if value is not None}


def test_an_admin_import_preview_waits_in_the_database_for_its_owner(client, cast):
    client.force_login(cast.admin)

    confirm = admin_preview(client)

    (preview,) = PendingUpload.objects.all()
    assert (preview.owner, preview.kind) == (cast.admin, "admin-import:assessments.region")
    assert bytes(preview.content) == region_csv().getvalue()
    assert confirm["import_file_name"] == str(preview.pk)
    client.post("/admin/assessments/region/process_import/", confirm)
    assert Region.objects.filter(slug="north-east").exists()
    assert not PendingUpload.objects.exists()


def test_nobody_else_can_confirm_an_admin_import_preview(client, cast):
    client.force_login(cast.admin)
    confirm = admin_preview(client)
    other = Client()
    other.force_login(
        type(cast.admin).objects.create_superuser("second-admin@test.example", "x" * 12)
    )

    response = other.post("/admin/assessments/region/process_import/", confirm, follow=True)

    assert "There is no previewed file to import" in html.unescape(response.content.decode())
    assert not Region.objects.filter(slug="north-east").exists()
    assert PendingUpload.objects.count() == 1


@pytest.mark.parametrize("name", ["/etc/passwd", "../../etc/passwd", "not-a-uuid"])
def test_an_admin_confirmation_cannot_name_a_file_of_the_server(client, cast, name):
    client.force_login(cast.admin)
    confirm = {**admin_preview(client), "import_file_name": name}

    response = client.post("/admin/assessments/region/process_import/", confirm, follow=True)

    assert "There is no previewed file to import" in html.unescape(response.content.decode())
    assert not Region.objects.filter(slug="north-east").exists()


def test_an_expired_admin_import_preview_is_refused_and_deleted(client, cast):
    client.force_login(cast.admin)
    confirm = admin_preview(client)
    PendingUpload.objects.update(expires_at=timezone.now())

    response = client.post("/admin/assessments/region/process_import/", confirm, follow=True)

    assert uploads.PREVIEW_EXPIRED.format(minutes=60) in html.unescape(response.content.decode())
    assert not Region.objects.filter(slug="north-east").exists()
    assert not PendingUpload.objects.exists()


def test_expired_previews_of_anyone_are_deleted_when_someone_uploads(client, cast):
    stale = uploads.pending_upload_create(owner=cast.member, kind="return-upload:x", payload={})
    PendingUpload.objects.filter(pk=stale.pk).update(expires_at=timezone.now())
    client.force_login(cast.admin)

    admin_preview(client)

    assert list(PendingUpload.objects.values_list("owner", flat=True)) == [cast.admin.pk]


def test_the_admin_keeps_its_previews_through_the_portals_storage(settings):
    assert settings.IMPORT_EXPORT_TMP_STORAGE_CLASS == "hicm_portal.uploads.PendingUploadStorage"
