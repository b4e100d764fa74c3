"""The demo's improvement plan: actions in every status (some overdue), progress, investments.

Figures and schemes echo the kind of BCF plan seed 003 describes (e.g. £100k for
multi-disciplinary teams, £70k for trusted assessors); people and dates are fictional.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from assessments.models import Member, Partner, Round, System, SystemRole
from improvement_plans.models import (
    Action,
    Investment,
    Measure,
    ProgressUpdate,
    ReturnNarrative,
)
from improvement_plans.return_services import return_issue
from improvement_plans.services import FundingLineInput, InvestmentInput, investment_save

# (change code, title, lead partner short name, status, start offset days, due offset days)
DEMO_ACTIONS = [
    ("1", "Expected date of discharge set within 24 hours of admission on every ward",
     "hospitals", Action.Status.IN_PROGRESS, -200, -20),
    ("1", "Discharge planning training for ward staff", "hospitals", Action.Status.DONE, -300, -60),
    ("3", "Daily multi-agency huddle at both acute sites", "community", Action.Status.IN_PROGRESS,
     -120, 60),
    ("4", "Home first pathway for people with new care needs", "council",
     Action.Status.NOT_STARTED, -10, 45),
    ("5", "Seven-day social work cover on the discharge team", "council", Action.Status.BLOCKED,
     -90, 30),
    ("6", "Trusted assessor for care home placements", "carehomes", Action.Status.IN_PROGRESS,
     -150, -5),
    ("7", "Choice leaflet and conversation guide co-produced with Healthwatch", "healthwatch",
     Action.Status.NOT_STARTED, 10, 120),
    ("8", "Care home bed tracker in every home", "carehomes", Action.Status.CANCELLED, -200, 20),
    ("9", "Housing officer in the hospital discharge hub", "housing", Action.Status.NOT_STARTED,
     -30, 5),
]  # fmt: skip

# (scheme, funding lines as (source, amount), change codes, allocation per change or None).
# Winter discharge capacity has two funding lines allocated across the two changes it serves;
# trusted assessors serve two changes unallocated, so the plan shows it as shared.
DEMO_INVESTMENTS = [
    ("Multi-disciplinary discharge teams", [(Investment.Source.BCF, "100000.00")], ["3"], None),
    ("Trusted assessors for care homes", [(Investment.Source.IBCF, "70000.00")], ["6", "8"], None),
    ("Choice and information", [(Investment.Source.BCF, "30000.00")], ["7"], None),
    ("Home adaptations for discharge", [(Investment.Source.DFG, "50000.00")], ["9"], None),
    (
        "Winter discharge capacity",
        [(Investment.Source.DISCHARGE, "100000.50"), (Investment.Source.BCF, "25000.00")],
        ["4", "5"],
        ["75000.50", "50000.00"],
    ),
]

# (change code, name, unit, baseline, baseline days ago, latest, latest days ago, target)
DEMO_MEASURES = [
    ("4", "Average reablement episode", "days", "23", 240, "17", 60, "15"),
    ("1", "Patients given an expected date of discharge within 24 hours", "%", "62", 240, "78",
     30, "90"),
    ("3", "Discharges before midday", "%", "18", 240, "24", 30, "33"),
]  # fmt: skip

PARTNER_NAMES = {
    "hospitals": "Northshire Hospitals NHS Foundation Trust",
    "community": "Northshire Community Health NHS Trust",
    "council": "Northshire County Council",
    "carehomes": "Northshire Care Association",
    "healthwatch": "Healthwatch Northshire",
    "housing": "Northshire Homes",
}


@transaction.atomic
def seed_plan_demo(system: System) -> list[str]:
    """Give the latest agreed round of the 2020 framework a plan, once."""
    round_ = (
        Round.objects.filter(system=system, status=Round.Status.AGREED, framework__key="mtoc-2020")
        .order_by("-agreed_at")
        .first()
    )
    if round_ is None:
        return ["No agreed 2020 round, so no improvement plan was added."]
    if Action.objects.filter(rounds=round_).exists():
        return [f"The {round_.name} plan already exists; left as it is."]
    today = timezone.localdate()
    facilitator = (
        SystemRole.objects.filter(system=system, role=SystemRole.Role.FACILITATOR)
        .select_related("user")
        .first()
        .user
    )
    changes = {c.code: c for c in round_.framework.changes.all()}
    investments = {}
    for scheme, lines, codes, allocation in DEMO_INVESTMENTS:
        investment = investment_save(
            round_=round_,
            data=InvestmentInput(
                scheme_name=scheme,
                financial_year="2026/27",
                lines=[FundingLineInput(source, Decimal(amount)) for source, amount in lines],
                changes=[changes[code] for code in codes],
                allocation=[Decimal(a) for a in allocation] if allocation else None,
            ),
            saved_by=facilitator,
        )
        for code in codes:
            investments.setdefault(code, []).append(investment)
    for code, title, lead, status, start, due in DEMO_ACTIONS:
        partner = Partner.objects.get(system=system, name=PARTNER_NAMES[lead])
        owner = Member.objects.filter(partner=partner).select_related("user").first().user
        action = Action.objects.create(
            system=system,
            change=changes[code],
            title=title,
            description="Agreed at the partners' improvement planning workshop.",
            lead_partner=partner,
            owner=owner,
            start_date=today + timedelta(days=start),
            due_date=today + timedelta(days=due),
            status=status,
            created_by=facilitator,
        )
        action.rounds.add(round_)
        action.investments.set(investments.get(code, []))
        if status != Action.Status.NOT_STARTED:
            ProgressUpdate.objects.create(
                action=action,
                author=owner,
                on=today + timedelta(days=start + 14),
                note="Kick-off meeting held; owners agreed across partners.",
            )
        if status in (Action.Status.BLOCKED, Action.Status.DONE, Action.Status.CANCELLED):
            notes = {
                Action.Status.BLOCKED: "Waiting for the recruitment freeze to lift.",
                Action.Status.DONE: "Training delivered on every ward; audit shows it in use.",
                Action.Status.CANCELLED: "Replaced by the regional capacity tracker.",
            }
            ProgressUpdate.objects.create(
                action=action,
                author=owner,
                on=today - timedelta(days=7),
                note=notes[status],
                new_status=status,
            )
    for code, name, unit, baseline, baseline_ago, latest, latest_ago, target in DEMO_MEASURES:
        Measure.objects.create(
            system=system,
            change=changes[code],
            name=name,
            unit=unit,
            baseline_value=Decimal(baseline),
            baseline_on=today - timedelta(days=baseline_ago),
            latest_value=Decimal(latest),
            latest_on=today - timedelta(days=latest_ago),
            target_value=Decimal(target),
            created_by=facilitator,
        )
    ReturnNarrative.objects.create(
        round=round_,
        performance_issues=(
            "Delayed transfers rise every winter at the acute trust, and weekend discharges are "
            "about half the weekday rate."
        ),
        # Markdown: the return prints it as a list, in the PDF and the Word file alike.
        changes_to_embed=(
            "Three changes, each with a named lead partner:\n\n"
            "- **Home first** for everyone with new care needs\n"
            "- trusted assessment for care home placements\n"
            "- the care home bed tracker in every home"
        ),
        anticipated_improvements=(
            "Fewer people waiting in hospital for a package of care, and more people at home "
            "91 days after discharge."
        ),
        updated_by=facilitator,
    )
    issued = return_issue(round_=round_, issued_by=facilitator)
    return [
        f"The {round_.name} plan has {len(DEMO_ACTIONS)} actions in every status (some overdue), "
        f"{len(DEMO_INVESTMENTS)} investments and {len(DEMO_MEASURES)} local measures; its BCF "
        f"return is issued as version {issued.version}."
    ]
