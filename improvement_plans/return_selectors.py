"""The BCF return's reads: `return_data` gathers everything a return shows into plain
JSON-ready values (the snapshot an issued return keeps), and `return_body_context` shapes them
into the rows and charts its body prints.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Max, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString

from assessments.framework_content import content_for_round
from assessments.models import (
    Consensus,
    Decision,
    Level,
    Member,
    Partner,
    RegionalViewer,
    Round,
    SystemRole,
)
from assessments.review_selectors import trend_rows, trend_values
from assessments.selectors import previous_agreed_levels
from hicm_portal.charts import radar, trend_charts
from hicm_portal.jinja_env import render_html
from hicm_portal.models import person_name
from improvement_plans import markdown, return_wording
from improvement_plans.measure_selectors import measure_line, measure_values_by_change
from improvement_plans.models import IssuedReturn
from improvement_plans.selectors import (
    investment_shared,
    investment_totals,
    plan_actions,
    plan_investments,
    round_chain,
)

# The three prompts of the 2019/20 BCF plan's Appendix C, in its words.
NARRATIVE_PROMPTS = [
    ("performance_issues", "Current performance issues to be addressed"),
    ("changes_to_embed", "The changes that you are looking to embed further – including any "
     "changes in the context of commitments to reablement and Enhanced Health in Care Homes in "
     "the NHS Long-Term Plan"),
    ("anticipated_improvements", "Anticipated improvements from this work"),
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
    content = content_for_round(round_)
    levels = {level.pk: level for level in content.levels}
    narrative_fields = {f"return_narrative__{key}": key for key, _ in NARRATIVE_PROMPTS}
    # The system's rounds in one query: each one's previous round, for the chain of plans this
    # one started from, and with them the names and narrative that this round's row gives.
    rounds = {
        row["pk"]: row
        for row in Round.objects.filter(system=round_.system_id)
        .order_by()
        .values(
            "pk",
            "previous_round_id",
            "system__name",
            "system__region__name",
            "return_narrative__title",
            "return_narrative__show_level_numbers",
            *narrative_fields,
        )
    }
    head = rounds[round_.pk]
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
    # Read once, for the actions and the schemes.
    chain = round_chain(round_, {pk: row["previous_round_id"] for pk, row in rounds.items()})
    # The actions' names come as annotations: no related objects are built.
    actions = list(
        plan_actions(round_, chain)
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
    investments = plan_investments(round_, chain=chain)
    totals = investment_totals(investments)
    today = timezone.localdate()
    # One row per approver, in the order they first approved, with their last approval: the
    # approvals come in order, so an approver's first row places them and their last dates them.
    approvers: dict[int, dict] = {}
    for person, name, email, decided_at in (
        Decision.objects.filter(consensus__round=round_.pk, kind=Decision.Kind.APPROVE)
        .order_by("decided_at", "decided_by")
        .values_list("decided_by", "decided_by__full_name", "decided_by__email", "decided_at")
    ):
        approvers.setdefault(person, {"name": name, "email": email})["last"] = decided_at
    measures = measure_values_by_change(
        round_.system_id, [change.pk for change in content.live_changes]
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
                "kind": change.kind,  # an enabler the round rated is labelled as one
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
                # A round recorded afterwards had its plan outside the portal: its gaps are
                # not flagged for want of actions here.
                "no_action": gap > 0
                and not round_.recorded_afterwards
                and not any(a.is_open for a in own),
                "invested": _money(totals["by_change"].get(change.pk, Decimal("0"))),
                # Schemes it shares, unallocated, with other changes (`investment_totals`).
                "shared": _money(totals["shared_by_change"].get(change.pk, Decimal("0"))),
                "measures": measures[change.pk],
            }
        )
    return {
        "title": head["return_narrative__title"]
        or return_wording.default_title(round_.framework.title),
        "show_level_numbers": bool(head["return_narrative__show_level_numbers"]),
        "system": head["system__name"],
        "region": head["system__region__name"],
        "framework": round_.framework.title,
        "round": round_.name,
        "opens_on": round_.opens_on.isoformat(),
        "closes_on": round_.closes_on.isoformat(),
        # The day in the portal's time zone (a round recorded afterwards is agreed at its start).
        "agreed_at": timezone.localdate(round_.agreed_at).isoformat() if round_.agreed_at else None,
        "quorum": round_.quorum,
        # A round agreed before the portal: no partner ratings or decisions, approved as noted.
        "recorded_afterwards": round_.recorded_afterwards,
        "approval_note": round_.approval_note,
        "approvers": [
            {"name": person_name(a["name"], a["email"]), "last": a["last"].date().isoformat()}
            for a in approvers.values()
        ],
        "previous_round": previous_name,
        "narrative": {key: head[field] or "" for field, key in narrative_fields.items()},
        "levels": [_level(level) for level in content.levels],
        "changes": changes,
        # Each scheme once: "amount" is its total, "source" its sources in words (an issued
        # return before funding lines had one source; its snapshot reads the same keys).
        "investments": [
            {
                "scheme": i["scheme"],
                "source": "; ".join(dict.fromkeys(source for source, _amount in i["lines"])),
                "year": i["year"],
                "amount": _money(i["total"]),
                "changes": [code for _id, code, _amount in i["links"]],
                "lines": [[source, _money(amount)] for source, amount in i["lines"]],
                "allocation": [
                    [code, None if amount is None else _money(amount)]
                    for _id, code, amount in i["links"]
                ],
                "shared": investment_shared(i),
                "carried_from": i["carried_from"],
            }
            for i in investments
        ],
        "totals": {
            "total": _money(totals["total"]),
            "by_source": [[name, _money(amount)] for name, amount in totals["by_source"]],
            "by_year": [[year, _money(amount)] for year, amount in totals["by_year"]],
            "shared": _money(totals["shared"]),
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
        "trend": trend_values(trend),
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


def _change_row(change: dict, *, by: str | None, numbers: bool) -> dict:
    """A change of the return as the body prints it: its levels as "Established" (or
    "3 Established" with numbers, or "–"), its planned date where it is not the table's, and
    its actions counted by status."""
    counts = (f"{count} {status.lower()}" for status, count in change["actions"].items())
    return {
        **change,
        "heading": f"Enabler {change['code']}: {change['title']}"
        if change.get("kind") == "enabler"
        else f"{change['code']}. {change['title']}",
        "previous_text": return_wording.level_label(change["previous"], numbers=numbers) or "–",
        "current_text": return_wording.level_label(change["current"], numbers=numbers) or "–",
        "planned_text": return_wording.planned_cell(change, by=by, numbers=numbers),
        "actions_text": ", ".join(counts),
        # A return issued before measures were recorded has none in its data.
        "measures_text": [measure_line(measure) for measure in change.get("measures") or []],
        # Anything to print under the change's own heading ("Change by change")?
        "details": any(
            change.get(key)
            for key in (
                "rationale",
                "challenges",
                "milestones",
                "support_needs",
                "actions",
                "no_action",
                "measures",
            )
        ),  # fmt: skip
    }


def return_body_html(data: dict) -> SafeString:
    """The return's body (templates/jinja2/returns/body.html) for the PDF and the web preview."""
    return render_html("returns/body.html", return_body_context(data))


