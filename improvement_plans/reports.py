"""The BCF return and the consensus record as documents: HTML, PDF, XLSX and DOCX, and the
differences between two issued returns.

A return is printed from its data (`return_selectors.return_data`): issuing stores that snapshot
with the rendered files, so an issued return never changes afterwards.
"""

import hashlib
import io
from datetime import date
from decimal import Decimal

from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from assessments.models import Decision, Round
from assessments.review_selectors import approval_rows
from hicm_portal.spreadsheets import append_row
from hicm_portal.words import govuk_date
from improvement_plans import markdown, return_wording
from improvement_plans.docx_return import return_docx as return_docx
from improvement_plans.pdf import html_to_pdf
from improvement_plans.return_selectors import (
    NARRATIVE_PROMPTS,
    level_text,
    return_body_html,
)

# Issuing, the documents and the export command read a return's data through this module.
from improvement_plans.return_selectors import return_data as return_data


def return_html(data: dict, *, version: int | None = None, issued_on: date | None = None) -> str:
    """The return as a printable HTML document (templates/pdf/). Its only date of printing is
    an issued return's issue date."""
    return render_to_string(
        "pdf/bcf_return.html",
        {
            "data": data,
            "title": return_wording.title_of(data),
            "body": return_body_html(data),
            "version": version,
            "issued_on": issued_on,
            "list_starts": sorted(
                set().union(*(markdown.list_starts(text) for text in data["narrative"].values()))
            ),
        },
    )


def _date(iso: str | None) -> date | str:
    """A date of the return's data (ISO text) as a date cell; empty when there is none."""
    return date.fromisoformat(iso) if iso else ""


def _number(text: str | None) -> float | str:
    """A measure's value of the return's data (text) as a plain number cell (a Decimal would
    be shown as money); empty when there is none."""
    return float(text) if text not in (None, "") else ""


def return_xlsx(data: dict, *, version: int | None = None, issued_on: date | None = None) -> bytes:
    """The return as a workbook with the same content as the PDF, user text as text, dates as
    date cells and amounts as numbers in pounds (hicm_portal.spreadsheets)."""
    workbook = Workbook()
    bold = Font(bold=True)
    cover = workbook.active
    cover.title = "Cover"
    numbers = return_wording.show_numbers(data)
    rows = [
        (return_wording.title_of(data), ""),
        ("System", data["system"]),
        ("Region", data["region"]),
        ("Framework", data["framework"]),
        ("Round", data["round"]),
        ("Agreed on", _date(data["agreed_at"])),
        ("Approved by", ", ".join(a["name"] for a in data["approvers"])),
        *(
            # A round agreed before the portal (data of returns issued earlier lack the key).
            [
                (
                    "Recorded afterwards",
                    f"Approved by {data['approval_note'] or 'nobody recorded'}; no partner ratings",
                )
            ]
            if data.get("recorded_afterwards")
            else []
        ),
        ("Version", str(version) if version else "Draft"),
    ]
    if version and issued_on:
        rows.append(("Issued on", issued_on))
    if summary := return_wording.levels_summary(data):
        rows.append(("Summary", summary))
    for row in rows:
        append_row(cover, row)
    cover["A1"].font = Font(bold=True, size=14)
    narrative = workbook.create_sheet("Narrative")
    for key, label in NARRATIVE_PROMPTS:
        append_row(narrative, [label, data["narrative"][key]])
    changes = workbook.create_sheet("Changes")
    headers = ["Code", "Change", "Previous agreed level", return_wording.CURRENT_HEADING,
               "Maturity level planned", "Planned by", "Gap", "Rationale (Mature or Exemplary)",
               "Challenges",
               "Milestones met / observed impact", "Support needs", "Investment (£)",
               "Gap with no action"]  # fmt: skip
    append_row(changes, headers)
    for c in data["changes"]:
        append_row(
            changes,
            [
                c["code"],
                f"Enabler: {c['title']}" if c.get("kind") == "enabler" else c["title"],
                return_wording.level_label(c["previous"], numbers=numbers),
                return_wording.level_label(c["current"], numbers=numbers),
                return_wording.level_label(c["planned"], numbers=numbers),
                _date(c["planned_by"]),
                c["gap"],
                c["rationale"],
                c["challenges"],
                c["milestones"],
                c["support_needs"],
                Decimal(c["invested"]),
                "Yes" if c["no_action"] else "No",
            ],
        )
    investments = workbook.create_sheet("Investments")
    # One row per funding line, so every amount is a number that sums (a return issued before
    # funding lines has one line per scheme: its source and amount).
    append_row(
        investments,
        ["Scheme", "Funding source", "Financial year", "Changes", "Allocation", "Amount (£)"],
    )
    for i in data["investments"]:
        lines = i.get("lines") or [[i["source"], i["amount"]]]
        allocation = "; ".join(
            f"{code}: £{amount}" for code, amount in i.get("allocation") or [] if amount
        )
        for source, amount in lines:
            append_row(
                investments,
                [i["scheme"], source, i["year"], ", ".join(i["changes"]), allocation,
                 Decimal(amount)],
            )  # fmt: skip
    append_row(investments, ["Total", "", "", "", "", Decimal(data["totals"]["total"])])
    measures = [(c["code"], m) for c in data["changes"] for m in c.get("measures") or []]
    if measures:
        sheet = workbook.create_sheet("Measures")
        append_row(sheet, ["Change", "Measure", "Unit", "Baseline", "Baseline date", "Latest",
                           "Latest date", "Target"])  # fmt: skip
        for code, m in measures:
            append_row(
                sheet,
                [code, m["name"], m.get("unit", ""), _number(m["baseline"]),
                 _date(m["baseline_on"]), _number(m.get("latest")), _date(m.get("latest_on")),
                 _number(m.get("target"))],
            )  # fmt: skip
    actions = workbook.create_sheet("Actions")
    append_row(actions, ["Change", "Action", "Lead partner", "Owner", "Due", "Status", "RAG"])
    for a in data["actions"]:
        append_row(
            actions,
            [
                a["change"],
                a["title"],
                a["lead"],
                a["owner"],
                _date(a["due"]),
                a["status"],
                a["rag"],
            ],
        )
    for sheet in workbook.worksheets:
        for cell in sheet[1]:
            cell.font = bold
        for column in sheet.columns:
            sheet.column_dimensions[column[0].column_letter].width = 24
            for cell in column:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    title = return_wording.title_of(data)
    workbook.properties.title = f"{title}: {data['system']}, {data['round']}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def checksum(data_json: str, pdf: bytes, xlsx: bytes, docx: bytes = b"") -> str:
    """The issued return's checksum: its data and its files. The Word file counts when there
    is one (a return issued before Word files were built has none in its checksum)."""
    digest = hashlib.sha256()
    for part in (data_json.encode(), pdf, xlsx, *([docx] if docx else [])):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def render_return(data: dict, *, version: int | None = None) -> tuple[str, bytes, bytes]:
    html = return_html(data, version=version)
    return html, html_to_pdf(html), return_xlsx(data, version=version)


