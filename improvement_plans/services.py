"""State changes of improvement plans: actions, progress, investments, reminders.

Each function checks permission, validates (the same rules for forms, imports and tests),
writes in one transaction, keeps history, and sends the e-mail its step calls for.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from assessments.framework_content import content_for_round
from assessments.models import Change, ChangeAction, Level, Member, Partner, Round
from assessments.round_services import audit, partner_member_emails
from hicm_portal.money import MAX_AMOUNT, pounds
from hicm_portal.notify import notify, portal_link
from improvement_plans.models import (
    Action,
    ActionReminderSent,
    FundingLine,
    Investment,
    InvestmentChange,
    OverdueDigestSent,
    ProgressUpdate,
    Rag,
)
from improvement_plans.selectors import investments_in_plan

DUE_SOON_DAYS = 7


@dataclass
class ActionInput:
    title: str
    change: Change
    lead_partner: Partner
    owner: object
    start_date: date
    due_date: date
    description: str = ""
    target_level: Level | None = None
    contributing_partners: list[Partner] = field(default_factory=list)
    status: str = Action.Status.NOT_STARTED
    rag_override: str = ""
    rag_override_reason: str = ""
    investments: list[Investment] = field(default_factory=list)
    template: ChangeAction | None = None


def check_action(round_: Round, data: ActionInput) -> None:
    """The rules every action meets, named by field."""
    errors: dict[str, str] = {}
    system = round_.system
    title_max = Action._meta.get_field("title").max_length
    if not data.title.strip():
        errors["title"] = "Enter a title for the action"
    elif len(data.title.strip()) > title_max:
        errors["title"] = (
            f"Enter a title of at most {title_max} characters (it has {len(data.title.strip())})"
        )
    if data.change.pk not in {change.pk for change in content_for_round(round_).live_changes}:
        errors["change"] = "Select a change of this round's framework"
    if data.target_level is not None and data.target_level.framework_id != round_.framework_id:
        errors["target_level"] = "Select a level of this round's framework"
    if data.lead_partner.system_id != system.pk:
        errors["lead_partner"] = "Select a partner of this system"
    if any(p.system_id != system.pk for p in data.contributing_partners):
        errors["contributing_partners"] = "Select partners of this system only"
    if not Member.objects.filter(user=data.owner, partner__system=system).exists():
        errors["owner"] = "Select an owner who is a member of one of this system's partners"
    if data.due_date < data.start_date:
        errors["due_date"] = "The due date must be the same as or after the start date"
    if data.status not in Action.Status.values:
        errors["status"] = "Select a status"
    if data.rag_override and data.rag_override not in Rag.values:
        errors["rag_override"] = "Select red, amber or green"
    if data.rag_override and not data.rag_override_reason.strip():
        errors["rag_override_reason"] = "Enter the reason for overriding the RAG status"
    in_plan = set(investments_in_plan(round_).values_list("pk", flat=True))
    if any(i.pk not in in_plan for i in data.investments):
        errors["investments"] = "Select investments of this plan only"
    if errors:
        raise ValidationError(errors)


def _action_link(action: Action) -> str:
    return portal_link(reverse("action_detail", args=[action.public_id]))


def _tell_owner(action: Action, assigned_by) -> None:
    notify(
        to=[action.owner.email],
        subject=f"You own an improvement action: {action.title}",
        template="action_assigned",
        context={"action": action, "assigned_by": assigned_by, "link": _action_link(action)},
    )


def apply_action_input(action: Action, data: ActionInput) -> None:
    action.title = data.title.strip()
    action.description = data.description.strip()
    action.change = data.change
    action.target_level = data.target_level
    action.lead_partner = data.lead_partner
    action.owner = data.owner
    action.start_date = data.start_date
    action.due_date = data.due_date
    action.status = data.status
    action.rag_override = data.rag_override
    action.rag_override_reason = data.rag_override_reason.strip() if data.rag_override else ""
    action.template = data.template or action.template
    action.updated_at = timezone.now()


@transaction.atomic
def action_create(*, round_: Round, data: ActionInput, created_by) -> Action:
    """A facilitator adds an action to an agreed round's plan; the owner is told."""
    if not created_by.has_perm("improvement_plans.manage_plan", round_):
        raise PermissionDenied
    check_action(round_, data)
    action = Action(system=round_.system, created_by=created_by)
    apply_action_input(action, data)
    action.full_clean()
    action.save()
    action.rounds.add(round_)
    action.contributing_partners.set(data.contributing_partners)
    action.investments.set(data.investments)
    # The audit's action is at most 40 characters: the title goes in its detail.
    audit(
        round_,
        created_by,
        "Added an action to the plan",
        f"Change {data.change.code}: {action.title}",
    )
    _tell_owner(action, created_by)
    return action


