"""The offline return: a partner's ratings written to an .xlsx to fill in and upload again.

One row per live change with the partner's current rating, under the headings the upload reads
back (`layout`); the round, partner and due date go in the workbook's properties. Level and
confidence have drop-down lists with Excel's own prompts. Only this partner's ratings are read
(blind rating).
"""

import io
import re

from django.conf import settings
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from assessments.models import PartnerReturn, Rating
from assessments.selectors import live_changes
from assessments.spreadsheets.layout import (
    EVIDENCE_EXAMPLE,
    EVIDENCE_SEPARATOR,
    HEADERS,
    SHEET_NAME,
)
from hicm_portal.spreadsheets import write_cell
from hicm_portal.words import govuk_date

LISTS_SHEET_NAME = "Lists"
COLUMN_WIDTHS = (8, 40, 24, 60, 50, 14)
WRAPPED_COLUMNS = frozenset({"Change", "Rationale", "Evidence"})

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
    changes = live_changes(round_)
    ratings = {
        rating.change_id: rating
        for rating in Rating.objects.filter(
            round=round_, partner=partner_return.partner
        ).select_related("level")
    }

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_NAME
    due = govuk_date(round_.closes_on)
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
            "Change": f"Enabler: {change.title}" if change.kind == "enabler" else change.title,
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