def differences(before: dict, after: dict) -> list[str]:
    """What changed between two returns: levels, planned levels, investments and actions."""
    lines = []
    old = {c["code"]: c for c in before["changes"]}
    for change in after["changes"]:
        was = old.get(change["code"])
        if was is None:
            lines.append(f"Change {change['code']} is new")
            continue
        for key, label in (("current", "agreed level"), ("planned", "planned level")):
            if was[key] != change[key]:
                lines.append(
                    f"Change {change['code']}: {label} {level_text(was[key]) or 'none'} → "
                    f"{level_text(change[key]) or 'none'}"
                )
        if was["planned_by"] != change["planned_by"]:
            lines.append(
                f"Change {change['code']}: planned date {govuk_date(was['planned_by']) or 'none'}"
                f" → {govuk_date(change['planned_by']) or 'none'}"
            )
    old_investments = {i["scheme"]: i for i in before["investments"]}
    new_investments = {i["scheme"]: i for i in after["investments"]}
    for scheme in sorted(set(old_investments) | set(new_investments)):
        a, b = old_investments.get(scheme), new_investments.get(scheme)
        if a is None:
            lines.append(f"Investment added: {scheme} (£{b['amount']})")
        elif b is None:
            lines.append(f"Investment removed: {scheme} (£{a['amount']})")
        elif a != b:
            lines.append(f"Investment changed: {scheme} (£{a['amount']} → £{b['amount']})")
    old_actions = {(a["change"], a["title"]): a for a in before["actions"]}
    new_actions = {(a["change"], a["title"]): a for a in after["actions"]}
    for key in sorted(set(old_actions) | set(new_actions)):
        a, b = old_actions.get(key), new_actions.get(key)
        if a is None:
            lines.append(f"Action added for change {key[0]}: {key[1]}")
        elif b is None:
            lines.append(f"Action no longer in the plan for change {key[0]}: {key[1]}")
        elif a["status"] != b["status"] or a["due"] != b["due"]:
            lines.append(
                f"Action for change {key[0]} '{key[1]}': {a['status']}, due "
                f"{govuk_date(a['due'])} → {b['status']}, due {govuk_date(b['due'])}"
            )
    return lines


def consensus_record_data(round_: Round) -> dict:
    """The minute of a round: every partner's rating and rationale per change, statistics,
    proposals, decisions (returns with reasons), dissent and approvals."""

    class Reader:  # the record is for everyone: no partner is highlighted
        pk = None
        is_authenticated = False

    rows = approval_rows(round_, Reader())
    decisions = {}
    for decision in Decision.objects.filter(consensus__round=round_).select_related(
        "decided_by", "consensus__change"
    ):
        decisions.setdefault(decision.consensus.change_id, []).append(decision)
    for row in rows:
        row.decisions = decisions.get(row.change.pk, [])
    return {"round": round_, "rows": rows}


def consensus_record_html(round_: Round) -> str:
    return render_to_string("pdf/consensus_record.html", consensus_record_data(round_))


def consensus_record_pdf(round_: Round) -> bytes:
    return html_to_pdf(consensus_record_html(round_))
