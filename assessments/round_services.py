"""State changes of rounds and partners' returns: one function per user action, transactional.

Each checks permission and state, records who and when (ratings keep a full history), and
sends the e-mail its step calls for.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from assessments.framework_content import content_for_round
from assessments.framework_versions import version_newest
from assessments.models import (
    AuditEvent,
    Change,
    Framework,
    Level,
    Member,
    Partner,
    PartnerReturn,
    Rating,
    ReminderSent,
    Round,
    System,
    SystemRole,
)
from hicm_portal.notify import notify, portal_link
from hicm_portal.words import govuk_date, possessive

ROUND_NOT_DRAFT = "This round is open, so its set-up can no longer change."
RETURN_NOT_OPEN = "This return has been submitted or the round is no longer taking ratings."
RETURN_INCOMPLETE = "Rate every change before you submit. Still to rate: {codes}."
# Written to each rating's history, so the history says where a change came from.
SAVED_IN_THE_BROWSER = "saved in the browser"
REMINDER_WINDOW_DAYS = 3
ROUND_NOT_RATING = "This round is not taking ratings, so this can no longer be done."
CLOSING_DATE_IN_PAST = "The closing date must be today or in the future"
CLOSING_DATE_BEFORE_OPENING = "The closing date must be the same as or after the opening date"
CLOSING_DATE_UNCHANGED = "Enter a date different from the current closing date, {date}"
CANCEL_REASON_MISSING = "Enter why you are cancelling the round"
ROUND_NOT_CANCELLABLE = "Only a round in rating can be cancelled."
REOPEN_REASON_MISSING = "Enter why you are reopening the return"


def audit(round_: Round, actor, action: str, detail: str = "") -> AuditEvent:
    """One entry of the round's audit trail."""
    return AuditEvent.objects.create(round=round_, actor=actor, action=action, detail=detail)


@dataclass
class RoundDetails:
    name: str
    framework: Framework
    partners: list[Partner]
    opens_on: date
    closes_on: date
    quorum: int
    previous_round: Round | None = None


def check_round_details(system: System, details: RoundDetails, *, exclude_pk=None) -> None:
    """The rules a round's set-up meets, named by field (the form, the admin and the services
    ask the same)."""
    errors: dict[str, str] = {}
    if not details.name.strip():
        errors["name"] = "Enter a name for the round"
    elif Round.objects.filter(system=system, name=details.name.strip()).exclude(pk=exclude_pk):
        errors["name"] = "This system already has a round with that name"
    if not details.framework.levels.exists():
        errors["framework"] = "This framework has no maturity levels, so it cannot be rated"
    if not details.partners:
        errors["partners"] = "Select at least one partner"
    elif any(partner.system_id != system.pk for partner in details.partners):
        errors["partners"] = "Select partners of this system only"
    if details.closes_on < details.opens_on:
        errors["closes_on"] = "The closing date must be the same as or after the opening date"
    elif details.closes_on < timezone.localdate():
        errors["closes_on"] = "The closing date must be today or in the future"
    if details.quorum < 1:
        errors["quorum"] = "The quorum must be 1 or more"
    previous = details.previous_round
    if previous is not None and (
        previous.system_id != system.pk or previous.status != Round.Status.AGREED
    ):
        errors["previous_round"] = "Select an agreed round of this system"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def round_create(*, system: System, details: RoundDetails, created_by) -> Round:
    """A facilitator sets up a round in draft."""
    check_round_details(system, details)
    round_ = Round.objects.create(
        system=system,
        name=details.name.strip(),
        framework=details.framework,
        opens_on=details.opens_on,
        closes_on=details.closes_on,
        quorum=details.quorum,
        previous_round=details.previous_round,
        created_by=created_by,
    )
    PartnerReturn.objects.bulk_create(
        PartnerReturn(round=round_, partner=partner) for partner in details.partners
    )
    audit(round_, created_by, "Set up the round", f"{len(details.partners)} partners taking part")
    return round_


