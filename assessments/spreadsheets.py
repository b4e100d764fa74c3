"""A partner's return as an Excel spreadsheet: download it, fill it in offline, upload it.

Many partners collect ratings from colleagues by e-mail before anyone types them into the
portal, so the return can be downloaded as an .xlsx with one row per change, filled in, and
uploaded again. An upload is checked in full first (`parse_return_workbook`) so that the person
sees a preview with every problem at once, and is written only when confirmed
(`upload_apply`), all of it or none of it, through the rating form's own service
(`round_services.rating_save`): the same checks, history and version check. A rating saved by
someone else since the preview stops the upload, and the person chooses between the versions.

Blind rating: the workbook holds the ratings of the one partner it is for, and nothing of any
other partner. The uploaded file is never trusted: its size, its unpacked size, its sheet, its
headers, its row count and every cell are checked before anything is read into a rating, the
file itself through `hicm_portal.uploads`, the one way in for every import.
"""

import io
import re
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from assessments.models import Change, Level, PartnerReturn, Rating, Round
from assessments.models.rounds import clean_evidence
from assessments.round_services import RETURN_NOT_OPEN, RatingConflict, RatingInput, rating_save
from assessments.selectors import live_changes
from hicm_portal import uploads
from hicm_portal.spreadsheets import write_cell

SHEET_NAME = "Return"
LISTS_SHEET_NAME = "Lists"
HEADERS = ("Code", "Change", "Level", "Rationale", "Evidence", "Confidence")
COLUMN_WIDTHS = (8, 40, 24, 60, 50, 14)
WRAPPED_COLUMNS = frozenset({"Change", "Rationale", "Evidence"})
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EVIDENCE_SEPARATOR = " | "
EVIDENCE_EXAMPLE = "Discharge policy | https://example.org/policy"

# Limits on what a return may hold (the file's size and unpacked size are `hicm_portal.uploads`'
# for every import). A return has one row per change (a few dozen at most), so these are far
# above any honest file and far below what would tie up a worker.
MAX_ROWS = 500
# Blank rows are skipped, but reading must stop somewhere: past this row, refuse the file.
MAX_SCANNED_ROWS = 5_000

# Written to each rating's history, so the history says where the change came from.
UPLOAD_CHANGE_REASON = "uploaded from a spreadsheet"

# What people are told, in GOV.UK style. Row messages name the spreadsheet's row number.
NOT_XLSX = (
    "The file is not an Excel spreadsheet (.xlsx). "
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
UPLOAD_CONFLICTS = (
    "Someone else saved some of these ratings after you uploaded the spreadsheet. "
    "Nothing has been saved yet: choose which version of each to keep."
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
    # The version of the partner's saved rating when the preview was made (0: none saved).
    # Confirming saves only over that version; anything newer is someone else's save.
    version: int = 0

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

    Kept as a PendingUpload between the preview and the confirmation (hence the JSON helpers),
    so the file is read once and what is confirmed is exactly what was previewed.
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
    evidence_level = next((lv for lv in levels if lv.needs_evidence), None)
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
                write_cell(cell, values[header])
            cell.alignment = wrapped if header in WRAPPED_COLUMNS else top

    last_row = max(len(changes) + 1, 2)
    lists = workbook.create_sheet(LISTS_SHEET_NAME)
    lists.sheet_state = "hidden"
    for row_number, level in enumerate(levels, start=1):
        write_cell(lists.cell(row=row_number, column=1), level.name)
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


def _read_cells(data: bytes) -> tuple[list[tuple[int, list[str]]], str | None]:
    """The Return sheet's rows as text (header first, with row numbers), or a file problem.

    The file is opened by `uploads.open_xlsx`, which refuses bombs of every kind before openpyxl
    reads it and turns whatever openpyxl raises while it reads lazily into a refusal.
    """
    with uploads.open_xlsx(data, max_rows=MAX_SCANNED_ROWS) as workbook:
        name = next((n for n in workbook.sheetnames if _squash(n) == _squash(SHEET_NAME)), None)
        if name is None or not hasattr(workbook[name], "iter_rows"):  # none, or a chart sheet
            return [], NO_RETURN_SHEET
        rows: list[tuple[int, list[str]]] = []
        filled = 0
        cells_of_rows = uploads.sheet_rows(
            workbook[name], max_rows=MAX_SCANNED_ROWS, max_columns=len(HEADERS)
        )
        for number, values in enumerate(cells_of_rows, start=1):
            cells = [_text(value) for value in values]
            if number > 1 and any(cells):
                filled += 1
            if filled > MAX_ROWS:
                return [], TOO_MANY_ROWS
            rows.append((number, cells))
        return rows, None


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
    try:
        rows, problem = _read_cells(uploads.read_upload(uploaded_file))
    except uploads.UploadRefused as refused:
        # The return's own words where they say more: how to get a good file, and why so few rows.
        problem = {"unreadable": NOT_XLSX, "too_many_rows": TOO_MANY_ROWS}.get(
            refused.code, refused.message
        )
    if problem:
        return ParsedUpload(problems=[problem])
    if not rows or [_squash(cell) for cell in rows[0][1]] != [_squash(h) for h in HEADERS]:
        return ParsedUpload(problems=[HEADERS_WRONG])

    framework = partner_return.round.framework
    changes = {_squash(change.code): change for change in live_changes(framework)}
    levels = list(framework.levels.order_by("number"))
    level_names = ", ".join(level.name for level in levels)
    evidence_level = next((lv for lv in levels if lv.needs_evidence), None)
    versions = dict(
        Rating.objects.filter(
            round=partner_return.round, partner=partner_return.partner
        ).values_list("change_id", "version")
    )
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
        evidence, evidence_errors = _parse_evidence(evidence_text, number)
        confidence = confidences.get(_squash(confidence_text), confidence_text)
        valid_confidence = confidence in Rating.Confidence.values
        # An upload saves complete ratings only, by the rule the form's "Save and continue" uses.
        missing = Rating.missing_parts(
            level=level,
            rationale=rationale,
            confidence=confidence if valid_confidence else "",
            evidence=evidence,
        )
        if not level_text:
            errors.append(LEVEL_MISSING.format(row=number))
        elif level is None:
            errors.append(LEVEL_UNKNOWN.format(row=number, level=level_text, levels=level_names))
        if "rationale" in missing:
            errors.append(RATIONALE_MISSING.format(row=number))
        errors.extend(evidence_errors)
        if "evidence" in missing and not evidence_errors:
            errors.append(
                EVIDENCE_MISSING.format(
                    row=number, level=evidence_level.name if evidence_level else level.name
                )
            )
        if "confidence" in missing:
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
                version=versions.get(change.pk, 0) if change else 0,
            )
        )
    if not parsed.rows:
        parsed.problems.append(NO_RATINGS)
    return parsed


