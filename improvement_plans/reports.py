"""The BCF return and the consensus record: their data, HTML, PDF and XLSX, and the
differences between two issued returns.

`return_data` gathers everything a return shows into plain JSON-ready values; issuing stores
that snapshot with the rendered files, so an issued return never changes afterwards.
"""

import hashlib
import io
from collections import Counter
from decimal import Decimal

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from assessments.models import Change, Consensus, Decision, Round
from assessments.review_selectors import approval_rows, trend_rows
from assessments.selectors import previous_agreed_levels
from hicm_portal.charts import radar, trend
from hicm_portal.spreadsheets import append_row
from improvement_plans.models import Investment, ReturnNarrative
from improvement_plans.pdf import html_to_pdf
from improvement_plans.selectors import investment_totals, plan_actions

NARRATIVE_PROMPTS = [
    ("performance_issues", "Current performance issues to be addressed"),
    ("changes_to_embed", "The changes to embed further, including commitments on reablement "
     "and care homes"),
    ("anticipated_improvements", "Anticipated improvements"),
]  # fmt: skip


def _level(level) -> dict | None:
    return {"number": level.number, "name": level.name} if level else None


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def return_data(round_: Round) -> dict:
    """Everything the BCF return of an agreed round shows, as JSON-ready values."""
    # Each read takes only the columns the return shows: it is rebuilt on every preview.
    narrative = (
        ReturnNarrative.objects.filter(round=round_)
        .values(*(key for key, _ in NARRATIVE_PROMPTS))
        .first()
    )
    consensus = {
        c.change_id: c
        for c in Consensus.objects.filter(round=round_)
        .select_related("level", "planned_level")
        .only(
            "change_id",
            "rationale",
            "planned_by",
            "challenges",
            "milestones",
            "support_needs",
            "level__number",
            "level__name",
            "planned_level__number",
            "planned_level__name",
        )
        .order_by()
    }
    previous = previous_agreed_levels(round_)
    actions = list(
        plan_actions(round_)
        .select_related(None)
        .select_related("change", "lead_partner", "owner")
        .only(
            "title",
            "status",
            "start_date",
            "due_date",
            "rag_override",
            "change__code",
            "change__position",
            "lead_partner__name",
            "owner__full_name",
            "owner__email",
        )
    )
    investments = list(
        Investment.objects.filter(round=round_).prefetch_related(
            Prefetch("changes", queryset=Change.objects.only("code", "position").order_by())
        )
    )
    totals = investment_totals(investments)
    today = timezone.localdate()
    approvals = (
        Decision.objects.filter(consensus__round=round_, kind=Decision.Kind.APPROVE)
        .select_related("decided_by")
        .only("decided_at", "decided_by__full_name", "decided_by__email")
        .order_by("decided_at")
    )
    approvers = {}
    for decision in approvals:
        approvers[decision.decided_by_id] = {
            "name": decision.decided_by.get_full_name(),
            "last": decision.decided_at.date().isoformat(),
        }
    changes = []
    for change in (
        Change.objects.filter(framework=round_.framework_id, archived=False)
        .order_by("position")
        .only("code", "title")
    ):
        agreed = consensus.get(change.pk)
        own = [a for a in actions if a.change_id == change.pk]
        gap = agreed.gap if agreed else 0
        statuses = Counter(a.get_status_display() for a in own)
        changes.append(
            {
                "code": change.code,
                "title": change.title,
                "previous": _level(previous.get(change.pk)),
                "current": _level(agreed.level) if agreed else None,
                "planned": _level(agreed.planned_level) if agreed else None,
                "planned_by": agreed.planned_by.isoformat()
                if agreed and agreed.planned_by
                else None,
                "rationale": agreed.rationale if agreed and agreed.level.needs_evidence else "",
                "challenges": agreed.challenges if agreed else "",
                "milestones": agreed.milestones if agreed else "",
                "support_needs": agreed.support_needs if agreed else "",
                "gap": gap,
                "actions": dict(sorted(statuses.items())),
                "no_action": gap > 0 and not any(a.is_open for a in own),
                "invested": _money(totals["by_change"].get(change.pk, Decimal("0"))),
            }
        )
    return {
        "system": round_.system.name,
        "region": round_.system.region.name,
        "framework": round_.framework.title,
        "round": round_.name,
        "opens_on": round_.opens_on.isoformat(),
        "closes_on": round_.closes_on.isoformat(),
        "agreed_at": round_.agreed_at.date().isoformat() if round_.agreed_at else None,
        "quorum": round_.quorum,
        "approvers": list(approvers.values()),
        "previous_round": round_.previous_round.name if round_.previous_round else None,
        "narrative": {key: (narrative or {}).get(key, "") for key, _ in NARRATIVE_PROMPTS},
        "changes": changes,
        "investments": [
            {
                "scheme": i.scheme_name,
                "source": i.get_funding_source_display(),
                "year": i.financial_year,
                "amount": _money(i.amount),
                "changes": [c.code for c in sorted(i.changes.all(), key=lambda c: c.position)],
            }
            for i in sorted(investments, key=lambda i: (i.financial_year, i.scheme_name))
        ],
        "totals": {
            "total": _money(totals["total"]),
            "by_source": [[name, _money(amount)] for name, amount in totals["by_source"]],
            "by_year": [[year, _money(amount)] for year, amount in totals["by_year"]],
        },
        "actions": [
            {
                "change": a.change.code,
                "title": a.title,
                "lead": a.lead_partner.name,
                "owner": a.owner.get_full_name(),
                "due": a.due_date.isoformat(),
                "status": a.get_status_display(),
                "rag": (a.rag(today) or "none").capitalize(),
            }
            for a in sorted(actions, key=lambda a: (a.change.position, a.due_date))
        ],
        "trend": _trend_data(round_),
        "generated_at": timezone.now().isoformat(timespec="seconds"),
    }


