"""The BCF return's reads: `return_data` gathers everything a return shows into plain
JSON-ready values (the snapshot an issued return keeps), and `return_body_context` shapes them
into the rows and charts its body prints.
"""

from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import F, Max, Min
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from assessments.framework_content import content_of
from assessments.models import Consensus, Decision, Level, Round
from assessments.review_selectors import trend_rows
from assessments.selectors import previous_agreed_levels
from hicm_portal.charts import radar, trend
from improvement_plans.models import Investment, IssuedReturn
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
    """Everything the BCF return of an agreed round shows, as JSON-ready values.

    It is rebuilt on every preview, so it reads only what the return shows: changes and levels
    from the framework's cached content, then a query per kind of row, whatever their number.
    """
    content = content_of(round_.framework)
    levels = {level.pk: level for level in content.levels}
    narrative_fields = {f"return_narrative__{key}": key for key, _ in NARRATIVE_PROMPTS}
    head = (
        Round.objects.filter(pk=round_.pk)
        .values("system__name", "system__region__name", *narrative_fields)
        .get()
    )
    consensus = {}
    for agreed in (
        Consensus.objects.filter(round=round_)
        .only(
            "change_id",
            "level_id",
            "planned_level_id",
            "planned_by",
            "rationale",
            "challenges",
            "milestones",
            "support_needs",
        )
        .order_by()
    ):
        agreed.level = levels[agreed.level_id]
        agreed.planned_level = levels.get(agreed.planned_level_id)
        consensus[agreed.change_id] = agreed
    trend = trend_rows(round_)
    previous, previous_name = _previous_agreed(round_, trend)
    # The actions' names come as annotations: no related objects are built.
    actions = list(
        plan_actions(round_)
        .select_related(None)
        .only("change", "title", "status", "start_date", "due_date", "rag_override")
        .annotate(
            change_code=F("change__code"),
            change_position=F("change__position"),
            lead=F("lead_partner__name"),
            owner_name=F("owner__full_name"),
            owner_email=F("owner__email"),
        )
    )
    actions_of = defaultdict(list)
    for action in actions:
        actions_of[action.change_id].append(action)
    investments = _investments(round_)
    totals = investment_totals(
        (i["amount"], i["source"], i["year"], i["change_ids"]) for i in investments.values()
    )
    today = timezone.localdate()
    # One row per approver, in the order they first approved, with their last approval.
    approvers = (
        Decision.objects.filter(consensus__round=round_, kind=Decision.Kind.APPROVE)
        .values("decided_by")
        .annotate(
            name=F("decided_by__full_name"),
            email=F("decided_by__email"),
            first=Min("decided_at"),
            last=Max("decided_at"),
        )
        .order_by("first", "decided_by")
    )
    changes = []
    for change in content.live_changes:
        agreed = consensus.get(change.pk)
        own = actions_of[change.pk]
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
        "system": head["system__name"],
        "region": head["system__region__name"],
        "framework": round_.framework.title,
        "round": round_.name,
        "opens_on": round_.opens_on.isoformat(),
        "closes_on": round_.closes_on.isoformat(),
        "agreed_at": round_.agreed_at.date().isoformat() if round_.agreed_at else None,
        "quorum": round_.quorum,
        "approvers": [
            # The name as User.get_full_name gives it.
            {"name": a["name"] or a["email"], "last": a["last"].date().isoformat()}
            for a in approvers
        ],
        "previous_round": previous_name,
        "narrative": {key: head[field] or "" for field, key in narrative_fields.items()},
        "changes": changes,
        "investments": [
            {
                "scheme": i["scheme"],
                "source": i["source"],
                "year": i["year"],
                "amount": _money(i["amount"]),
                "changes": i["codes"],
            }
            for i in sorted(investments.values(), key=lambda i: (i["year"], i["scheme"]))
        ],
        "totals": {
            "total": _money(totals["total"]),
            "by_source": [[name, _money(amount)] for name, amount in totals["by_source"]],
            "by_year": [[year, _money(amount)] for year, amount in totals["by_year"]],
        },
        "actions": [
            {
                "change": a.change_code,
                "title": a.title,
                "lead": a.lead,
                "owner": a.owner_name or a.owner_email,  # as User.get_full_name
                "due": a.due_date.isoformat(),
                "status": a.get_status_display(),
                "rag": (a.rag(today) or "none").capitalize(),
            }
            for a in sorted(actions, key=lambda a: (a.change_position, a.due_date))
        ],
        "trend": _trend_data(trend),
        "generated_at": timezone.now().isoformat(timespec="seconds"),
    }


def latest_issued_snapshot(round_: Round) -> IssuedReturn | None:
    """The round's latest issued return with only what the preview compares the draft with:
    its version and data, not its files."""
    return (
        IssuedReturn.objects.filter(round=round_)
        .only("version", "data")
        .order_by("-version")
        .first()
    )