@transaction.atomic
def action_update(*, action: Action, round_: Round, data: ActionInput, updated_by) -> Action:
    """Change an action. Facilitators change everything; the owner and the lead partner's
    members change what they are responsible for. A new owner is told."""
    if not updated_by.has_perm("improvement_plans.update_action", action):
        raise PermissionDenied
    check_action(round_, data)
    locked = Action.objects.select_for_update().get(pk=action.pk)
    previous_owner = locked.owner_id
    apply_action_input(locked, data)
    # created_by is empty once its author's account is deleted (SET_NULL); that is no error.
    locked.full_clean(exclude=["created_by"])
    locked.save()
    locked.contributing_partners.set(data.contributing_partners)
    locked.investments.set(data.investments)
    if locked.owner_id != previous_owner:
        _tell_owner(locked, updated_by)
    return locked


@transaction.atomic
def progress_post(
    *, action: Action, author, note: str, new_status: str = "", new_rag: str = "", on=None
) -> ProgressUpdate:
    """Add a dated note to an action, optionally changing its status or overriding its RAG
    (the note is the reason for the override). The owner, facilitators and the members of
    its lead and contributing partners may."""
    if not author.has_perm("improvement_plans.post_progress", action):
        raise PermissionDenied
    errors = {}
    if not note.strip():
        errors["note"] = "Enter what has happened"
    if new_status and new_status not in Action.Status.values:
        errors["new_status"] = "Select a status"
    if new_rag and new_rag not in (*Rag.values, "auto"):
        errors["new_rag"] = "Select a RAG status"
    on = on or timezone.localdate()
    if on > timezone.localdate():
        errors["on"] = "The date of the update must be today or in the past"
    if errors:
        raise ValidationError(errors)
    locked = Action.objects.select_for_update().get(pk=action.pk)
    update = ProgressUpdate.objects.create(
        action=locked,
        author=author,
        on=on,
        note=note.strip(),
        new_status=new_status,
        new_rag="" if new_rag == "auto" else new_rag,
    )
    if new_status:
        locked.status = new_status
    if new_rag == "auto":
        locked.rag_override, locked.rag_override_reason = "", ""
    elif new_rag:
        locked.rag_override, locked.rag_override_reason = new_rag, note.strip()
    locked.updated_at = timezone.now()
    locked.save()
    _tell_progress(locked, update)
    return update


def _tell_progress(action: Action, update: ProgressUpdate) -> None:
    """The action's owner and the members of its lead partner, except the author."""
    members = partner_member_emails([action.lead_partner_id]).get(action.lead_partner_id, [])
    owner = [action.owner.email] if action.owner.is_active else []
    notify(
        to=[email for email in [*owner, *members] if email != update.author.email],
        subject=f"Progress on {action.title}",
        template="progress_posted",
        context={"action": action, "update": update, "link": _action_link(action)},
    )


@dataclass
class FundingLineInput:
    """One funding line of a scheme: how much comes from one source (`Investment.Source`)."""

    source: str
    amount: Decimal


@dataclass
class InvestmentInput:
    """A scheme as the form, the admin and the import of past returns give it. `allocation`,
    when given, holds an amount for each change in `changes`, in the same order."""

    scheme_name: str
    financial_year: str
    lines: list[FundingLineInput]
    changes: list[Change]
    allocation: list[Decimal] | None = None
    ongoing: bool = False

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines if line.amount is not None), Decimal("0"))


