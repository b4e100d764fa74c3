"""The BCF return and the consensus record as documents: HTML, PDF and XLSX, and the
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
from improvement_plans.pdf import html_to_pdf
from improvement_plans.return_selectors import (
    NARRATIVE_PROMPTS,
    level_text,
    return_body_html,
)

# Issuing, the documents and the export command read a return's data through this module.
from improvement_plans.return_selectors import return_data as return_data


def return_html(data: dict, *, version: int | None = None) -> str:
    """The return as a printable HTML document (templates/pdf/)."""
    return render_to_string(
        "pdf/bcf_return.html",
        {"data": data, "body": return_body_html(data), "version": version},
    )


def _date(iso: str | None) -> date | str:
    """A date of the return's data (ISO text) as a date cell; empty when there is none."""
    return date.fromisoformat(iso) if iso else ""


def return_xlsx(data: dict, *, version: int | None = None) -> bytes:
    """The return as a workbook with the same content as the PDF, user text as text."""
    workbook = Workbook()
    bold = Font(bold=True)
    cover = workbook.active
    cover.title = "Cover"
    rows = [
        ("Better Care Fund return: High Impact Change Model", ""),
        ("System", data["system"]),
        ("Region", data["region"]),
        ("Framework", data["framework"]),
        ("Round", data["round"]),
        ("Agreed on", _date(data["agreed_at"])),
        ("Approved by", ", ".join(a["name"] for a in data["approvers"])),
        ("Version", str(version) if version else "Draft"),
    ]
    for row in rows:
        append_row(cover, row)
    cover["A1"].font = Font(bold=True, size=14)
    narrative = workbook.create_sheet("Narrative")
    for key, label in NARRATIVE_PROMPTS:
        append_row(narrative, [label, data["narrative"][key]])
    changes = workbook.create_sheet("Changes")
    headers = ["Code", "Change", "Previous agreed level", "Current agreed level", "Planned level",
               "Planned by", "Gap", "Rationale (Mature or Exemplary)", "Challenges",
               "Milestones met / observed impact", "Support needs", "Investment (£)",
               "Gap with no action"]  # fmt: skip
    append_row(changes, headers)
    for c in data["changes"]:
        append_row(
            changes,
            [
                c["code"],
                c["title"],
                level_text(c["previous"]),
                level_text(c["current"]),
                level_text(c["planned"]),
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
    append_row(investments, ["Scheme", "Funding source", "Financial year", "Changes", "Amount (£)"])
    for i in data["investments"]:
        append_row(
            investments,
            [i["scheme"], i["source"], i["year"], ", ".join(i["changes"]), Decimal(i["amount"])],
        )
    append_row(investments, ["Total", "", "", "", Decimal(data["totals"]["total"])])
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
    workbook.properties.title = f"BCF HICM return: {data['system']}, {data['round']}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def checksum(data_json: str, pdf: bytes, xlsx: bytes) -> str:
    digest = hashlib.sha256()
    for part in (data_json.encode(), pdf, xlsx):
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
                f"Change {change['code']}: planned date {was['planned_by'] or 'none'} → "
                f"{change['planned_by'] or 'none'}"
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
                f"Action for change {key[0]} '{key[1]}': {a['status']}, due {a['due']} → "
                f"{b['status']}, due {b['due']}"
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