@transaction.atomic
def round_update(*, round_: Round, details: RoundDetails, updated_by) -> Round:
    """Change a draft round's set-up (from its page or the admin); once open it is fixed."""
    if not updated_by.has_perm("assessments.manage_round", round_):
        raise PermissionDenied
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if not round_.is_draft:
        raise ValidationError(ROUND_NOT_DRAFT)
    check_round_details(round_.system, details, exclude_pk=round_.pk)
    round_.name = details.name.strip()
    round_.framework = details.framework
    round_.opens_on = details.opens_on
    round_.closes_on = details.closes_on
    round_.quorum = details.quorum
    round_.previous_round = details.previous_round
    round_.save()
    wanted = {partner.pk for partner in details.partners}
    round_.returns.exclude(partner__in=wanted).delete()
    existing = set(round_.returns.values_list("partner_id", flat=True))
    PartnerReturn.objects.bulk_create(
        PartnerReturn(round=round_, partner=partner)
        for partner in details.partners
        if partner.pk not in existing
    )
    audit(round_, updated_by, "Changed the round's set-up", f"{len(wanted)} partners taking part")
    return round_


def partner_member_emails(partner_ids) -> dict[int, list[str]]:
    """The e-mail addresses of the active members of each partner, by partner id."""
    emails: dict[int, list[str]] = {}
    for partner_id, email in Member.objects.filter(
        partner__in=partner_ids, user__is_active=True
    ).values_list("partner_id", "user__email"):
        emails.setdefault(partner_id, []).append(email)
    return emails


def _return_link(partner_return: PartnerReturn) -> str:
    return portal_link(
        reverse(
            "return_tasks", args=[partner_return.round.public_id, partner_return.partner.public_id]
        )
    )


@transaction.atomic
def round_open(*, round_: Round, opened_by) -> Round:
    """Open a draft round for rating and e-mail every member of the taking-part partners."""
    round_ = (
        Round.objects.select_for_update().select_related("system", "framework").get(pk=round_.pk)
    )
    if not round_.is_draft:
        raise ValidationError("This round is already open.")
    if round_.closes_on < timezone.localdate():
        raise ValidationError(
            "The closing date has passed. Change the dates before you open the round."
        )
    round_.status = Round.Status.RATING
    round_.opened_at = timezone.now()
    round_.opened_by = opened_by
    # The round keeps the wording it opens with, whatever is loaded later.
    round_.framework_version = version_newest(round_.framework, actor=opened_by)
    round_.save(update_fields=["status", "opened_at", "opened_by", "framework_version"])
    audit(round_, opened_by, "Opened the round for rating")
    returns = list(round_.returns.select_related("partner"))
    emails = partner_member_emails([r.partner_id for r in returns])
    change_count = len(content_for_round(round_).live_changes)
    for partner_return in returns:
        partner_return.round = round_
        if not emails.get(partner_return.partner_id):
            continue
        notify(
            to=emails[partner_return.partner_id],
            subject=f"Rate the {round_.framework.short_title} for {partner_return.partner} by "
            + govuk_date(round_.closes_on),
            template="round_opened",
            context={
                "round": round_,
                "partner": partner_return.partner,
                "change_count": change_count,
                "link": _return_link(partner_return),
            },
        )
    return round_


class RatingConflict(Exception):
    """Someone else saved this rating after the form was loaded."""

    def __init__(self, saved: Rating):
        super().__init__("The rating was changed by someone else")
        self.saved = saved


@dataclass
class RatingInput:
    level: Level | None
    rationale: str
    evidence: list[dict]
    confidence: str


