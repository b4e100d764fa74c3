"""A partner's return as an Excel spreadsheet: download it, fill it in offline, upload it.

Many partners collect ratings from colleagues by e-mail before anyone types them into the
portal, so the return can be downloaded as an .xlsx with one row per change, filled in, and
uploaded again. An upload is checked in full first (`parse_return_workbook`) so that the person
sees a preview with every problem at once, and is written only when confirmed
(`upload_apply`), all of it or none of it.

Blind rating: the workbook holds the ratings of the one partner it is for, and nothing of any
other partner. The uploaded file is never trusted: its size, its unpacked size, its sheet, its
headers, its row count and every cell are checked before anything is read into a rating.
"""

import io
import re
import zipfile
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from assessments.models import Change, Level, PartnerReturn, Rating, Round
from assessments.models.rounds import EVIDENCE_FROM_LEVEL, clean_evidence
from assessments.round_services import RETURN_NOT_OPEN
from assessments.selectors import live_changes

SHEET_NAME = "Return"
LISTS_SHEET_NAME = "Lists"
HEADERS = ("Code", "Change", "Level", "Rationale", "Evidence", "Confidence")
COLUMN_WIDTHS = (8, 40, 24, 60, 50, 14)
WRAPPED_COLUMNS = frozenset({"Change", "Rationale", "Evidence"})
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EVIDENCE_SEPARATOR = " | "
EVIDENCE_EXAMPLE = "Discharge policy | https://example.org/policy"

# Limits on what an upload may be. A return has one row per change (a few dozen at most), so
# these are far above any honest file and far below what would tie up a worker.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # a 2 MB zip can unpack to gigabytes (a "zip bomb")
MAX_ROWS = 500
# Blank rows are skipped, but reading must stop somewhere: past this row, refuse the file.
MAX_SCANNED_ROWS = 5_000

# Written to each rating's history, so the history says where the change came from.
UPLOAD_CHANGE_REASON = "uploaded from a spreadsheet"

# What people are told, in GOV.UK style. Row messages name the spreadsheet's row number.
FILE_MISSING = "Select a spreadsheet to upload"
FILE_EMPTY = "The selected file is empty"
FILE_TOO_BIG = "The selected file must be smaller than 2MB"
NOT_XLSX = (
    "The file is not an Excel spreadsheet (.xlsx). "
    "Download the spreadsheet from this page and upload it again."
)
TOO_MUCH_DATA = (
    "The spreadsheet holds too much data to be a return. "
    "Download the spreadsheet from this page and upload it again."
)
NO_RETURN_SHEET = (
    f"The spreadsheet has no sheet called {SHEET_NAME}. "
    "Download the spreadsheet from this page, fill it in and upload it again."
)
HEADERS_WRONG = (
    f"The first row of the {SHEET_NAME} sheet must have the column headings "
    f"{', '.join(HEADERS)}, in that order. Put the headings back, or download the "
    "spreadsheet from this page again."
)
TOO_MANY_ROWS = (
    f"The spreadsheet has more than {MAX_ROWS} rows. A return has one row for each change: "
    "download the spreadsheet from this page and upload it again."
)
NO_RATINGS = (
    f"The {SHEET_NAME} sheet has no ratings in it. Fill in a level, rationale and confidence "
    "for at least one change and upload it again."
)
CODE_MISSING = "Row {row}: enter the code of the change, as in the downloaded spreadsheet"
CODE_UNKNOWN = (
    "Row {row}: there is no change {code} in {framework}. "
    "Use the codes in the downloaded spreadsheet"
)
CODE_TWICE = "Row {row}: change {code} is also in row {first}. Rate each change in one row only"
LEVEL_MISSING = "Row {row}: select a level"
LEVEL_UNKNOWN = "Row {row}: {level} is not a level of this framework. Select one of: {levels}"
RATIONALE_MISSING = "Row {row}: enter a rationale for the level"
CONFIDENCE_INVALID = "Row {row}: select a confidence of Low, Medium or High"
EVIDENCE_INVALID = (
    "Row {row}: evidence line {line} is not a link. Write each link on its own line as a title, "
    "a vertical bar and a web address starting with https:// or http://, for example "
    f"{EVIDENCE_EXAMPLE}"
)
EVIDENCE_MISSING = (
    "Row {row}: add at least one evidence link, because a level of {level} or above needs evidence"
)
UPLOAD_HAS_ERRORS = "Fix the problems in the spreadsheet and upload it again."
UPLOAD_OUT_OF_DATE = (
    "The framework has changed since the spreadsheet was checked. Upload the spreadsheet again."
)

