"""Rounds of self-assessment, each partner's return, its ratings, and the agreed consensus.

A round moves draft → rating → review → approval → agreed (DESIGN §4). While it is in rating,
a partner's ratings are visible to that partner's members only: every read of ratings goes
through `assessments.selectors`, which enforce that.
"""

import uuid
from urllib.parse import urlparse

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from assessments.models.frameworks import Change, Framework, Level
from assessments.models.people import Partner, System
from hicm_portal.validators import text_limits


class RoundQuerySet(models.QuerySet):
    def visible_to(self, user) -> "RoundQuerySet":
        """The rounds a person may see: the one rule of who sees a round (DESIGN §3).

        Facilitators of its system see a round in every state, drafts included; its partner
        members and steering members once it is open (not a draft); regional viewers of its
        region once it is agreed. `assessments.rules.can_view_round` asks the same of one round
        from the person's roles, and a test holds the two together.
        """
        # The person's roles are read once per request (and shared with the permission
        # checks), so the rule filters on their ids rather than on subqueries.
        from assessments.rules import roles_of

        roles = roles_of(user)
        taking_part = {*roles.partner_ids_by_system, *roles.steering_of}
        return self.filter(
            Q(system_id__in=roles.facilitator_of)
            | (~Q(status=Round.Status.DRAFT) & Q(system_id__in=taking_part))
            | Q(status=Round.Status.AGREED, system__region_id__in=roles.viewer_of_regions)
        )