MAX_FUNDING_LINES = 20
MESSAGE_NO_LINES = "Enter at least one funding line: a source and an amount"
MESSAGE_NO_CHANGES = "Select at least one change this investment serves"


def _money_problem(amount: Decimal | None) -> str:
    """What is wrong with an amount, or nothing."""
    if amount is None:
        return "enter the amount"
    if amount < 0:
        return "the amount must be £0 or more"
    if amount != amount.quantize(Decimal("0.01")):
        return "enter the amount in pounds and pence, with at most two decimal places"
    if amount > MAX_AMOUNT:
        return "the amount must be less than £10,000,000,000"
    return ""


def check_investment(round_: Round, data: InvestmentInput) -> None:
    """The rules every scheme meets, each problem named: its name and year, every funding line,
    the changes it serves, and an allocation that gives each change an amount and adds up to
    the scheme's total."""
    errors: dict[str, list[str]] = defaultdict(list)
    name_max = Investment._meta.get_field("scheme_name").max_length
    if not data.scheme_name.strip():
        errors["scheme_name"].append("Enter the scheme name")
    elif len(data.scheme_name.strip()) > name_max:
        errors["scheme_name"].append(f"Enter a scheme name of at most {name_max} characters")
    if not re.fullmatch(r"20\d\d/\d\d", data.financial_year.strip()):
        errors["financial_year"].append("Enter the financial year like 2026/27")
    if not data.lines:
        errors["lines"].append(MESSAGE_NO_LINES)
    elif len(data.lines) > MAX_FUNDING_LINES:
        errors["lines"].append(f"Enter at most {MAX_FUNDING_LINES} funding lines")
    for number, line in enumerate(data.lines, start=1):
        if line.source not in Investment.Source.values:
            errors["lines"].append(f"Funding line {number}: select the funding source")
        if problem := _money_problem(line.amount):
            errors["lines"].append(f"Funding line {number}: {problem}")
    if not data.changes:
        errors["changes"].append(MESSAGE_NO_CHANGES)
    elif not {c.pk for c in data.changes} <= {c.pk for c in content_for_round(round_).live_changes}:
        errors["changes"].append("Select changes of this round's framework")
    elif len({c.pk for c in data.changes}) != len(data.changes):
        errors["changes"].append("Select each change once")
    if data.allocation is not None and data.changes:
        if len(data.allocation) != len(data.changes):
            errors["allocation"].append(
                f"Give an amount for each of the {len(data.changes)} changes the scheme serves "
                f"(there are {len(data.allocation)})"
            )
        for change, amount in zip(data.changes, data.allocation, strict=False):
            if problem := _money_problem(amount):
                errors["allocation"].append(f"Allocation to change {change.code}: {problem}")
        if "allocation" not in errors and "lines" not in errors:
            allocated = sum(data.allocation, Decimal("0"))
            if allocated != data.total:
                errors["allocation"].append(
                    f"The allocations add up to {pounds(allocated)} but the funding lines "
                    f"total {pounds(data.total)}: make them the same, or leave every "
                    "allocation empty"
                )
    if errors:
        raise ValidationError(dict(errors))


def _describe_investment(investment: Investment) -> str:
    """A scheme in words for the audit trail: its lines, total and changes."""
    lines = list(investment.funding_lines.all())
    total = sum((line.amount for line in lines), Decimal("0"))
    served = InvestmentChange.objects.filter(investment=investment).select_related("change")
    changes = ", ".join(
        f"{link.change.code}" + (f" ({pounds(link.amount)})" if link.amount is not None else "")
        for link in served.order_by("change__position")
    )
    sources = "; ".join(f"{line.get_source_display()} {pounds(line.amount)}" for line in lines)
    return (
        f"{investment.scheme_name}, {investment.financial_year}"
        f"{' (ongoing)' if investment.ongoing else ''}: {pounds(total)} from {sources}; "
        f"changes {changes}"
    )


