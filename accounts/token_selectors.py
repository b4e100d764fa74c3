"""Reads of a person's personal access tokens (accounts.token_services makes and revokes them)."""

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import AccessToken


def usable_tokens(user) -> QuerySet[AccessToken]:
    """The tokens of `user` that can still be used: not revoked, not expired."""
    return AccessToken.objects.filter(user=user, revoked_at=None, expires_at__gt=timezone.now())


def access_tokens_of(user) -> list[AccessToken]:
    """A person's tokens, newest first, each with `status` ("Active", "Expired" or "Revoked")
    for their Account page: one query."""
    now = timezone.now()
    tokens = list(AccessToken.objects.filter(user=user).order_by("-created_at", "-pk"))
    for token in tokens:
        if token.revoked_at is not None:
            token.status = "Revoked"
        elif token.expires_at <= now:
            token.status = "Expired"
        else:
            token.status = "Active"
    return tokens
