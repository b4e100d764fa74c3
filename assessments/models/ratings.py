"""A partner's ratings in a round: one level per change, with rationale, evidence and confidence.

While the round is in rating, a partner's ratings are visible to that partner's members only:
every read of ratings goes through `assessments.selectors`, which enforce that. Whether a rating
is complete is decided here once (`Rating.missing_parts`), for the task list, submission, the
rating form and the spreadsheet upload alike.
"""

from urllib.parse import urlparse

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from assessments.models.frameworks import Change, Level
from assessments.models.people import Partner
from assessments.models.rounds import Round
from hicm_portal.validators import text_limits


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
