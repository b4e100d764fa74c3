"""People and places: regions, systems (the tenant), partners, members, roles and invitations."""

import hashlib
import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from assessments.areas import hwb_area, normalise_code

AREA_CODE_UNKNOWN = (
    "{code} is not the ONS code of a Health and Wellbeing Board area in the portal's reference "
    "list (fixtures/reference/hwb_areas.csv). Enter a code like E10000018, or leave it empty"
)
AREA_CODE_TAKEN = "{system} already has the area code {code}: each area is one system"
ODS_CODE_FORM = re.compile(r"[A-Z0-9]{3,6}")
ODS_CODE_INVALID = (
    "{code} is not an NHS ODS code: enter 3 to 6 letters and digits, like RTH or A81001, "
    "or leave it empty"
)
OTHER_TYPES_INVALID = "Select further types from the list of partner types"
OTHER_TYPES_MAIN = "{type} is the partner's main type: do not select it as a further type too"
OTHER_TYPES_TWICE = "Select each further type once"


class Region(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def visible_systems_q(user, via: str = "") -> Q:
    """The one rule of who sees a system, as a filter on systems or on what is reached from a
    system through `via` (e.g. "system__" for actions): those they hold any role in, and those
    of the regions they view; a national viewer every system. `assessments.rules.can_view_system`
    asks the same of one system from the person's roles, and a test holds the two together."""
    # The person's roles are read once per request and shared with the permission checks.
    from assessments.rules import roles_of

    roles = roles_of(user)
    if roles.national:
        # Every system (a filter that holds for each, so it combines like the others).
        return Q(**{f"{via}pk__isnull": False})
    held = {*roles.partner_ids_by_system, *roles.facilitator_of, *roles.steering_of}
    return Q(**{f"{via}pk__in": held}) | Q(**{f"{via}region_id__in": roles.viewer_of_regions})


class SystemQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SystemQuerySet":
        """The systems a person may see (`visible_systems_q`)."""
        return self.filter(visible_systems_q(user))


class System(models.Model):
    """A local health and care system: the tenant."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="systems")
    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(max_length=150, unique=True)
    named_in_region = models.BooleanField(
        "named to its region",
        default=False,
        help_text="Whether others in its region see its name beside its levels in comparisons "
        "(its facilitators choose; off until they do).",
    )
    area_code = models.CharField(
        "ONS area code",
        max_length=9,
        blank=True,
        help_text="The ONS code of its Health and Wellbeing Board area, e.g. E10000018.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = SystemQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["area_code"], condition=~Q(area_code=""), name="system_area_code_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """An area code, if any, is one of the reference list's (`assessments.areas`), written
        as the list writes it, and no other system's. The admin's form and import both ask."""
        self.area_code = normalise_code(self.area_code)
        if not self.area_code:
            return
        if hwb_area(self.area_code) is None:
            raise ValidationError(
                {"area_code": AREA_CODE_UNKNOWN.format(code=self.area_code)}, code="unknown"
            )
        other = System.objects.filter(area_code=self.area_code).exclude(pk=self.pk).first()
        if other is not None:
            raise ValidationError(
                {"area_code": AREA_CODE_TAKEN.format(code=self.area_code, system=other.name)},
                code="taken",
            )


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
        CCG = "ccg", "Clinical commissioning group (before July 2022)"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    system = models.ForeignKey(System, on_delete=models.PROTECT, related_name="partners")
    name = models.CharField(max_length=150)
    partner_type = models.CharField("type", max_length=30, choices=Type.choices)
    other_types = models.JSONField(
        default=list,
        blank=True,
        help_text="Further types, for an organisation that is more than one (a trust running "
        "community and mental health services).",
    )
    ods_code = models.CharField(
        "NHS ODS code", max_length=10, blank=True, help_text="Its NHS organisation code, e.g. RTH."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["system", "name"]
        constraints = [
            models.UniqueConstraint(fields=["system", "name"], name="partner_name_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """An ODS code, if any, has the form of one (3 to 6 capital letters and digits: a
        trust RTH, its site RTH01, a GP practice A81001); further types are partner types,
        each once, never the main type. The admin's form and import both ask."""
        self.ods_code = (self.ods_code or "").strip().upper()
        errors = {}
        if self.ods_code and not ODS_CODE_FORM.fullmatch(self.ods_code):
            errors["ods_code"] = ValidationError(
                ODS_CODE_INVALID.format(code=self.ods_code), code="invalid"
            )
        others = self.other_types if isinstance(self.other_types, list) else None
        valid = set(self.Type.values)
        if others is None or any(t not in valid for t in others):
            errors["other_types"] = ValidationError(OTHER_TYPES_INVALID, code="invalid")
        elif self.partner_type in others:
            errors["other_types"] = ValidationError(
                OTHER_TYPES_MAIN.format(type=self.get_partner_type_display()), code="main_type"
            )
        elif len(set(others)) != len(others):
            errors["other_types"] = ValidationError(OTHER_TYPES_TWICE, code="twice")
        if errors:
            raise ValidationError(errors)

    def other_type_labels(self) -> list[str]:
        """The names of its further types, in the order the portal lists partner types.
        Grouping and filtering by type use the main type (`partner_type`) alone."""
        labels = dict(self.Type.choices)
        return [labels[t] for t in self.Type.values if t in (self.other_types or [])]


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


class NationalViewer(models.Model):
    """Someone of the BCF national team or the Department: reads every region's agreed rounds,
    as a regional viewer reads their region's."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="national_view"
    )
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["user__email"]

    def __str__(self) -> str:
        return f"{self.user}: national viewer"


class RoleChange(models.Model):
    """One grant or removal of a role: whom, which role and where, by whom, when.

    Written by the role services only (`role_grant`, `role_remove`, `site_access_set`, and the
    deletions that remove roles first), and never changed: the record behind the system's
    "People and roles" history and the person's account page. Nobody grants a role to
    themselves, and the database holds that too.

    The record outlives what it names: deleting the person, partner, system or region empties
    the link, and `person_name`, `person_email` and `place_name` still say whom and where.
    Site administrator and superuser (the admin's `is_staff` and `is_superuser`) are held in
    no place.
    """

    class Role(models.TextChoices):
        MEMBER = "member", "Partner member"
        FACILITATOR = "facilitator", "Facilitator"
        STEERING = "steering", "Steering committee member"
        REGIONAL_VIEWER = "regional_viewer", "Regional viewer"
        NATIONAL_VIEWER = "national_viewer", "National viewer"
        SITE_ADMINISTRATOR = "site_administrator", "Site administrator"
        SUPERUSER = "superuser", "Superuser"

    class Kind(models.TextChoices):
        GRANTED = "granted", "Granted"
        REMOVED = "removed", "Removed"

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="role_changes",
    )
    person_name = models.CharField(max_length=254, blank=True)  # a full name, or the address
    person_email = models.EmailField(blank=True)
    role = models.CharField(max_length=20, choices=Role.choices)
    system = models.ForeignKey(
        System, null=True, blank=True, on_delete=models.SET_NULL, related_name="role_changes"
    )
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.SET_NULL, related_name="role_changes"
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="role_changes"
    )
    place_name = models.CharField(
        max_length=150, blank=True, help_text="The partner, system or region, as then named."
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when the portal itself made the change (set-up data).",
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["system", "at"]),
            models.Index(fields=["person", "at"]),
        ]
        constraints = [
            # A regional viewer's role is held in a region, a site role nowhere, every other
            # role in a system (emptied if the place is deleted).
            models.CheckConstraint(
                condition=(
                    Q(role="regional_viewer", system__isnull=True)
                    | Q(
                        role__in=["site_administrator", "superuser"],
                        system__isnull=True,
                        region__isnull=True,
                    )
                    | (
                        ~Q(role__in=["regional_viewer", "site_administrator", "superuser"])
                        & Q(region__isnull=True)
                    )
                ),
                name="role_change_place",
            ),
            # A partner is named for a partner member only.
            models.CheckConstraint(
                condition=Q(role="member") | Q(partner__isnull=True),
                name="role_change_partner_for_members",
            ),
            models.CheckConstraint(
                condition=~Q(kind="granted") | Q(by__isnull=True) | ~Q(by=models.F("person")),
                name="role_change_not_granted_to_oneself",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.person_name}, {self.description}"

    @property
    def place(self) -> object:
        """Where the role is held: the partner, system or region (None for a site role, or
        once the place is deleted)."""
        return self.partner or self.system or self.region

    @property
    def description(self) -> str:
        """The role in words, such as "Partner member of Testshire Hospitals"."""
        if not self.place_name:
            return self.get_role_display()
        return f"{self.get_role_display()} of {self.place_name}"

    def name_people_and_place(self) -> None:
        """Copy the person's name and address and the place's name into the record, which
        keeps them after any of those is deleted."""
        self.person_name = self.person.get_full_name()
        self.person_email = self.person.email
        self.place_name = str(self.place or "")


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
