"""An uploaded return, read and checked in full for its preview: nothing is saved here.

The file comes in through `hicm_portal.uploads` (its size, its unpacked size, its XML), then its
Return sheet, headings, row count and every cell are checked, and every problem is collected, so
the person sees all of them at once. What is checked is kept as a `ParsedUpload` until the
person confirms it (`confirm`), so the file is read once and what is saved is what was shown.
"""

import re
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError

from assessments.models import Change, Level, PartnerReturn, Rating
from assessments.models.ratings import clean_evidence
from assessments.selectors import live_changes
from assessments.spreadsheets.layout import EVIDENCE_EXAMPLE, HEADERS, SHEET_NAME
from hicm_portal import uploads

# Limits on what a return may hold (the file's size and unpacked size are `hicm_portal.uploads`'
# for every import). A return has one row per change (a few dozen at most), so these are far
# above any honest file and far below what would tie up a worker.
MAX_ROWS = 500
# Blank rows are skipped, but reading must stop somewhere: past this row, refuse the file.
MAX_SCANNED_ROWS = 5_000

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
    changes = {_squash(change.code): change for change in live_changes(partner_return.round)}
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
