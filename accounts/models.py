"""A person's account beyond their roles: what happened to it (sign-ins, failed attempts, the
second factor, tokens) and their personal access tokens for the API."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AccountEvent(models.Model):
    """One thing that happened to a person's account, shown on their Account page."""

    class Kind(models.TextChoices):
        SIGNED_IN = "signed_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
        SIGNED_OUT_EVERYWHERE = "signed_out_everywhere", "Signed out of all devices"
        SECOND_FACTOR_ADDED = "second_factor_added", "Second factor set up"
        SECOND_FACTOR_REMOVED = "second_factor_removed", "Second factor removed"
        SECOND_FACTOR_RESET = "second_factor_reset", "Second factor reset by a site administrator"
        RECOVERY_CODES_MADE = "recovery_codes_made", "New recovery codes made"
        TOKEN_CREATED = "token_created", "Access token created"
        TOKEN_REVOKED = "token_revoked", "Access token revoked"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_events"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    method = models.CharField(
        max_length=100,
        blank=True,
        help_text="How: password, the single sign-on provider's name, a token's name.",
    )
    detail = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who did it, where not the person themself (a site administrator's reset).",
    )

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "-at"], name="account_event_user_at")]

    def __str__(self) -> str:
        return f"{self.user} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class AccessToken(models.Model):
    """A personal access token for the API. Shown once when made; only its hash is kept. It
    carries its person's own permissions, and ends when it expires or is revoked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(
        max_length=12, help_text="The token's first characters, to tell tokens apart."
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now
