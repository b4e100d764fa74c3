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
)
from hicm_portal.notify import notify, portal_link

ROUND_NOT_DRAFT = "This round is open, so its set-up can no longer change."
RETURN_NOT_OPEN = "This return has been submitted or the round is no longer taking ratings."
RETURN_INCOMPLETE = "Rate every change before you submit. Still to rate: {codes}."
# Written to each rating's history, so the history says where a change came from.
SAVED_IN_THE_BROWSER = "saved in the browser"
REMINDER_WINDOW_DAYS = 3


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
    round_.save(update_fields=["status", "opened_at", "opened_by"])
    audit(round_, opened_by, "Opened the round for rating")
    returns = list(round_.returns.select_related("partner"))
    emails = partner_member_emails([r.partner_id for r in returns])
    change_count = Change.objects.filter(framework=round_.framework, archived=False).count()
    for partner_return in returns:
        partner_return.round = round_
        if not emails.get(partner_return.partner_id):
            continue
        notify(
            to=emails[partner_return.partner_id],
            subject=f"Rate the {round_.framework.short_title} for {partner_return.partner} by "
            + round_.closes_on.strftime("%-d %B %Y"),
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
    if change.framework_id != partner_return.round.framework_id or change.archived:
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
    if locked.submitted_at is not None:
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
        for change in Change.objects.filter(framework=round_.framework, archived=False)
        if change.pk not in ratings or not ratings[change.pk].is_complete
    ]
    if missing:
        raise ValidationError(RETURN_INCOMPLETE.format(codes=", ".join(missing)))
    locked.submitted_at = timezone.now()
    locked.submitted_by = submitted_by
    locked.save(update_fields=["submitted_at", "submitted_by"])
    audit(round_, submitted_by, f"Submitted {partner_return.partner}'s return")
    partner_return.submitted_at, partner_return.submitted_by = locked.submitted_at, submitted_by
    return partner_return


@transaction.atomic
def return_reopen(*, partner_return: PartnerReturn, reopened_by) -> PartnerReturn:
    """The facilitator reopens a submitted return (until the reveal); its members are told."""
    if not reopened_by.has_perm("assessments.reopen_return", partner_return):
        raise PermissionDenied
    locked = PartnerReturn.objects.select_for_update().get(pk=partner_return.pk)
    if locked.submitted_at is None:
        raise ValidationError("This return is not submitted, so it is already open.")
    locked.submitted_at = None
    locked.submitted_by = None
    locked.reopened_at = timezone.now()
    locked.reopened_by = reopened_by
    locked.save(update_fields=["submitted_at", "submitted_by", "reopened_at", "reopened_by"])
    audit(partner_return.round, reopened_by, f"Reopened {partner_return.partner}'s return")
    notify(
        to=partner_member_emails([partner_return.partner_id]).get(partner_return.partner_id, []),
        subject=f"Your {partner_return.round.name} return has been reopened",
        template="return_reopened",
        context={
            "round": partner_return.round,
            "partner": partner_return.partner,
            "reopened_by": reopened_by,
            "link": _return_link(partner_return),
        },
    )
    partner_return.submitted_at = None
    partner_return.reopened_at, partner_return.reopened_by = locked.reopened_at, reopened_by
    return partner_return


def reminders_send(*, today: date | None = None, dry_run: bool = False) -> list[str]:
    """E-mail the members of every partner whose return is due within 3 days or overdue.

    At most one reminder per partner per round per day however often this runs: the day's
    record is written in the same transaction as the decision to send.
    """
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
        with transaction.atomic():
            recipients = partner_member_emails([partner_return.partner_id]).get(
                partner_return.partner_id, []
            )
            days_left = (partner_return.round.closes_on - today).days
            line = (
                f"{partner_return.round.system} / {partner_return.round.name} / "
                f"{partner_return.partner}: {len(recipients)} recipient(s), "
                + (
                    f"due in {days_left} day(s)"
                    if days_left >= 0
                    else f"{-days_left} day(s) overdue"
                )
            )
            report.append(line)
            if dry_run or not recipients:
                continue
            try:
                with transaction.atomic():
                    ReminderSent.objects.create(
                        partner_return=partner_return, sent_on=today, recipients=len(recipients)
                    )
            except IntegrityError:
                report[-1] += " (already reminded today)"
                continue
            notify(
                to=recipients,
                subject=(
                    f"Overdue: your {partner_return.round.name} return"
                    if days_left < 0
                    else f"Reminder: your {partner_return.round.name} return is due "
                    f"{partner_return.round.closes_on.strftime('%-d %B %Y')}"
                ),
                template="return_reminder",
                context={
                    "round": partner_return.round,
                    "partner": partner_return.partner,
                    "days_left": days_left,
                    "overdue": days_left < 0,
                    "link": _return_link(partner_return),
                },
            )
    return report


def member_count(round_: Round) -> int:
    """How many people opening this round will e-mail."""
    return (
        Member.objects.filter(partner__returns__round=round_, user__is_active=True)
        .values("user")
        .distinct()
        .count()
    )
