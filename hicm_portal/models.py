"""The portal's user, who logs in with their e-mail address, their uploads awaiting
confirmation, and the news e-mails held for their daily digest."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac

# The salt of a session's hash once the person has signed out of all devices (User below).
SESSION_HASH_SALT = "hicm_portal.models.User.get_session_auth_hash"


def person_name(full_name: str | None, email: str | None) -> str:
    """How the portal names a person: their full name, or else their address (for rows read
    as values, where there is no User to ask `get_full_name`)."""
    return full_name or email or ""


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("Enter an email address")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)  # None gives an unusable password until one is set
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str) -> "User":
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Their e-mail address is their login; their roles live in `assessments`."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(
        "site administrator",
        default=False,
        help_text="Can log in to the admin site to manage frameworks, systems and people.",
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    roles_version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Raised by every service that grants or removes one of the person's roles; "
        "their roles are cached under it.",
    )
    email_digest = models.BooleanField(
        "one e-mail a day",
        default=False,
        help_text="Hold news e-mails back for one e-mail a day (hicm_portal.notify); reminders, "
        "deadlines and security e-mails still go at once.",
    )

    sessions_version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Raised by signing out of all devices: every session signed in before it ends.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return person_name(self.full_name, self.email)

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return person_name(self.full_name, self.email)

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    # Signing out of all devices (accounts.services.sessions_end_everywhere) raises
    # `sessions_version`; Django keeps this hash in every session at sign-in and refuses a
    # session whose hash no longer matches, so every session signed in before ends. A password
    # change still ends the others and keeps the current one (update_session_auth_hash).
    # Version 0 gives Django's own hash, so sessions signed in before this existed carry on.
    def _session_hash(self, secret: str | None) -> str:
        value = f"{self.password}:{self.sessions_version}"
        return salted_hmac(SESSION_HASH_SALT, value, secret=secret, algorithm="sha256").hexdigest()

    def get_session_auth_hash(self) -> str:
        if not self.sessions_version:
            return super().get_session_auth_hash()
        return self._session_hash(secret=None)

    def get_session_auth_fallback_hash(self):
        """The hash under each of SECRET_KEY_FALLBACKS, so rotating the key keeps sessions."""
        if not self.sessions_version:
            yield from super().get_session_auth_fallback_hash()
            return
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(secret=secret)


class PendingUpload(models.Model):
    """An upload that was checked and shown as a preview, kept until its owner confirms it or
    it expires (`hicm_portal.uploads`). Kept here, not in the session: a preview can be large,
    and the session row is read on every request.

    `kind` says which import and for what (`action-import:<round>`); `payload` holds the
    checked rows, or `content` the file itself (the admin's imports read it again)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="pending_uploads")
    kind = models.CharField(max_length=100)
    payload = models.JSONField(default=dict, blank=True)
    content = models.BinaryField(default=b"", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="pending_upload_expires_after_it_is_made",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} by {self.owner_id}, expires {self.expires_at:%Y-%m-%d %H:%M}"

    def is_expired(self, now=None) -> bool:
        return self.expires_at <= (now or timezone.now())


class DigestItem(models.Model):
    """A news e-mail held back for a person who chose one e-mail a day (`User.email_digest`):
    written by `hicm_portal.notify.notify` in the step's transaction, sent and deleted by
    `digests_send` (run by `send_reminders`)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="digest_items")
    subject = models.TextField()
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.subject} for {self.user_id}"