def _trend_data(round_: Round) -> dict:
    """Each change's agreed level in every agreed round up to this one (over crosswalks)."""
    data = trend_rows(round_)
    return {
        "rounds": [r.name for r in data["rounds"]],
        "changes": [
            {
                "code": row.change.code,
                "title": row.change.title,
                "values": [level.number if level else None for _, level in row.points],
                "planned_check": row.planned_check,
            }
            for row in data["rows"]
        ],
    }


def trend_charts(trend_data: dict) -> list[dict]:
    """One small line chart per change, with its figures, for pages and PDFs alike."""
    rounds = trend_data.get("rounds", [])
    return [
        {
            "code": change["code"],
            "title": change["title"],
            "chart": trend(rounds, change["values"]),
            "figures": list(zip(rounds, change["values"], strict=True)),
        }
        for change in trend_data.get("changes", [])
    ]


def _context(data: dict) -> dict:
    labels = [c["code"] for c in data["changes"]]
    chart = radar(
        labels,
        [
            ("Current agreed level", [(c["current"] or {}).get("number") for c in data["changes"]]),
            ("Planned level", [(c["planned"] or {}).get("number") for c in data["changes"]]),
        ],
    )
    return {
        "data": data,
        "prompts": [(label, data["narrative"][key]) for key, label in NARRATIVE_PROMPTS],
        "radar": chart,
        "trends": trend_charts(data.get("trend", {})),
    }


def return_html(data: dict, *, version: int | None = None) -> str:
    """The return as a printable HTML document (templates/pdf/)."""
    return render_to_string("pdf/bcf_return.html", {**_context(data), "version": version})


def return_body_context(data: dict) -> dict:
    """The context of the shared return body, for the web preview."""
    return _context(data)


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
        ("Agreed on", data["agreed_at"] or ""),
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
                _level_text(c["previous"]),
                _level_text(c["current"]),
                _level_text(c["planned"]),
                c["planned_by"] or "",
                c["gap"],
                c["rationale"],
                c["challenges"],
                c["milestones"],
                c["support_needs"],
                float(c["invested"]),
                "Yes" if c["no_action"] else "No",
            ],
        )
    investments = workbook.create_sheet("Investments")
    append_row(investments, ["Scheme", "Funding source", "Financial year", "Changes", "Amount (£)"])
    for i in data["investments"]:
        append_row(
            investments,
            [i["scheme"], i["source"], i["year"], ", ".join(i["changes"]), float(i["amount"])],
        )
    append_row(investments, ["Total", "", "", "", float(data["totals"]["total"])])
    actions = workbook.create_sheet("Actions")
    append_row(actions, ["Change", "Action", "Lead partner", "Owner", "Due", "Status", "RAG"])
    for a in data["actions"]:
        append_row(
            actions,
            [a["change"], a["title"], a["lead"], a["owner"], a["due"], a["status"], a["rag"]],
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


def _level_text(level: dict | None) -> str:
    return f"{level['number']} {level['name']}" if level else ""


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
                    f"Change {change['code']}: {label} {_level_text(was[key]) or 'none'} → "
                    f"{_level_text(change[key]) or 'none'}"
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