def return_body_context(data: dict) -> dict:
    """What the return's body prints, shaped from its data: for the PDF and the preview."""
    labels = [c["code"] for c in data["changes"]]
    chart = radar(
        labels,
        [
            ("Current agreed level", [(c["current"] or {}).get("number") for c in data["changes"]]),
            ("Planned level", [(c["planned"] or {}).get("number") for c in data["changes"]]),
        ],
    )
    numbers = return_wording.show_numbers(data)
    by = return_wording.planned_by(data)
    return {
        "data": data,
        "title": return_wording.title_of(data),
        "change_rows": [_change_row(c, by=by, numbers=numbers) for c in data["changes"]],
        "show_previous": any(c["previous"] for c in data["changes"]),
        "levels_heading": return_wording.levels_section_heading(data),
        "current_heading": return_wording.CURRENT_HEADING,
        "planned_heading": return_wording.planned_heading(data),
        "summary": return_wording.levels_summary(data),
        "recorded_afterwards": return_wording.recorded_afterwards(data),
        # Prompts with nothing written are left out; the text keeps its Markdown structure.
        "prompts": [
            (label, markdown.to_html(data["narrative"][key]))
            for key, label in NARRATIVE_PROMPTS
            if data["narrative"].get(key, "").strip()
        ],
        "radar": chart,
        "trends": trend_charts(data.get("trend", {})),
    }


def level_text(level: dict | None) -> str:
    return f"{level['number']} {level['name']}" if level else ""


def next_version(round_: Round) -> int:
    """The version the round's next issued return takes."""
    return (IssuedReturn.objects.filter(round=round_).aggregate(v=Max("version"))["v"] or 0) + 1


def issue_audience(system) -> dict[str, QuerySet]:
    """Who is told when a return of `system` is issued, by kind: its steering committee, the
    members of its partners and its region's viewers, as active role holders."""
    return {
        kind: holders.filter(user__is_active=True)
        for kind, holders in {
            "steering": SystemRole.objects.filter(system=system, role=SystemRole.Role.STEERING),
            "members": Member.objects.filter(partner__system=system),
            "viewers": RegionalViewer.objects.filter(region_id=system.region_id),
        }.items()
    }


@dataclass
class IssueAudience:
    """How many people of each kind an issue e-mails (`issue_audience`), for its confirmation."""

    steering: int
    members: int
    partners: int
    viewers: int
    region: str


def issue_audience_counts(round_: Round, issuing) -> IssueAudience:
    """How many people of each kind the issue e-mails, leaving out the person issuing: one
    query per kind."""
    system = round_.system
    counts = {
        kind: holders.exclude(user=issuing).values("user").distinct().count()
        for kind, holders in issue_audience(system).items()
    }
    return IssueAudience(
        **counts, partners=Partner.objects.filter(system=system).count(), region=str(system.region)
    )
