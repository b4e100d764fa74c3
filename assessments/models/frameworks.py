"""The framework library: frameworks, their levels, groups, changes, actions, descriptors and
the crosswalk between editions. Loaded from YAML by `assessments.framework_loader`."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

# Levels at or above this number (Mature, Exemplary) need evidence behind a rating, and a
# rationale behind an agreed level and in the BCF return. Ask a level: `level.needs_evidence`.
EVIDENCE_FROM_LEVEL = 4


class Framework(models.Model):
    """One published model: a stable key and the integer version of its loaded content."""

    key = models.SlugField(max_length=60, unique=True, help_text="Stable key, never changes.")
    version = models.PositiveIntegerField(
        validators=[MinValueValidator(1)], help_text="Revision of the loaded content."
    )
    title = models.CharField(max_length=200)
    short_title = models.CharField(max_length=100)
    publisher = models.CharField(max_length=200)
    year = models.PositiveIntegerField()
    complete = models.BooleanField(
        default=True, help_text="False when the source does not hold every change."
    )
    source_note = models.TextField(blank=True)
    predecessor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successors",
        help_text="The earlier framework whose changes the crosswalk maps into this one.",
    )
    loaded_at = models.DateTimeField(default=timezone.now)
    introduction = models.TextField(
        blank=True, help_text="The model's own introduction, shown on its page."
    )
    principles = models.JSONField(
        default=list,
        blank=True,
        help_text="The principles the model is built on: a list of {title, text}.",
    )
    measuring_success = models.TextField(
        blank=True, help_text="The model's advice on measuring success, shown on its page."
    )
    rate_enablers = models.BooleanField(
        default=False,
        help_text="Rounds of this framework rate its enablers (changes of kind enabler) as well "
        "as its changes.",
    )

    class Meta:
        ordering = ["short_title", "-year"]

    def __str__(self) -> str:
        return self.short_title


class Level(models.Model):
    """A step of a framework's scale, e.g. 3 Established."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="levels")
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    name = models.CharField(max_length=60)
    definition = models.TextField()

    class Meta:
        ordering = ["framework", "number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="level_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def needs_evidence(self) -> bool:
        """A claim of this level needs evidence (a rating) or a rationale (an agreed level)."""
        return self.number >= EVIDENCE_FROM_LEVEL


class Group(models.Model):
    """An optional grouping of changes: a goal, an enabler or a phase."""

    class Kind(models.TextChoices):
        GOAL = "goal", "Goal"
        ENABLER = "enabler", "Enabler"
        PHASE = "phase", "Phase"

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="groups")
    code = models.CharField(max_length=20)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="group_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code}: {self.title}"


class Change(models.Model):
    """One high impact change, or an enabler rated like one. Archived, never deleted, once a
    newer file drops it."""

    class Kind(models.TextChoices):
        CHANGE = "change", "Change"
        ENABLER = "enabler", "Enabler"

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="changes")
    code = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    i_statement = models.TextField("I statement", blank=True)
    we_statement = models.TextField("We statement", blank=True)
    tips = models.JSONField("tips for success", default=list, blank=True)
    suggested_measures = models.JSONField(
        default=list,
        blank=True,
        help_text="Measures the framework suggests for this change: a list of {name, unit}.",
    )
    groups = models.ManyToManyField(Group, blank=True, related_name="changes")
    kind = models.CharField(
        max_length=10,
        choices=Kind.choices,
        default=Kind.CHANGE,
        help_text="An enabler is rated only where its framework rates enablers.",
    )
    position = models.PositiveIntegerField(default=0)
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="change_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"

    @property
    def heading(self) -> str:
        """As pages head it: "4. Home first", or "Enabler A: Leadership"."""
        if self.kind == self.Kind.ENABLER:
            return f"Enabler {self.code}: {self.title}"
        return str(self)

    def clean(self) -> None:
        if not isinstance(self.tips, list) or not all(isinstance(t, str) for t in self.tips):
            raise ValidationError({"tips": "Tips must be a list of text."})


class ChangeAction(models.Model):
    """A numbered action of a change ("F1"), with the points by which it can be achieved."""

    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="actions")
    code = models.CharField(max_length=20)
    title = models.TextField()
    points = models.JSONField(default=list, blank=True)
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    position = models.PositiveIntegerField(default=0)
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["change", "position"]
        verbose_name = "framework action"
        constraints = [
            models.UniqueConstraint(fields=["change", "code"], name="change_action_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Descriptor(models.Model):
    """What one change looks like at one level: a cell of the maturity matrix."""

    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="descriptors")
    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="descriptors")
    text = models.TextField()

    class Meta:
        ordering = ["change", "level__number"]
        constraints = [
            models.UniqueConstraint(fields=["change", "level"], name="descriptor_unique")
        ]

    def __str__(self) -> str:
        return f"{self.change.code} × {self.level}"

    def clean(self) -> None:
        if self.change_id and self.level_id and self.change.framework_id != self.level.framework_id:
            raise ValidationError("A descriptor's change and level must be of one framework.")


class Crosswalk(models.Model):
    """Maps a change of one framework to a change of its successor, so trends survive a refresh."""

    from_change = models.ForeignKey(
        Change, on_delete=models.CASCADE, related_name="crosswalk_forward"
    )
    to_change = models.ForeignKey(
        Change, on_delete=models.CASCADE, related_name="crosswalk_backward"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_change", "to_change"], name="crosswalk_unique")
        ]

    def __str__(self) -> str:
        return f"{self.from_change} → {self.to_change}"


class FrameworkVersion(models.Model):
    """One version of a framework's wording, kept whole: levels, groups, changes with their
    actions and descriptors, as partners read them. A round shows the version it opened with,
    whatever is loaded later (`Round.framework_version`); the newest version is what the
    framework's rows hold now."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    content = models.JSONField(help_text="The whole wording of this version.")
    source = models.CharField(
        max_length=300, help_text="Where it came from: a file's name, an upload, an edit."
    )
    created_by = models.ForeignKey(
        "hicm_portal.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["framework", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "number"], name="framework_version_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.framework} — wording version {self.number}"