@transaction.atomic
def investment_save(
    *, round_: Round, data: InvestmentInput, saved_by, investment: Investment | None = None
) -> Investment:
    """A facilitator adds a scheme to an agreed round's plan, or changes one the plan holds:
    its funding lines and the changes it serves (with their allocation) are replaced as a
    whole, in the same transaction, and the round's audit trail says what it was and is."""
    if not saved_by.has_perm("improvement_plans.manage_plan", round_):
        raise PermissionDenied
    check_investment(round_, data)
    before = ""
    if investment is not None:
        investment = Investment.objects.select_for_update().get(pk=investment.pk)
        before = _describe_investment(investment)
    else:
        investment = Investment(round=round_, created_by=saved_by)
    investment.scheme_name = data.scheme_name.strip()
    investment.financial_year = data.financial_year.strip()
    investment.ongoing = data.ongoing
    # created_by is empty once its author's account is deleted (SET_NULL); that is no error.
    investment.full_clean(exclude=["created_by"])
    investment.save()
    investment.funding_lines.all().delete()
    FundingLine.objects.bulk_create(
        FundingLine(investment=investment, source=line.source, amount=line.amount)
        for line in data.lines
    )
    InvestmentChange.objects.filter(investment=investment).delete()
    allocation = data.allocation or [None] * len(data.changes)
    InvestmentChange.objects.bulk_create(
        InvestmentChange(investment=investment, change=change, amount=amount)
        for change, amount in zip(data.changes, allocation, strict=True)
    )
    after = _describe_investment(investment)
    if before:
        audit(round_, saved_by, "Changed an investment", f"{before} → {after}")
    else:
        audit(round_, saved_by, "Added an investment", after)
    return investment


def action_reminders_send(*, today: date | None = None, dry_run: bool = False) -> list[str]:
    """Tell owners of open actions due within 7 days, once per action and due date."""
    today = today or timezone.localdate()
    due = Action.objects.filter(
        status__in=Action.OPEN_STATUSES,
        due_date__gte=today,
        due_date__lte=today + timedelta(days=DUE_SOON_DAYS),
    ).select_related("owner", "system", "change")
    report = []
    for action in due:
        report.append(f"{action.system}: '{action.title}' due {action.due_date} ({action.owner})")
        if dry_run:
            continue
        try:
            with transaction.atomic():
                ActionReminderSent.objects.create(
                    action=action, due_date=action.due_date, sent_on=today
                )
                notify(
                    to=[action.owner.email],
                    subject=f"Due {action.due_date:%-d %B}: {action.title}",
                    template="action_due",
                    context={"action": action, "link": _action_link(action)},
                )
        except IntegrityError:
            report[-1] += " (already reminded)"
    return report


def overdue_digest_send(*, today: date | None = None, dry_run: bool = False) -> list[str]:
    """Once a week, e-mail each partner's members the overdue actions their partner leads."""
    today = today or timezone.localdate()
    year, week, _ = today.isocalendar()
    week_key = f"{year}-W{week:02d}"
    overdue = list(
        Action.objects.filter(status__in=Action.OPEN_STATUSES, due_date__lt=today)
        .select_related("lead_partner__system", "owner", "change")
        .order_by("lead_partner__name", "due_date")
    )
    by_partner: dict[int, list[Action]] = {}
    for action in overdue:
        by_partner.setdefault(action.lead_partner_id, []).append(action)
    emails = partner_member_emails(list(by_partner))
    report = []
    for partner_id, actions in by_partner.items():
        partner = actions[0].lead_partner
        report.append(f"{partner.system} / {partner}: {len(actions)} overdue action(s)")
        if dry_run:
            continue
        try:
            with transaction.atomic():
                OverdueDigestSent.objects.create(partner=partner, week=week_key, sent_on=today)
                notify(
                    to=emails.get(partner_id, []),
                    subject=f"{len(actions)} overdue improvement "
                    f"action{'s' if len(actions) != 1 else ''} for {partner}",
                    template="overdue_digest",
                    context={
                        "partner": partner,
                        "items": [(a, _action_link(a)) for a in actions],
                        "today": today,
                    },
                )
        except IntegrityError:
            report[-1] += " (digest already sent this week)"
    return report
