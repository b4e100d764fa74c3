"""Personal access tokens for the API: making one and revoking one.

A token is shown to its person once, when it is made; only its SHA-256 hash is kept
(`assessments.models.hash_token`, as invitations keep theirs), so a reader of the database
cannot use it. It carries its person's own permissions (api.authentication) and ends when it
expires or is revoked. Both steps are recorded on the person's account (`account_event_record`).
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.events import account_event_record
from accounts.models import AccessToken, AccountEvent
from accounts.token_selectors import usable_tokens
from assessments.models import hash_token

# Every token starts with this, so a leaked one is easy to recognise (and to search for).
TOKEN_START = "hicm_"  # noqa: S105 (a label, not a secret)
# The random part: 32 bytes, 43 URL-safe characters.
TOKEN_BYTES = 32
# How much of a token is kept in the clear to tell tokens apart: "hicm_" and 7 characters.
PREFIX_LENGTH = 12
MAX_DAYS = 366
MAX_TOKENS = 20

NAME_MISSING = "Enter a name for the token"
NAME_TOO_LONG = "Enter a name of at most 100 characters"
NAME_TAKEN = "You already have a token with this name: choose another name"
DAYS_OUT_OF_RANGE = f"The number of days must be between 1 and {MAX_DAYS}"
TOO_MANY = (
    f"You already have {MAX_TOKENS} tokens that can be used: revoke one you no longer need first"
)


@transaction.atomic
def access_token_create(
    *, user, name: str, days: int | None = None, request=None
) -> tuple[AccessToken, str]:
    """Make a token for `user`, named `name`, lasting `days` days. Returns the token and its
    plain text, which is never stored and cannot be shown again. `days`: API_TOKEN_DAYS
    (90) unless given."""
    days = settings.API_TOKEN_DAYS if days is None else days
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = NAME_MISSING
    elif len(name) > AccessToken._meta.get_field("name").max_length:
        errors["name"] = NAME_TOO_LONG
    elif usable_tokens(user).filter(name__iexact=name).exists():
        errors["name"] = NAME_TAKEN
    if not 1 <= days <= MAX_DAYS:
        errors["days"] = DAYS_OUT_OF_RANGE
    if not errors and usable_tokens(user).count() >= MAX_TOKENS:
        errors["name"] = TOO_MANY
    if errors:
        raise ValidationError(errors)
    plain = TOKEN_START + secrets.token_urlsafe(TOKEN_BYTES)
    now = timezone.now()
    token = AccessToken(
        user=user,
        name=name,
        prefix=plain[:PREFIX_LENGTH],
        key_hash=hash_token(plain),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    token.full_clean()
    token.save()
    account_event_record(
        user=user,
        kind=AccountEvent.Kind.TOKEN_CREATED,
        request=request,
        method=name,
        detail=f"Expires on {timezone.localdate(token.expires_at):%-d %B %Y}",
    )
    return token, plain


@transaction.atomic
def access_token_revoke(*, token: AccessToken, by, request=None) -> AccessToken:
    """Revoke a token: it stops working at once. Only its own person may. Revoking a token
    that is already revoked changes nothing."""
    if by is None or token.user_id != by.pk:
        raise PermissionDenied
    locked = AccessToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is not None:
        return locked
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    account_event_record(
        user=locked.user,
        kind=AccountEvent.Kind.TOKEN_REVOKED,
        request=request,
        method=locked.name,
        detail=f"Token {locked.prefix}…",
    )
    return locked