def rating_save(
    *,
    partner_return: PartnerReturn,
    change: Change,
    data: RatingInput,
    saved_by,
    expected_version: int,
    change_reason: str = SAVED_IN_THE_BROWSER,
) -> Rating:
    """Save one partner's rating of one change, as a draft or complete.

    `expected_version` is the version the person's form (or previewed spreadsheet) was built
    from. If someone saved in the meantime, RatingConflict carries the saved rating so the
    person can choose; nothing is overwritten silently. `change_reason` says in the rating's
    history where the save came from.
    """
    if not saved_by.has_perm("assessments.rate", partner_return):
        raise PermissionDenied
    if change.pk not in {c.pk for c in content_for_round(partner_return.round).live_changes}:
        raise ValidationError("This change is not part of the round.")
    if data.level is not None and data.level.framework_id != change.framework_id:
        raise ValidationError({"level": "Select a level of this round's framework"})
    try:
        with transaction.atomic():
            PartnerReturn.objects.select_for_update().filter(pk=partner_return.pk).first()
            rating = (
                Rating.objects.select_for_update()
                .filter(round=partner_return.round, partner=partner_return.partner, change=change)
                .first()
            )
            current_version = rating.version if rating else 0
            if current_version != expected_version:
                raise RatingConflict(rating)
            # Checked here, not only in the permission: a rating changes only while its round
            # is in rating, whoever asks (an agreed round is frozen).
            if not PartnerReturn.objects.filter(
                pk=partner_return.pk, submitted_at=None, round__status=Round.Status.RATING
            ).exists():
                raise ValidationError(RETURN_NOT_OPEN)
            if rating is None:
                rating = Rating(
                    round=partner_return.round, partner=partner_return.partner, change=change
                )
            rating.level = data.level
            rating.rationale = data.rationale.strip()
            rating.evidence = data.evidence
            rating.confidence = data.confidence
            rating.version = current_version + 1
            rating.updated_by = saved_by
            rating.updated_at = timezone.now()
            rating._change_reason = change_reason
            rating.full_clean()
            rating.save()
            return rating
    except IntegrityError:
        # Two first saves raced: the other one won, so this is a conflict like any other.
        saved = Rating.objects.filter(
            round=partner_return.round, partner=partner_return.partner, change=change
        ).first()
        if saved is None:  # not a race: a fault of its own
            raise
        raise RatingConflict(saved) from None


@transaction.atomic
def return_submit(*, partner_return: PartnerReturn, submitted_by) -> PartnerReturn:
    """Submit a partner's return once every change is rated; it becomes read-only."""
    if not submitted_by.has_perm("assessments.rate", partner_return):
        raise PermissionDenied
    locked = PartnerReturn.objects.select_for_update().get(pk=partner_return.pk)
    if (
        locked.submitted_at is not None
        or not Round.objects.filter(pk=locked.round_id, status=Round.Status.RATING).exists()
    ):
        raise ValidationError(RETURN_NOT_OPEN)
    round_ = partner_return.round
    ratings = {
        r.change_id: r
        for r in Rating.objects.filter(round=round_, partner=partner_return.partner).select_related(
            "level"
        )
    }
    missing = [
        change.code
        for change in content_for_round(round_).live_changes
        if change.pk not in ratings or not ratings[change.pk].is_complete
    ]
    if missing:
        raise ValidationError(RETURN_INCOMPLETE.format(codes=", ".join(missing)))
    locked.submitted_at = timezone.now()
    locked.submitted_by = submitted_by
    locked.save(update_fields=["submitted_at", "submitted_by"])
    audit(round_, submitted_by, f"Submitted {possessive(partner_return.partner)} return")
    partner_return.submitted_at, partner_return.submitted_by = locked.submitted_at, submitted_by
    _tell_return_submitted(partner_return, submitted_by)
    return partner_return


