"""The review of a round after the reveal: discussion, the agreed consensus, and its approval.

For each change the partners discuss (`Comment`), the facilitator proposes the system's level
(`Consensus`), a partner may record its disagreement (`Dissent`), and steering committee members
approve or return each version of the proposal (`Decision`).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from assessments.models.frameworks import Change, Level
from assessments.models.people import Partner
from assessments.models.rounds import Round
from hicm_portal.validators import text_limits


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
        # The region and national pages read the agreed levels of a few hundred rounds at once
        # (regions.selectors): with the level in the index, the database answers from the
        # index alone, without a read of each row.
        indexes = [models.Index(fields=["round", "change", "level"], name="consensus_levels")]

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
