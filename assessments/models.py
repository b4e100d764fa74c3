"""People, places and the framework library.

A System is the tenant: nothing crosses between systems except for regional viewers of its region.
Frameworks are data loaded from `fixtures/frameworks/*.yaml` (see `assessments.framework_loader`).
"""

import hashlib
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

# ---------------------------------------------------------------------------
# Frameworks


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
    """One high impact change. Archived, never deleted, once a newer file drops it."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="changes")
    code = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    i_statement = models.TextField("I statement", blank=True)
    we_statement = models.TextField("We statement", blank=True)
    tips = models.JSONField("tips for success", default=list, blank=True)
    groups = models.ManyToManyField(Group, blank=True, related_name="changes")
    position = models.PositiveIntegerField(default=0)
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="change_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"

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


# ---------------------------------------------------------------------------
# People and places


class Region(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SystemQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SystemQuerySet":
        """The systems a person holds any role in, or views as a regional viewer."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(pk__in=Member.objects.filter(user=user).values("partner__system"))
            | Q(pk__in=SystemRole.objects.filter(user=user).values("system"))
            | Q(region__in=RegionalViewer.objects.filter(user=user).values("region"))
        )


class System(models.Model):
    """A local health and care system: the tenant."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="systems")
    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(max_length=150, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = SystemQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Partner(models.Model):
    """An organisation taking part in a system's assessment."""

    class Type(models.TextChoices):
        ACUTE_TRUST = "acute_trust", "Acute trust"
        COMMUNITY_TRUST = "community_trust", "Community trust"
        MENTAL_HEALTH_TRUST = "mental_health_trust", "Mental health trust"
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        ICB = "icb", "Integrated care board"
        PRIMARY_CARE = "primary_care", "Primary care"
        CARE_PROVIDER = "care_provider", "Care provider"
        VOLUNTARY_SECTOR = "voluntary_sector", "Voluntary sector"
        HOUSING = "housing", "Housing"
        LIVED_EXPERIENCE = "lived_experience", "Healthwatch / lived experience"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    system = models.ForeignKey(System, on_delete=models.PROTECT, related_name="partners")
    name = models.CharField(max_length=150)
    partner_type = models.CharField("type", max_length=30, choices=Type.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["system", "name"]
        constraints = [
            models.UniqueConstraint(fields=["system", "name"], name="partner_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    """A person who belongs to a partner, and so may rate for it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="members")
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["partner", "user__email"]
        constraints = [models.UniqueConstraint(fields=["user", "partner"], name="member_unique")]

    def __str__(self) -> str:
        return f"{self.user} in {self.partner}"


class SystemRole(models.Model):
    """A system-wide role: facilitator or steering committee member."""

    class Role(models.TextChoices):
        FACILITATOR = "facilitator", "Facilitator"
        STEERING = "steering", "Steering committee member"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="system_roles"
    )
    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["system", "role", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "system", "role"], name="system_role_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()} of {self.system}"


class RegionalViewer(models.Model):
    """A Better Care manager: reads across the systems of a region."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="regional_views"
    )
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="viewers")
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["region", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "region"], name="regional_viewer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user}: regional viewer of {self.region}"


# ---------------------------------------------------------------------------
# Invitations


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    """An e-mailed, single-use link that lets a person set a password and take up a role.

    Only the token's hash is stored, so a database reader cannot use a pending link.
    """

    class Role(models.TextChoices):
        MEMBER = "member", "Partner member"
        FACILITATOR = "facilitator", "Facilitator"
        STEERING = "steering", "Steering committee member"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField()
    full_name = models.CharField(max_length=150, blank=True)
    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="invitations")
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations_sent",
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="member") | Q(partner__isnull=False),
                name="invitation_member_needs_partner",
            )
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email} ({self.get_role_display()})"

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.cancelled_at is None
            and self.expires_at > timezone.now()
        )

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "Accepted"
        if self.cancelled_at:
            return "Cancelled"
        if self.expires_at <= timezone.now():
            return "Expired"
        return "Pending"

    def clean(self) -> None:
        if self.role == self.Role.MEMBER and not self.partner_id:
            raise ValidationError({"partner": "Select the partner this person works for"})
        if self.partner_id and self.system_id and self.partner.system_id != self.system_id:
            raise ValidationError({"partner": "Select a partner of this system"})