def _tell_return_submitted(partner_return: PartnerReturn, submitted_by) -> None:
    """The partner's other members, and the system's facilitators (who see that it came in and
    how many have, never what was rated)."""
    round_ = partner_return.round
    context = {
        "round": round_,
        "partner": partner_return.partner,
        "submitted_by": submitted_by,
        "submitted_at": timezone.localtime(partner_return.submitted_at),
    }
    subject = f"{partner_return.partner} has submitted its {round_.name} return"
    members = partner_member_emails([partner_return.partner_id]).get(partner_return.partner_id, [])
    notify(
        to=[email for email in members if email != submitted_by.email],
        subject=subject,
        template="return_submitted",
        context={**context, "link": _return_link(partner_return)},
    )
    facilitators = SystemRole.objects.filter(
        system=round_.system, role=SystemRole.Role.FACILITATOR, user__is_active=True
    ).exclude(user=submitted_by)
    returns = PartnerReturn.objects.filter(round=round_)
    notify(
        to=facilitators.values_list("user__email", flat=True),
        subject=subject,
        template="return_submitted",
        context={
            **context,
            "for_facilitators": True,
            "submitted_count": returns.exclude(submitted_at=None).count(),
            "return_count": returns.count(),
            "link": portal_link(reverse("round_detail", args=[round_.public_id])),
        },
    )


@transaction.atomic
def return_reopen(*, partner_return: PartnerReturn, reopened_by, reason: str) -> PartnerReturn:
    """The facilitator reopens a submitted return (until the reveal), saying why; its members
    are told, with the reason."""
    if not reopened_by.has_perm("assessments.reopen_return", partner_return):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": REOPEN_REASON_MISSING})
    locked = PartnerReturn.objects.select_for_update().get(pk=partner_return.pk)
    if locked.submitted_at is None:
        raise ValidationError("This return is not submitted, so it is already open.")
    if not Round.objects.filter(pk=locked.round_id, status=Round.Status.RATING).exists():
        raise ValidationError(ROUND_NOT_RATING)
    locked.submitted_at = None
    locked.submitted_by = None
    locked.reopened_at = timezone.now()
    locked.reopened_by = reopened_by
    locked.save(update_fields=["submitted_at", "submitted_by", "reopened_at", "reopened_by"])
    audit(
        partner_return.round,
        reopened_by,
        f"Reopened {possessive(partner_return.partner)} return",
        reason,
    )
    notify(
        to=partner_member_emails([partner_return.partner_id]).get(partner_return.partner_id, []),
        subject=f"Your {partner_return.round.name} return has been reopened",
        template="return_reopened",
        context={
            "round": partner_return.round,
            "partner": partner_return.partner,
            "reopened_by": reopened_by,
            "reason": reason,
            "link": _return_link(partner_return),
        },
    )
    partner_return.submitted_at = None
    partner_return.reopened_at, partner_return.reopened_by = locked.reopened_at, reopened_by
    return partner_return


@dataclass
class Reminder:
    """What reminding one partner's return came to."""

    partner_return: PartnerReturn
    recipients: int
    days_left: int
    sent: bool = False
    already_reminded: bool = False


def return_remind(*, partner_return: PartnerReturn, today: date, dry_run: bool = False) -> Reminder:
    """The one reminder rule, for the daily run and the facilitator's reminder now alike:
    e-mail the members of a partner whose return is not submitted, at most once a day per
    partner and round. The day's record (ReminderSent) is written in the same transaction as
    the decision to send, so two runs at once send one reminder."""
    round_ = partner_return.round
    recipients = partner_member_emails([partner_return.partner_id]).get(
        partner_return.partner_id, []
    )
    reminder = Reminder(
        partner_return=partner_return,
        recipients=len(recipients),
        days_left=(round_.closes_on - today).days,
    )
    if dry_run or not recipients:
        return reminder
    with transaction.atomic():
        try:
            with transaction.atomic():
                ReminderSent.objects.create(
                    partner_return=partner_return, sent_on=today, recipients=len(recipients)
                )
        except IntegrityError:
            reminder.already_reminded = True
            return reminder
        notify(
            to=recipients,
            subject=(
                f"Overdue: your {round_.name} return"
                if reminder.days_left < 0
                else f"Reminder: your {round_.name} return is due {govuk_date(round_.closes_on)}"
            ),
            template="return_reminder",
            context={
                "round": round_,
                "partner": partner_return.partner,
                "days_left": reminder.days_left,
                "overdue": reminder.days_left < 0,
                "link": _return_link(partner_return),
            },
        )
    reminder.sent = True
    return reminder


