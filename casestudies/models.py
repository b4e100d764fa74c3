"""The practice library: case studies of systems that made a change, linked to the changes they
show, so a system with a gap can learn from one that has closed it."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from casestudies.rules import is_site_administrator, systems_facilitated_by

FIGURES_MAX = 8
FIGURE_MAX_CHARACTERS = 100
# Paths under /case-studies/ that are pages, not case studies.
RESERVED_SLUGS = frozenset({"new"})

SOURCE_URL_MESSAGE = (
    "Enter a web address that starts with http:// or https://, like https://www.example.org/report"
)
LEVEL_FRAMEWORK_MESSAGE = (
    "Select a level of the same framework as the changes you chose ({frameworks}), or no level"
)
CHANGES_REQUIRED_MESSAGE = "Select at least one change this case study shows"


class CaseStudyQuerySet(models.QuerySet):
    def published(self) -> "CaseStudyQuerySet":
        return self.filter(status=CaseStudy.Status.PUBLISHED)

    def visible_to(self, user) -> "CaseStudyQuerySet":
        """Published case studies for everyone logged in; drafts too for those who may edit
        them: site administrators every draft, facilitators the drafts of their systems."""
        if not user.is_authenticated:
            return self.none()
        if is_site_administrator(user):
            return self.all()
        return self.filter(
            models.Q(status=CaseStudy.Status.PUBLISHED)
            | models.Q(system__in=systems_facilitated_by(user))
        )


class CaseStudy(models.Model):
    """What one place did about one or more changes, and what came of it."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=100, unique=True, help_text="The case study's web address.")
    title = models.CharField(max_length=200)
    place = models.CharField(max_length=150, help_text="The area or system, in its own words.")
    organisations = models.TextField(blank=True, help_text="Who took part.")
    changes = models.ManyToManyField(
        "assessments.Change",
        related_name="case_studies",
        help_text="The changes it shows. It also shows beside the matching change of an "
        "earlier or later version of the framework.",
    )
    level = models.ForeignKey(
        "assessments.Level",
        null=True,
        blank=True,
        # Reloading a framework may drop a level; the case study keeps everything else.
        on_delete=models.SET_NULL,
        related_name="case_studies",
        help_text="The maturity level it shows, on the scale of its changes' framework.",
    )
    summary = models.TextField()
    what_they_did = models.TextField("what they did")
    outcomes = models.TextField()
    figures = models.JSONField(
        default=list,
        blank=True,
        help_text=f"Up to {FIGURES_MAX} short facts, like “Reablement episode: 23 → 15 days”.",
    )
    source_url = models.URLField(
        "source",
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"], message=SOURCE_URL_MESSAGE)],
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    system = models.ForeignKey(
        "assessments.System",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_studies",
        help_text="The system that wrote it: only its facilitators change it. Empty for the "
        "shared library, which site administrators curate.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case_studies_created",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseStudyQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[changes])

    class Meta:
        ordering = ["title"]
        verbose_name = "case study"
        verbose_name_plural = "case studies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "published"]),
                name="case_study_status_valid",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.slug in RESERVED_SLUGS:
            errors["slug"] = f"The web address {self.slug!r} is taken by a page: choose another"
        problem = figures_problem(self.figures)
        if problem:
            errors["figures"] = problem
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def check_links(changes, level) -> None:
        """The changes a case study shows, and its level, before they are saved: at least one
        change, and a level only on the scale of those changes' framework(s)."""
        changes = list(changes)
        if not changes:
            raise ValidationError(
                {"changes": ValidationError(CHANGES_REQUIRED_MESSAGE, code="required")}
            )
        framework_ids = {change.framework_id for change in changes}
        if level is not None and level.framework_id not in framework_ids:
            names = sorted({str(change.framework) for change in changes})
            message = LEVEL_FRAMEWORK_MESSAGE.format(frameworks=", ".join(names))
            raise ValidationError({"level": ValidationError(message, code="level_framework")})


def figures_problem(figures) -> str:
    """What is wrong with a list of figures, or "" when nothing is."""
    if not isinstance(figures, list) or not all(isinstance(item, str) for item in figures):
        return "Figures must be a list of short text"
    if len(figures) > FIGURES_MAX:
        return f"Give at most {FIGURES_MAX} figures"
    if any(not item.strip() for item in figures):
        return "A figure cannot be blank"
    if any(len(item) > FIGURE_MAX_CHARACTERS for item in figures):
        return f"Each figure must be {FIGURE_MAX_CHARACTERS} characters or fewer"
    return ""