# Help shown in the spreadsheet itself: Excel shows a validation's prompt when a cell is
# selected and its error when someone types something outside the list.
LEVEL_PROMPT = "Select the level that best describes where your organisation is now."
LEVEL_ERROR = "Select a level from the list."
CONFIDENCE_PROMPT = "How confident are you in this rating? Select Low, Medium or High."
CONFIDENCE_ERROR = "Select Low, Medium or High."
EVIDENCE_NOTE = (
    "One link per line, as a title, a vertical bar and a web address, for example:\n"
    f"{EVIDENCE_EXAMPLE}\n"
    "Levels of {level} and above need at least one link."
)

# Anything openpyxl can raise while reading a damaged or disguised file: there is no single
# exception type for "not a spreadsheet" (a missing part is a KeyError, bad XML a SyntaxError
# subclass, a bad zip BadZipFile, odd values ValueError or TypeError).
_UNREADABLE = (
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
)


@dataclass
class UploadRow:
    """One filled-in row of an uploaded return, as read and checked (nothing saved yet).

    Ids are None where the code or level did not match; the text is kept so the preview can
    show what the person wrote next to what is wrong with it.
    """

    number: int
    code: str
    change_id: int | None
    change_title: str
    level_id: int | None
    level_name: str
    rationale: str
    evidence: list[dict] = field(default_factory=list)
    confidence: str = ""  # "low", "medium" or "high" when valid; as written otherwise
    errors: list[str] = field(default_factory=list)

    @property
    def confidence_label(self) -> str:
        """ "Medium" rather than "medium", for showing in the preview."""
        try:
            return str(Rating.Confidence(self.confidence).label)
        except ValueError:
            return self.confidence


