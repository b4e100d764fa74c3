"""The BCF return as an editable Word document (python-docx), with the content of the PDF: the
title, system, round and issue date, the narrative with its structure, the levels table with its
summary, each change's BCF fields and measures, the investments with their totals, and the
action plan. The BCF plan is a Word document: a BCF lead pastes or edits this one into it.

It is printed from the return's data alone, as the PDF is, through the same wording
(`return_wording`) and the same Markdown (`markdown.blocks`), so the three files agree.
"""

import io
from datetime import date

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from hicm_portal.templatetags.portal import money
from hicm_portal.words import govuk_date
from improvement_plans import markdown, return_wording
from improvement_plans.return_selectors import NARRATIVE_PROMPTS, return_body_context

# Word's built-in styles for the narrative's blocks, by list depth (Word has three of each).
_BULLETS = ["List Bullet", "List Bullet 2", "List Bullet 3"]
_NUMBERS = ["List Number", "List Number 2", "List Number 3"]
_CONTINUED = ["List Continue", "List Continue 2", "List Continue 3"]


def return_docx(data: dict, *, version: int | None = None, issued_on: date | None = None) -> bytes:
    context = return_body_context(data)
    title = context["title"]
    document = Document()
    document.core_properties.title = f"{title}: {data['system']}, {data['round']}"
    document.core_properties.author = "HICM Portal"
    document.core_properties.language = "en-GB"
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(10)

    document.add_heading(_text(title), level=0)
    _field(document, "System", f"{data['system']} ({data['region']})")
    _field(document, "Framework", data["framework"])
    _field(
        document,
        "Round",
        f"{data['round']}, {govuk_date(data['opens_on'])} to {govuk_date(data['closes_on'])}",
    )
    _field(document, "Agreed", govuk_date(data.get("agreed_at")) or "Not agreed")
    if data.get("approvers"):
        names = ", ".join(f"{a['name']} ({govuk_date(a['last'])})" for a in data["approvers"])
        _field(document, "Approved by the steering committee", f"{names} – quorum {data['quorum']}")
    if version:
        issued = f"Issued, version {version}"
        if issued_on:
            issued += f", on {govuk_date(issued_on)}"
    else:
        issued = "Draft, not issued"
    _field(document, "Version", issued)
    if data.get("recorded_afterwards"):
        _field(document, "Recorded afterwards", return_wording.recorded_afterwards(data))

    prompts = [
        (label, data["narrative"].get(key, ""))
        for key, label in NARRATIVE_PROMPTS
        if data["narrative"].get(key, "").strip()
    ]
    if prompts:
        document.add_heading("Narrative", level=1)
        for label, text in prompts:
            document.add_heading(label, level=2)
            _narrative(document, text)

    _levels(document, data, context)
    _change_by_change(document, context["change_rows"])
    _investments(document, data)
    _actions(document, data)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _text(value) -> str:
    """Text as Word may hold it: the control characters a browser form lets through, which
    XML cannot hold, are dropped (as the workbook drops them)."""
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _field(document, label: str, value: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.add_run(_text(f"{label}: ")).bold = True
    paragraph.add_run(_text(value))


def _narrative(document, text: str) -> None:
    for block in markdown.blocks(text):
        depth = min(max(block.depth, 1), 3) - 1
        if block.kind == "heading":
            paragraph = document.add_heading(level=3)
        elif block.kind == "bullet":
            paragraph = document.add_paragraph(style=_BULLETS[depth])
        elif block.kind == "number":
            paragraph = document.add_paragraph(style=_NUMBERS[depth])
            if block.start is not None:
                _restart_numbering(document, paragraph, _NUMBERS[depth], block.start)
        elif block.kind == "continued":
            paragraph = document.add_paragraph(style=_CONTINUED[depth])
        else:
            paragraph = document.add_paragraph()
        for run in block.runs:
            if run.line_break and paragraph.runs:
                paragraph.runs[-1].add_break()
            added = paragraph.add_run(_text(run.text))
            added.bold = run.bold or None
            added.italic = run.italic or None


def _restart_numbering(document, paragraph, style_name: str, start: int) -> None:
    """Word numbers every "List Number" paragraph of a document as one list; a numbered list of
    the narrative starts again (at its own first number) with a numbering of its own."""
    numbering = document.part.numbering_part.element
    style = document.styles[style_name].element
    num_pr = style.pPr.numPr if style.pPr is not None else None
    if num_pr is None or num_pr.numId is None:
        return
    abstract = numbering.num_having_numId(num_pr.numId.val).abstractNumId.val
    num = numbering.add_num(abstract)
    level = num_pr.ilvl.val if num_pr.ilvl is not None else 0
    num.add_lvlOverride(ilvl=level).add_startOverride(start)
    own = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    own.get_or_add_ilvl().val = level
    own.get_or_add_numId().val = num.numId


def _table(document, headers: list[str], rows: list[list[str]], *, numeric: set[int] = frozenset()):
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for index, header in enumerate(headers):
        cell = table.rows[0].cells[index]
        cell.text = ""
        cell.paragraphs[0].add_run(header).bold = True
    _repeat_header(table.rows[0])
    for values in rows:
        cells = table.add_row().cells
        for index, value in enumerate(values):
            cells[index].text = _text(value)
            if index in numeric:
                cells[index].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return table


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _keep_together(table) -> None:
    """Keep the table on one page when it fits, as Word does it: no row splits across pages,
    and every row keeps with the next."""
    for index, row in enumerate(table.rows):
        properties = row._tr.get_or_add_trPr()
        cant_split = OxmlElement("w:cantSplit")
        cant_split.set(qn("w:val"), "true")
        properties.append(cant_split)
        if index < len(table.rows) - 1:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.keep_with_next = True


def _levels(document, data: dict, context: dict) -> None:
    document.add_heading(context["levels_heading"], level=1)
    if context["summary"]:
        document.add_paragraph().add_run(context["summary"]).bold = True
    headers = ["Change"]
    if context["show_previous"]:
        previous = "Previous agreed level"
        if data.get("previous_round"):
            previous += f" ({data['previous_round']})"
        headers.append(previous)
    headers += [context["current_heading"], context["planned_heading"], "Investment (£)"]
    rows = []
    for change in context["change_rows"]:
        heading = change["heading"] + (" – gap with no action" if change["no_action"] else "")
        row = [heading]
        if context["show_previous"]:
            row.append(change["previous_text"])
        invested = money(change["invested"])
        if change.get("shared") and change["shared"] != "0.00":
            invested += f" and {money(change['shared'])} shared"
        row += [change["current_text"], change["planned_text"], invested]
        rows.append(row)
    table = _table(document, headers, rows, numeric={len(headers) - 1})
    _keep_together(table)


def _change_by_change(document, rows: list[dict]) -> None:
    rows = [row for row in rows if row.get("details")]
    if not rows:
        return
    document.add_heading("Change by change", level=1)
    for change in rows:
        document.add_heading(_text(change["heading"]), level=2)
        if change.get("rationale"):
            _field(document, f"Rationale for {change['current']['name']}", change["rationale"])
        for key, label in (
            ("challenges", "Challenges"),
            ("milestones", "Milestones met / observed impact"),
            ("support_needs", "Support needs"),
        ):
            if change.get(key):
                _field(document, label, change[key])
        if change.get("measures_text"):
            document.add_paragraph().add_run("Local measures").bold = True
            for line in change["measures_text"]:
                document.add_paragraph(_text(line), style="List Bullet")
        if change["actions_text"] or change["no_action"]:
            text = change["actions_text"] or "None"
            if change["no_action"]:
                text += " – gap with no action"
            _field(document, "Actions", text)


def _investments(document, data: dict) -> None:
    investments = data.get("investments") or []
    if not investments:
        return
    document.add_heading("Investment mapped to changes", level=1)
    rows = [
        [
            str(i.get("scheme", "")),
            _sources(i),
            str(i.get("year", "")),
            _served(i),
            money(i.get("amount", "")),
        ]
        for i in investments
    ]
    totals = data.get("totals") or {}
    rows.append(["Total", "", "", "", money(totals.get("total", ""))])
    shared = totals.get("shared")
    if shared and shared != "0.00":
        rows.append(["Of which shared between changes, not allocated", "", "", "", money(shared)])
    table = _table(
        document, ["Scheme", "Source", "Year", "Changes", "Amount (£)"], rows, numeric={4}
    )
    for cell in table.rows[-1].cells:
        for run in cell.paragraphs[0].runs:
            run.bold = True
    parts = []
    if totals.get("by_source"):
        sources = "; ".join(f"{name} £{money(amount)}" for name, amount in totals["by_source"])
        parts.append(f"By source: {sources}.")
    if totals.get("by_year"):
        years = "; ".join(f"{year} £{money(amount)}" for year, amount in totals["by_year"])
        parts.append(f"By year: {years}.")
    if shared and shared != "0.00":
        parts.append(
            "A scheme serving several changes without an allocation counts once in the total "
            "and is shown against each of its changes as shared."
        )
    if parts:
        document.add_paragraph(_text(" ".join(parts)))


def _sources(investment: dict) -> str:
    """A scheme's funding: its source, or each funding line when it has several."""
    lines = investment.get("lines") or []
    if len(lines) > 1:
        return "; ".join(f"{source} £{money(amount)}" for source, amount in lines)
    return str(investment.get("source", ""))


def _served(investment: dict) -> str:
    """The changes a scheme serves: shared, or with the amount allocated to each."""
    codes = ", ".join(str(code) for code in investment.get("changes", []))
    if investment.get("shared"):
        return f"{codes} (shared)"
    allocation = investment.get("allocation") or []
    if len(allocation) > 1 and all(amount is not None for _code, amount in allocation):
        return ", ".join(f"{code} (£{money(amount)})" for code, amount in allocation)
    return codes


def _actions(document, data: dict) -> None:
    actions = data.get("actions") or []
    if not actions:
        return
    document.add_heading("Action plan summary", level=1)
    _table(
        document,
        ["Change", "Action", "Lead partner", "Due", "Status", "RAG"],
        [
            [
                a["change"],
                a["title"],
                a.get("lead") or "",
                govuk_date(a["due"]),
                a["status"],
                a["rag"],
            ]
            for a in actions
        ],  # fmt: skip
    )