def reminders_send(*, today: date | None = None, dry_run: bool = False) -> list[str]:
    """E-mail the members of every partner whose return is due within 3 days or overdue,
    by the one reminder rule (`return_remind`): at most once a day per partner, however often
    this runs."""
    today = today or timezone.localdate()
    due = (
        PartnerReturn.objects.filter(
            round__status=Round.Status.RATING,
            submitted_at=None,
            round__closes_on__lte=today + timedelta(days=REMINDER_WINDOW_DAYS),
        )
        .exclude(reminders__sent_on=today)
        .select_related("round__system", "round__framework", "partner")
    )
    report = []
    for partner_return in due:
        reminder = return_remind(partner_return=partner_return, today=today, dry_run=dry_run)
        days_left = reminder.days_left
        line = (
            f"{partner_return.round.system} / {partner_return.round.name} / "
            f"{partner_return.partner}: {reminder.recipients} recipient(s), "
            + (f"due in {days_left} day(s)" if days_left >= 0 else f"{-days_left} day(s) overdue")
        )
        if reminder.already_reminded:
            line += " (already reminded today)"
        report.append(line)
    return report


@dataclass
class ReminderPlan:
    """Whom a reminder now would e-mail, and whom not and why, by partner."""

    to_remind: list[Partner]
    reminded_today: list[Partner]
    without_members: list[Partner]


def reminder_plan(round_: Round, *, today: date | None = None) -> ReminderPlan:
    """What `round_remind_now` would do today: the partners of the round that have not
    submitted, less those already reminded today and those with nobody to e-mail."""
    today = today or timezone.localdate()
    returns = list(
        round_.returns.filter(submitted_at=None).select_related("partner").order_by("partner__name")
    )
    reminded = set(
        ReminderSent.objects.filter(partner_return__in=returns, sent_on=today).values_list(
            "partner_return_id", flat=True
        )
    )
    emails = partner_member_emails([r.partner_id for r in returns])
    plan = ReminderPlan(to_remind=[], reminded_today=[], without_members=[])
    for partner_return in returns:
        if partner_return.pk in reminded:
            plan.reminded_today.append(partner_return.partner)
        elif not emails.get(partner_return.partner_id):
            plan.without_members.append(partner_return.partner)
        else:
            plan.to_remind.append(partner_return.partner)
    return plan


@transaction.atomic
def round_remind_now(*, round_: Round, reminded_by, today: date | None = None) -> ReminderPlan:
    """The facilitator reminds now every partner of a round in rating that has not submitted,
    by the same rule as the daily reminders (`return_remind`): a partner already reminded
    today is skipped. Returns whom it reminded and whom it skipped."""
    if not reminded_by.has_perm("assessments.manage_round", round_):
        raise PermissionDenied
    today = today or timezone.localdate()
    locked = (
        Round.objects.select_for_update().select_related("system", "framework").get(pk=round_.pk)
    )
    if not locked.is_rating:
        raise ValidationError(ROUND_NOT_RATING)
    done = ReminderPlan(to_remind=[], reminded_today=[], without_members=[])
    returns = locked.returns.filter(submitted_at=None).select_related("partner")
    for partner_return in returns.order_by("partner__name"):
        partner_return.round = locked
        reminder = return_remind(partner_return=partner_return, today=today)
        if reminder.sent:
            done.to_remind.append(partner_return.partner)
        elif reminder.already_reminded:
            done.reminded_today.append(partner_return.partner)
        else:
            done.without_members.append(partner_return.partner)
    audit(
        locked,
        reminded_by,
        "Sent a reminder now",
        "Reminded: " + (", ".join(str(p) for p in done.to_remind) or "nobody"),
    )
    return done