def _investments(round_: Round) -> dict[int, dict]:
    """The round's investments, each with the ids and codes of the changes it serves (in
    framework order). One query: a row per investment and change."""
    investments: dict[int, dict] = {}
    for pk, scheme, source, year, amount, change_id, code in (
        Investment.objects.filter(round=round_)
        .order_by("financial_year", "scheme_name", "pk", "changes__position")
        .values_list(
            "pk",
            "scheme_name",
            "funding_source",
            "financial_year",
            "amount",
            "changes__id",
            "changes__code",
        )
    ):
        investment = investments.setdefault(
            pk,
            {
                "scheme": scheme,
                "source": Investment.Source(source).label,
                "year": year,
                "amount": amount,
                "change_ids": [],
                "codes": [],
            },
        )
        if change_id is not None:
            investment["change_ids"].append(change_id)
            investment["codes"].append(code)
    return investments


def _previous_agreed(round_: Round, trend: dict) -> tuple[dict[int, Level], str | None]:
    """The agreed level of each change in the round this one started from, and its name. The
    trend already holds them when that round is on this framework; across editions,
    `previous_agreed_levels` carries them over the crosswalk."""
    if round_.previous_round_id is None:
        return {}, None
    for index, past in enumerate(trend["rounds"]):
        if past.pk == round_.previous_round_id and past.framework_id == round_.framework_id:
            points = ((row.change.pk, row.points[index][1]) for row in trend["rows"])
            return {change_id: level for change_id, level in points if level}, past.name
    return previous_agreed_levels(round_), round_.previous_round.name


def _trend_data(trend: dict) -> dict:
    """Each change's agreed level in every agreed round up to this one (over crosswalks)."""
    return {
        "rounds": [r.name for r in trend["rounds"]],
        "changes": [
            {
                "code": row.change.code,
                "title": row.change.title,
                "values": [level.number if level else None for _, level in row.points],
                "planned_check": row.planned_check,
            }
            for row in trend["rows"]
        ],
    }


def _drawn(text: str) -> SafeString:
    """A coordinate, level number or text anchor `charts.trend` wrote ("86.0", "3", "start"):
    nothing in it to escape, so the hundreds of them the trend charts print are not escaped
    one by one."""
    return mark_safe(text)  # noqa: S308 - digits, a point or an anchor keyword, never people's text


def trend_charts(trend_data: dict) -> list[dict]:
    """One small line chart per change, with its figures as text, for pages and PDFs alike.

    The charts share their grid and round names, so `charts.trend` draws that frame once; each
    change's dots then sit where it puts a level's point, over the round's name on the grid
    line of the level (tests/returns/test_charts.py). Round names are escaped as usual.
    """
    rounds = trend_data.get("rounds", [])
    frame = trend(rounds, [None] * len(rounds))
    x_of = [_drawn(tick["x"]) for tick in frame["ticks"]]
    y_of = {int(line["label"]): _drawn(line["y"]) for line in frame["gridlines"]}
    shared = {
        **frame,
        "gridlines": [
            {key: _drawn(value) for key, value in line.items()} for line in frame["gridlines"]
        ],
        "ticks": [
            {**tick, "x": x, "y": _drawn(tick["y"]), "anchor": _drawn(tick["anchor"])}
            for tick, x in zip(frame["ticks"], x_of, strict=True)
        ],
    }
    charts = []
    for change in trend_data.get("changes", []):
        values = change["values"]
        if set(values) <= y_of.keys() | {None}:
            points = zip(x_of, values, strict=True)
            dots = [{"x": x, "y": y_of[v]} for x, v in points if v is not None]
            line = _drawn(" ".join(f"{dot['x']},{dot['y']}" for dot in dots))
            chart = {**shared, "dots": dots, "line": line}
        else:  # a level above the grid's top: drawn as `charts.trend` draws it
            chart = trend(rounds, values)
        charts.append(
            {
                "code": change["code"],
                "title": change["title"],
                "chart_id": f"trend-{change['code']}",
                "chart_title": f"Trend of change {change['code']}",
                "chart": chart,
                "figures": "; ".join(
                    f"{name}: {value or '–'}" for name, value in zip(rounds, values, strict=True)
                ),
            }
        )
    return charts


def _change_row(change: dict) -> dict:
    """A change of the return as the body prints it: its levels as "3 Established" (or "–")
    and its actions counted by status."""
    planned = level_text(change["planned"]) or "–"
    if change["planned"] and change["planned_by"]:
        planned = f"{planned} by {change['planned_by']}"
    counts = (f"{count} {status.lower()}" for status, count in change["actions"].items())
    return {
        **change,
        "heading": f"{change['code']}. {change['title']}",
        "previous_text": level_text(change["previous"]) or "–",
        "current_text": level_text(change["current"]) or "–",
        "planned_text": planned,
        "actions_text": ", ".join(counts) or "None",
    }


def return_body_context(data: dict) -> dict:
    """What the return's body (templates/pdf/_bcf_return_body.html) prints, shaped from its
    data: for the PDF and the web preview alike."""
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
        "change_rows": [_change_row(change) for change in data["changes"]],
        "prompts": [(label, data["narrative"][key]) for key, label in NARRATIVE_PROMPTS],
        "radar": chart,
        "trends": trend_charts(data.get("trend", {})),
    }


def level_text(level: dict | None) -> str:
    return f"{level['number']} {level['name']}" if level else ""