class Round(models.Model):
    """One self-assessment exercise of one system against one framework."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        RATING = "rating", "Rating"
        REVIEW = "review", "Review"
        APPROVAL = "approval", "Approval"
        AGREED = "agreed", "Agreed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    system = models.ForeignKey(System, on_delete=models.PROTECT, related_name="rounds")
    name = models.CharField(max_length=100)
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="rounds")
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


class PartnerReturnQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PartnerReturnQuerySet":
        """The returns of the rounds a person may see. Seeing that a return exists is not
        reading its ratings: while rating, those are its partner's members' alone
        (`assessments.view_return`)."""
        return self.filter(round__in=Round.objects.visible_to(user))


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
        return f"{self.partner}'s return for {self.round.name}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


def clean_evidence(value) -> list[dict]:
    """Evidence is a list of {"title", "url"}; every address must be a web address."""
    if not isinstance(value, list):
        raise ValidationError("Evidence must be a list of links.")
    cleaned = []
    for index, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            raise ValidationError(f"Evidence link {index} must have a title and a web address.")
        title = str(item.get("title") or "").strip()
        url = str(item.get("url") or "").strip()
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValidationError(
                f"Evidence link {index}: enter a web address starting with https:// or http://"
            )
        cleaned.append({"title": title or url, "url": url})
    return cleaned


class Rating(models.Model):
    """One partner's level for one change in one round, with rationale, evidence, confidence.

    `version` goes up on every save, so two people editing at once can be told apart from a
    stale form (see `assessments.services.rating_save`).
    """

    class Confidence(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="ratings")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="ratings")
    change = models.ForeignKey(Change, on_delete=models.PROTECT, related_name="ratings")
    level = models.ForeignKey(
        Level, null=True, blank=True, on_delete=models.PROTECT, related_name="ratings"
    )
    rationale = models.TextField(blank=True, validators=text_limits("Rationale"))
    evidence = models.JSONField(default=list, blank=True)
    confidence = models.CharField(max_length=6, choices=Confidence.choices, blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["round", "partner", "change__position"]
        constraints = [
            models.UniqueConstraint(fields=["round", "partner", "change"], name="rating_unique")
        ]

    def __str__(self) -> str:
        return f"{self.partner} on {self.change.code} in {self.round.name}"

    def clean(self) -> None:
        self.evidence = clean_evidence(self.evidence)
        if self.level_id and self.change_id and self.level.framework_id != self.change.framework_id:
            raise ValidationError({"level": "Select a level of this round's framework"})

    @staticmethod
    def missing_parts(
        *, level: Level | None, rationale: str, confidence: str, evidence: list
    ) -> list[str]:
        """What a rating with these values lacks to be complete, in the order a person fills
        them in: "level", "rationale", "confidence", and "evidence" where the level needs it.

        The one rule of completeness: the task list, submission, the rating form and the
        spreadsheet upload all ask this, each wording the answer its own way.
        """
        missing = []
        if level is None:
            missing.append("level")
        if not (rationale or "").strip():
            missing.append("rationale")
        if not confidence:
            missing.append("confidence")
        if level is not None and level.needs_evidence and not evidence:
            missing.append("evidence")
        return missing

    @property
    def needs_evidence(self) -> bool:
        return self.level_id is not None and self.level.needs_evidence

    @property
    def is_complete(self) -> bool:
        """Rated: a level, a rationale, a confidence, and evidence where the level needs it."""
        return not self.missing_parts(
            level=self.level if self.level_id else None,
            rationale=self.rationale,
            confidence=self.confidence,
            evidence=self.evidence,
        )

    @property
    def is_started(self) -> bool:
        return bool(self.level_id or self.rationale.strip() or self.evidence or self.confidence)


class Consensus(models.Model):
    """The system's agreed level for one change in one round: the facilitator's proposal, the
    planned level and date, the BCF fields, and the steering committee's decisions.

    `version` goes up whenever the proposal changes; approvals count only for the current
    version, so changing a proposal (or a return) clears its approvals while keeping them on
    record.
    """

    class State(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        RETURNED = "returned", "Returned to review"
        APPROVED = "approved", "Approved"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="consensus")
    change = models.ForeignKey(Change, on_delete=models.PROTECT, related_name="consensus")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+")
    rationale = models.TextField(blank=True, validators=text_limits("Rationale"))
    planned_level = models.ForeignKey(
        Level, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    planned_by = models.DateField(null=True, blank=True)
    challenges = models.TextField(blank=True, validators=text_limits("Challenges"))
    milestones = models.TextField(
        "milestones met / observed impact",
        blank=True,
        validators=text_limits("Milestones met and observed impact"),
    )
    support_needs = models.TextField(blank=True, validators=text_limits("Support needs"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.PROPOSED)
    version = models.PositiveIntegerField(default=1)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "consensus"
        constraints = [models.UniqueConstraint(fields=["round", "change"], name="consensus_unique")]

    def __str__(self) -> str:
        return f"{self.round}: {self.change.code} at {self.level}"

    @property
    def gap(self) -> int:
        """How many levels the plan means to climb: the planned level above the agreed one
        (0 when nothing is planned). The plan, its flags and the BCF return all use this."""
        if self.planned_level is None:
            return 0
        return max(0, self.planned_level.number - self.level.number)


class Dissent(models.Model):
    """A partner's recorded disagreement with the proposed level: kept, never erased."""

    consensus = models.ForeignKey(Consensus, on_delete=models.CASCADE, related_name="dissents")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(validators=text_limits("Dissent", characters=2000, lines=20))

    history = HistoricalRecords()

    class Meta:
        ordering = ["partner__name"]
        constraints = [
            models.UniqueConstraint(fields=["consensus", "partner"], name="dissent_unique")
        ]

    def __str__(self) -> str:
        return f"{self.partner} dissents on {self.consensus.change.code}"


class Decision(models.Model):
    """A steering committee member's approval or return of one version of a proposal."""

    class Kind(models.TextChoices):
        APPROVE = "approve", "Approved"
        RETURN = "return", "Returned"

    consensus = models.ForeignKey(Consensus, on_delete=models.CASCADE, related_name="decisions")
    proposal_version = models.PositiveIntegerField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.TextField(blank=True, validators=text_limits("Reason"))
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["consensus", "proposal_version", "decided_by"],
                name="one_decision_per_person_per_proposal",
            ),
            models.CheckConstraint(
                condition=~Q(kind="return") | ~Q(reason=""), name="a_return_has_a_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decided_by} {self.get_kind_display().lower()} {self.consensus}"


class Comment(models.Model):
    """A post in the discussion of one change during review; edits are kept in history."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="comments")
    change = models.ForeignKey(Change, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(validators=text_limits("Comment", lines=None))
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["round", "change"])]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.change.code}"


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