@dataclass
class UploadConflict:
    """A row of an upload whose rating someone saved after the preview: both versions."""

    row: UploadRow
    mine: RatingInput
    saved: Rating | None


class UploadConflicts(Exception):
    """An upload met ratings saved since its preview, so nothing of it was saved."""

    def __init__(self, conflicts: list[UploadConflict]):
        super().__init__(UPLOAD_CONFLICTS)
        self.conflicts = conflicts


def upload_apply(partner_return: PartnerReturn, parsed: ParsedUpload, saved_by) -> int:
    """Save every row of a checked upload in one transaction, and say how many were saved.

    Each row is saved by `rating_save`, the rating form's service, over the version the preview
    saw. All or nothing: if any row fails, no rating changes; if any rating was saved by someone
    else since the preview, UploadConflicts carries every such rating with both versions, so the
    person can choose. The history records that the rating came from a spreadsheet.
    """
    if not saved_by.has_perm("assessments.rate", partner_return):
        raise PermissionDenied
    if parsed.has_errors:
        raise ValidationError(UPLOAD_HAS_ERRORS)
    round_ = partner_return.round
    conflicts: list[UploadConflict] = []
    with transaction.atomic():
        locked = PartnerReturn.objects.select_for_update().get(pk=partner_return.pk)
        if (
            locked.submitted_at is not None
            or not Round.objects.filter(pk=locked.round_id, status=Round.Status.RATING).exists()
        ):
            raise ValidationError(RETURN_NOT_OPEN)
        changes = {change.pk: change for change in live_changes(round_.framework)}
        levels = {level.pk: level for level in round_.framework.levels.all()}
        for row in parsed.rows:
            change = changes.get(row.change_id)
            level = levels.get(row.level_id)
            if change is None or level is None:
                raise ValidationError(UPLOAD_OUT_OF_DATE)
            mine = RatingInput(
                level=level,
                rationale=row.rationale,
                evidence=row.evidence,
                confidence=row.confidence,
            )
            try:
                rating_save(
                    partner_return=partner_return,
                    change=change,
                    data=mine,
                    saved_by=saved_by,
                    expected_version=row.version,
                    change_reason=UPLOAD_CHANGE_REASON,
                )
            except RatingConflict as conflict:
                conflicts.append(UploadConflict(row=row, mine=mine, saved=conflict.saved))
        if conflicts:
            raise UploadConflicts(conflicts)  # and the rows saved so far are rolled back
    return len(parsed.rows)


def upload_resolve(parsed: ParsedUpload, choices: dict[int, tuple[str, int]]) -> ParsedUpload:
    """The upload after the person chose between versions, per change id: ("mine", version of
    the saved rating they saw) saves their row over that version; ("saved", _) drops the row,
    keeping the saved rating. Rows without a choice are kept as they were."""
    rows = []
    for row in parsed.rows:
        choice, seen_version = choices.get(row.change_id, ("", row.version))
        if choice == "saved":
            continue
        if choice == "mine":
            row = replace(row, version=seen_version)
        rows.append(row)
    return ParsedUpload(rows=rows, problems=list(parsed.problems))