@dataclass
class ParsedUpload:
    """An uploaded return, checked: the rows to save and every problem found.

    Kept in the session between the preview and the confirmation (hence the JSON helpers), so
    the file is read once and what is confirmed is exactly what was previewed.
    """

    rows: list[UploadRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # about the file as a whole

    @property
    def has_errors(self) -> bool:
        return bool(self.problems) or any(row.errors for row in self.rows)

    @property
    def all_errors(self) -> list[str]:
        """File problems then row errors in row order, for an error summary."""
        return [*self.problems, *(error for row in self.rows for error in row.errors)]

    def to_json(self) -> dict[str, Any]:
        return {"rows": [asdict(row) for row in self.rows], "problems": list(self.problems)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ParsedUpload":
        names = {f.name for f in fields(UploadRow)}
        return cls(
            rows=[
                UploadRow(**{k: v for k, v in row.items() if k in names})
                for row in data.get("rows", [])
            ],
            problems=list(data.get("problems", [])),
        )


# ---------------------------------------------------------------------------
# Download


def _safe_text(value: str) -> str:
    """Text as openpyxl can store it: control characters pasted into a browser form would
    otherwise make it refuse to write the file."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _set_text(cell, value: str) -> None:
    """Store text as text. openpyxl turns any string starting with "=" into a formula, which
    would change what the person wrote and could run as a formula when the file is opened."""
    cell.value = _safe_text(value)
    cell.data_type = "s"


def evidence_to_text(evidence: list[dict]) -> str:
    """Links one per line, as `Title | https://…` (just the address where it has no title)."""
    lines = []
    for link in evidence or []:
        url = str(link.get("url") or "").strip()
        title = str(link.get("title") or "").strip()
        lines.append(f"{title}{EVIDENCE_SEPARATOR}{url}" if title and title != url else url)
    return "\n".join(lines)


def workbook_filename(partner_return: PartnerReturn) -> str:
    """A readable file name for the download, safe in a Content-Disposition header."""
    stem = f"{partner_return.round.name} {partner_return.partner.name} return"
    return re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-").lower() + ".xlsx"


def return_workbook(partner_return: PartnerReturn) -> bytes:
    """The partner's return as an .xlsx: one row per live change, with its current rating.

    Row 1 is the header, so that the same file can be parsed back; the round, partner and due
    date go in the workbook's properties instead of rows above it. Level and confidence have
    drop-down lists, the level names in a hidden sheet so that long names and long scales work.
    Only this partner's ratings are read (blind rating).
    """
    round_ = partner_return.round
    framework = round_.framework
    levels = list(framework.levels.order_by("number"))
    changes = live_changes(framework)
    ratings = {
        rating.change_id: rating
        for rating in Rating.objects.filter(
            round=round_, partner=partner_return.partner
        ).select_related("level")
    }

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_NAME
    due = round_.closes_on.strftime("%-d %B %Y")
    workbook.properties.title = f"{round_.name}: {partner_return.partner.name}, due {due}"
    workbook.properties.subject = framework.short_title
    workbook.properties.description = (
        f"Ratings of {partner_return.partner.name} for {round_.name} "
        f"({framework.short_title}), due {due}."
    )
    workbook.properties.creator = settings.SERVICE_NAME

    for column, (header, width) in enumerate(zip(HEADERS, COLUMN_WIDTHS, strict=True), start=1):
        cell = sheet.cell(row=1, column=column, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="top")
        sheet.column_dimensions[get_column_letter(column)].width = width
    evidence_level = next((lv for lv in levels if lv.number >= EVIDENCE_FROM_LEVEL), None)
    note = EVIDENCE_NOTE.format(level=evidence_level.name) if evidence_level else ""
    if note:
        sheet.cell(row=1, column=HEADERS.index("Evidence") + 1).comment = Comment(
            note, settings.SERVICE_NAME, width=320, height=140
        )
    sheet.freeze_panes = "A2"

    top = Alignment(vertical="top")
    wrapped = Alignment(vertical="top", wrap_text=True)
    for row_number, change in enumerate(changes, start=2):
        rating = ratings.get(change.pk)
        values = {
            "Code": change.code,
            "Change": change.title,
            "Level": rating.level.name if rating and rating.level else "",
            "Rationale": rating.rationale if rating else "",
            "Evidence": evidence_to_text(rating.evidence) if rating else "",
            "Confidence": rating.get_confidence_display() if rating and rating.confidence else "",
        }
        for column, header in enumerate(HEADERS, start=1):
            cell = sheet.cell(row=row_number, column=column)
            if values[header]:
                _set_text(cell, values[header])
            cell.alignment = wrapped if header in WRAPPED_COLUMNS else top

    last_row = max(len(changes) + 1, 2)
    lists = workbook.create_sheet(LISTS_SHEET_NAME)
    lists.sheet_state = "hidden"
    for row_number, level in enumerate(levels, start=1):
        _set_text(lists.cell(row=row_number, column=1), level.name)
    level_range = f"{quote_sheetname(LISTS_SHEET_NAME)}!$A$1:$A${max(len(levels), 1)}"
    confidence_list = '"' + ",".join(str(label) for label in Rating.Confidence.labels) + '"'
    for header, formula, prompt, error in (
        ("Level", level_range, LEVEL_PROMPT, LEVEL_ERROR),
        ("Confidence", confidence_list, CONFIDENCE_PROMPT, CONFIDENCE_ERROR),
    ):
        validation = DataValidation(
            type="list",
            formula1=formula,
            allow_blank=True,
            showErrorMessage=True,
            showInputMessage=True,
            promptTitle=header,
            prompt=prompt,
            errorTitle="Not in the list",
            error=error,
        )
        letter = get_column_letter(HEADERS.index(header) + 1)
        validation.add(f"{letter}2:{letter}{last_row}")
        sheet.add_data_validation(validation)

    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


# ---------------------------------------------------------------------------
# Upload


def _text(value: Any) -> str:
    """A cell as text, whatever type the spreadsheet program gave it: 3 and 3.0 become "3",
    None becomes "", whitespace around it goes."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _squash(text: str) -> str:
    """For matching what a person typed: case and runs of spaces do not matter."""
    return " ".join(text.split()).casefold()


def _read_upload(uploaded_file) -> tuple[bytes | None, str | None]:
    """The file's bytes, or the problem with it, reading at most one byte past the limit."""
    if uploaded_file is None:
        return None, FILE_MISSING
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        return None, FILE_TOO_BIG
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        return None, FILE_TOO_BIG
    if not data:
        return None, FILE_EMPTY
    return data, None


def _read_cells(data: bytes) -> tuple[list[tuple[int, list[str]]], str | None]:
    """The Return sheet's rows as text (header first, with row numbers), or a file problem.

    Everything openpyxl does with the file happens here, inside one guard, because in
    read-only mode it parses lazily: a damaged file can fail halfway through the rows.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                return [], TOO_MUCH_DATA
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _UNREADABLE:
        return [], NOT_XLSX
    try:
        name = next((n for n in workbook.sheetnames if _squash(n) == _squash(SHEET_NAME)), None)
        if name is None:
            return [], NO_RETURN_SHEET
        sheet = workbook[name]
        if not hasattr(sheet, "iter_rows"):  # a chart sheet called Return
            return [], NO_RETURN_SHEET
        rows: list[tuple[int, list[str]]] = []
        filled = 0
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_text(value) for value in values[: len(HEADERS)]]
            cells += [""] * (len(HEADERS) - len(cells))
            if number > 1 and any(cells):
                filled += 1
            if filled > MAX_ROWS or number > MAX_SCANNED_ROWS:
                return [], TOO_MANY_ROWS
            rows.append((number, cells))
        return rows, None
    except _UNREADABLE:
        return [], NOT_XLSX
    finally:
        workbook.close()


def _match_level(text: str, levels: list[Level]) -> Level | None:
    """A level by its name ("established"), its number ("3") or both ("3 Established")."""
    wanted = _squash(text)
    for level in levels:
        if _squash(level.name) == wanted or _squash(str(level)) == wanted:
            return level
    match = re.fullmatch(r"(\d+)\s*[.:)–-]?\s*(.*)", wanted)
    if match:
        for level in levels:
            if level.number == int(match[1]) and match[2] in ("", _squash(level.name)):
                return level
    return None


def _parse_evidence(text: str, row: int) -> tuple[list[dict], list[str]]:
    """Links from a cell, one per line: `Title | https://…` or just the address."""
    links: list[dict] = []
    errors: list[str] = []
    for line_number, line in enumerate(text.split("\n"), start=1):
        line = line.strip()
        if not line:
            continue
        title, separator, url = line.rpartition("|")
        link = {"title": title.strip(), "url": url.strip()} if separator else {"url": line}
        try:
            links.extend(clean_evidence([link]))
        except ValidationError:
            errors.append(EVIDENCE_INVALID.format(row=row, line=line_number))
    return links, errors


def parse_return_workbook(partner_return: PartnerReturn, uploaded_file) -> ParsedUpload:
    """Read and check an uploaded return without saving anything.

    Every problem is collected, not just the first, so the person can fix the file in one go.
    Rows with no rating in them (completely empty, or only a code and title) are skipped: a
    change left blank, or missing from the file, keeps the rating it has.
    """
    data, problem = _read_upload(uploaded_file)
    if problem:
        return ParsedUpload(problems=[problem])
    rows, problem = _read_cells(data)
    if problem:
        return ParsedUpload(problems=[problem])
    if not rows or [_squash(cell) for cell in rows[0][1]] != [_squash(h) for h in HEADERS]:
        return ParsedUpload(problems=[HEADERS_WRONG])

    framework = partner_return.round.framework
    changes = {_squash(change.code): change for change in live_changes(framework)}
    levels = list(framework.levels.order_by("number"))
    level_names = ", ".join(level.name for level in levels)
    evidence_level = next((lv for lv in levels if lv.number >= EVIDENCE_FROM_LEVEL), None)
    confidences = {_squash(str(label)): value for value, label in Rating.Confidence.choices}
    confidences.update({value: value for value in Rating.Confidence.values})
    column = {header: index for index, header in enumerate(HEADERS)}

    parsed = ParsedUpload()
    first_row_of: dict[int, int] = {}
    for number, cells in rows[1:]:
        code, title, level_text, rationale, evidence_text, confidence_text = (
            cells[column[header]] for header in HEADERS
        )
        if not (level_text or rationale or evidence_text or confidence_text):
            continue
        errors: list[str] = []

        change: Change | None = changes.get(_squash(code)) if code else None
        if not code:
            errors.append(CODE_MISSING.format(row=number))
        elif change is None:
            errors.append(
                CODE_UNKNOWN.format(row=number, code=code, framework=framework.short_title)
            )
        elif change.pk in first_row_of:
            errors.append(
                CODE_TWICE.format(row=number, code=change.code, first=first_row_of[change.pk])
            )
        else:
            first_row_of[change.pk] = number

        level = _match_level(level_text, levels) if level_text else None
        if not level_text:
            errors.append(LEVEL_MISSING.format(row=number))
        elif level is None:
            errors.append(LEVEL_UNKNOWN.format(row=number, level=level_text, levels=level_names))

        if not rationale:
            errors.append(RATIONALE_MISSING.format(row=number))

        evidence, evidence_errors = _parse_evidence(evidence_text, number)
        errors.extend(evidence_errors)
        if (
            level is not None
            and level.number >= EVIDENCE_FROM_LEVEL
            and not evidence
            and not evidence_errors
        ):
            errors.append(
                EVIDENCE_MISSING.format(
                    row=number, level=evidence_level.name if evidence_level else level.name
                )
            )

        confidence = confidences.get(_squash(confidence_text), confidence_text)
        if confidence not in Rating.Confidence.values:
            errors.append(CONFIDENCE_INVALID.format(row=number))

        parsed.rows.append(
            UploadRow(
                number=number,
                code=change.code if change else code,
                change_id=change.pk if change else None,
                change_title=change.title if change else title,
                level_id=level.pk if level else None,
                level_name=level.name if level else level_text,
                rationale=rationale,
                evidence=evidence,
                confidence=confidence,
                errors=errors,
            )
        )
    if not parsed.rows:
        parsed.problems.append(NO_RATINGS)
    return parsed


def upload_apply(partner_return: PartnerReturn, parsed: ParsedUpload, saved_by) -> int:
    """Save every row of a checked upload in one transaction, and say how many were saved.

    All or nothing: if any row fails, no rating changes. Each rating is written as
    `rating_save` writes it (version up, who and when, full_clean) but without its per-row
    version check, which guards a form loaded in the browser; here the person has just seen
    the preview of the whole file. The history records that the rating came from a spreadsheet.
    """
    if not saved_by.has_perm("assessments.rate", partner_return):
        raise PermissionDenied
    if parsed.has_errors:
        raise ValidationError(UPLOAD_HAS_ERRORS)
    round_ = partner_return.round
    with transaction.atomic():
        locked = PartnerReturn.objects.select_for_update().get(pk=partner_return.pk)
        if (
            locked.submitted_at is not None
            or not Round.objects.filter(pk=locked.round_id, status=Round.Status.RATING).exists()
        ):
            raise ValidationError(RETURN_NOT_OPEN)
        changes = {change.pk: change for change in live_changes(round_.framework)}
        levels = {level.pk: level for level in round_.framework.levels.all()}
        existing = {
            rating.change_id: rating
            for rating in Rating.objects.select_for_update().filter(
                round=round_,
                partner=partner_return.partner,
                change__in=[row.change_id for row in parsed.rows],
            )
        }
        now = timezone.now()
        for row in parsed.rows:
            change = changes.get(row.change_id)
            level = levels.get(row.level_id)
            if change is None or level is None:
                raise ValidationError(UPLOAD_OUT_OF_DATE)
            rating = existing.get(change.pk) or Rating(
                round=round_, partner=partner_return.partner, change=change, version=0
            )
            rating.level = level
            rating.rationale = row.rationale.strip()
            rating.evidence = row.evidence
            rating.confidence = row.confidence
            rating.version += 1
            rating.updated_by = saved_by
            rating.updated_at = now
            rating._change_reason = UPLOAD_CHANGE_REASON
            rating.full_clean()
            rating.save()
        return len(parsed.rows)
