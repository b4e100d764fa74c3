"""Rounds of self-assessment, each partner's return, and a round's audit trail and reminders.

A round moves draft → rating → review → approval → agreed (DESIGN §4); a round in rating can
instead be cancelled, and then stays, read-only, with its audit trail. While it is in rating,
a partner's ratings (`assessments.models.ratings`) are visible to that partner's members only:
every read of ratings goes through `assessments.selectors`, which enforce that. The review and
the agreed consensus are `assessments.models.consensus`.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from assessments.models.frameworks import Framework
from assessments.models.people import Partner, System
from hicm_portal.validators import text_limits
from hicm_portal.words import possessive


def visible_rounds_q(user, via: str = "") -> Q:
    """The one rule of who sees a round (DESIGN §3), as a filter on rounds, or on what is
    reached from a round through `via` (e.g. "round__" for returns), so that no query needs a
    subquery to apply it.

    Facilitators of its system see a round in every state, drafts included; its partner
    members and steering members once it is open (not a draft); regional viewers of its
    region, and national viewers, once it is agreed. `assessments.rules.can_view_round` asks
    the same of one round from the person's roles, and a test holds the two together.
    """
    # The person's roles are read once per request (and shared with the permission checks),
    # so the rule filters on their ids rather than on subqueries.
    from assessments.rules import roles_of

    roles = roles_of(user)
    taking_part = {*roles.partner_ids_by_system, *roles.steering_of}
    # Only the clauses the person has roles for: most people hold one kind of role.
    rule = Q(pk__in=[])  # nobody sees anything without a role
    if roles.facilitator_of:
        rule |= Q(**{f"{via}system_id__in": roles.facilitator_of})
    if taking_part:
        rule |= ~Q(**{f"{via}status": Round.Status.DRAFT}) & Q(
            **{f"{via}system_id__in": taking_part}
        )
    if roles.national:
        rule |= Q(**{f"{via}status": Round.Status.AGREED})
    elif roles.viewer_of_regions:
        rule |= Q(
            **{
                f"{via}status": Round.Status.AGREED,
                f"{via}system__region_id__in": roles.viewer_of_regions,
            }
        )
    return rule


class RoundQuerySet(models.QuerySet):
    def visible_to(self, user) -> "RoundQuerySet":
        """The rounds a person may see (`visible_rounds_q`)."""
        return self.filter(visible_rounds_q(user))


class Round(models.Model):
    """One self-assessment exercise of one system against one framework."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        RATING = "rating", "Rating"
        REVIEW = "review", "Review"
        APPROVAL = "approval", "Approval"
        AGREED = "agreed", "Agreed"
        CANCELLED = "cancelled", "Cancelled"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    system = models.ForeignKey(System, on_delete=models.PROTECT, related_name="rounds")
    name = models.CharField(max_length=100)
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="rounds")
    framework_version = models.ForeignKey(
        "assessments.FrameworkVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rounds",
        help_text="The wording the round opened with; empty while a draft, which shows the newest.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    opens_on = models.DateField()
    closes_on = models.DateField()
    quorum = models.PositiveSmallIntegerField(
        help_text="How many steering committee approvals agree a change."
    )
    previous_round = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_rounds",
        help_text="The agreed round whose levels partners see as context.",
    )
    partners = models.ManyToManyField(Partner, through="PartnerReturn", related_name="rounds")
    recorded_afterwards = models.BooleanField(
        default=False,
        help_text="Agreed before the portal and recorded in it afterwards: no partner ratings.",
    )
    approval_note = models.CharField(
        "approved by",
        max_length=200,
        blank=True,
        help_text="Who approved a round recorded afterwards, and where, e.g. "
        '"Health and Wellbeing Board, 12 September 2019".',
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revealed_at = models.DateTimeField(null=True, blank=True)
    revealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_for_approval_at = models.DateTimeField(null=True, blank=True)
    agreed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancel_reason = models.TextField(
        blank=True,
        validators=text_limits("Reason for cancelling", characters=1000, lines=20),
        help_text="Why the facilitator cancelled the round, as told to all taking part.",
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="workshops_attended",
        help_text="Who took part in the consensus workshop.",
    )
    attendance_note = models.TextField(
        blank=True,
        validators=text_limits("Others attending, and apologies", characters=1000, lines=20),
        help_text="Others who attended the workshop (guests, apologies).",
    )

    objects = RoundQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["system", "-opens_on", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["system", "name"], name="round_name_unique"),
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="round_dates_in_order"
            ),
            models.CheckConstraint(condition=Q(quorum__gte=1), name="round_quorum_positive"),
        ]
        indexes = [models.Index(fields=["system", "status"])]

    def __str__(self) -> str:
        return f"{self.system}: {self.name}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_rating(self) -> bool:
        return self.status == self.Status.RATING

    @property
    def is_overdue(self) -> bool:
        return self.is_rating and timezone.localdate() > self.closes_on

    @property
    def is_revealed(self) -> bool:
        return self.status in (self.Status.REVIEW, self.Status.APPROVAL, self.Status.AGREED)

    @property
    def is_agreed(self) -> bool:
        return self.status == self.Status.AGREED

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class PartnerReturnQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PartnerReturnQuerySet":
        """The returns of the rounds a person may see. Seeing that a return exists is not
        reading its ratings: while rating, those are its partner's members' alone
        (`assessments.view_return`)."""
        return self.filter(visible_rounds_q(user, via="round__"))


class PartnerReturn(models.Model):
    """A partner's part in a round: taking part, and whether it has submitted its ratings."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="returns")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="returns")
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    missing_at_reveal = models.BooleanField(
        default=False, help_text="The round was revealed before this partner submitted."
    )

    objects = PartnerReturnQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "partner__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "partner"], name="partner_return_unique")
        ]

    def __str__(self) -> str:
        return f"{possessive(self.partner)} return for {self.round.name}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class AuditEvent(models.Model):
    """One entry of a round's audit trail: who did what, when."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=40)
    detail = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["round", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class ReminderSent(models.Model):
    """At most one reminder per partner per round per day, however often reminders run."""

    partner_return = models.ForeignKey(
        PartnerReturn, on_delete=models.CASCADE, related_name="reminders"
    )
    sent_on = models.DateField()
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner_return", "sent_on"], name="one_reminder_a_day")
        ]

    def __str__(self) -> str:
        return f"Reminder to {self.partner_return.partner} on {self.sent_on}"