@transaction.atomic
def round_closing_date_change(*, round_: Round, closes_on: date, changed_by) -> Round:
    """The facilitator moves the closing date of a round in rating; the members of every
    partner taking part are told the new date."""
    if not changed_by.has_perm("assessments.manage_round", round_):
        raise PermissionDenied
    locked = (
        Round.objects.select_for_update().select_related("system", "framework").get(pk=round_.pk)
    )
    if not locked.is_rating:
        raise ValidationError(ROUND_NOT_RATING)
    if closes_on < timezone.localdate():
        raise ValidationError({"closes_on": CLOSING_DATE_IN_PAST})
    if closes_on < locked.opens_on:
        raise ValidationError({"closes_on": CLOSING_DATE_BEFORE_OPENING})
    if closes_on == locked.closes_on:
        raise ValidationError(
            {"closes_on": CLOSING_DATE_UNCHANGED.format(date=govuk_date(locked.closes_on))}
        )
    previous = locked.closes_on
    locked.closes_on = closes_on
    locked.save(update_fields=["closes_on"])
    audit(
        locked,
        changed_by,
        "Changed the closing date",
        f"From {govuk_date(previous)} to {govuk_date(closes_on)}",
    )
    returns = list(locked.returns.select_related("partner"))
    emails = partner_member_emails([r.partner_id for r in returns])
    for partner_return in returns:
        partner_return.round = locked
        notify(
            to=emails.get(partner_return.partner_id, []),
            subject=f"New closing date for {locked.name}: {govuk_date(closes_on)}",
            template="round_closing_date_changed",
            context={
                "round": locked,
                "partner": partner_return.partner,
                "previous_closes_on": previous,
                "submitted": partner_return.is_submitted,
                "link": _return_link(partner_return),
            },
        )
    return locked


@transaction.atomic
def round_cancel(*, round_: Round, cancel_reason: str, cancelled_by) -> Round:
    """The facilitator cancels a round in rating, saying why. It stays, read-only, with its
    audit trail; every later write refuses it (each checks the round is in rating or later).
    Everyone taking part is told: the partners' members, the steering committee and the other
    facilitators."""
    if not cancelled_by.has_perm("assessments.manage_round", round_):
        raise PermissionDenied
    locked = (
        Round.objects.select_for_update().select_related("system", "framework").get(pk=round_.pk)
    )
    if not locked.is_rating:
        raise ValidationError(ROUND_NOT_CANCELLABLE)
    if not cancel_reason.strip():
        raise ValidationError({"cancel_reason": CANCEL_REASON_MISSING})
    locked.status = Round.Status.CANCELLED
    locked.cancelled_at = timezone.now()
    locked.cancelled_by = cancelled_by
    locked.cancel_reason = cancel_reason.strip()
    locked.full_clean()
    locked.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
    audit(locked, cancelled_by, "Cancelled the round", locked.cancel_reason)
    members = Member.objects.filter(partner__returns__round=locked, user__is_active=True)
    roles = SystemRole.objects.filter(system=locked.system, user__is_active=True)
    notify(
        to=[
            email
            for email in [
                *members.values_list("user__email", flat=True),
                *roles.values_list("user__email", flat=True),
            ]
            if email != cancelled_by.email
        ],
        subject=f"{locked.system} has cancelled the round {locked.name}",
        template="round_cancelled",
        context={
            "round": locked,
            "link": portal_link(reverse("round_detail", args=[locked.public_id])),
        },
    )
    return locked


def member_count(round_: Round) -> int:
    """How many people opening this round will e-mail."""
    return (
        Member.objects.filter(partner__returns__round=round_, user__is_active=True)
        .values("user")
        .distinct()
        .count()
    )
