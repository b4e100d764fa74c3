"""Helpers for the tests of the Account page and of sessions."""

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.middleware import RENEWED_AT_KEY
from accounts.models import AccountEvent


def account_event(user, kind: str, *, at=None, ip="203.0.113.7", method="password", **fields):
    """An event of `user`'s account, `at` a given time (default now)."""
    return AccountEvent.objects.create(
        user=user,
        kind=kind,
        at=at or timezone.now(),
        ip_address=ip,
        method=method,
        **fields,
    )


def session_row(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def last_request_minutes_ago(client, minutes: float) -> None:
    """Move the client's session back in time, as if its last request were `minutes` ago:
    its expiry is then SESSION_COOKIE_AGE after that request."""
    last_request = timezone.now() - timedelta(minutes=minutes)
    expiry = last_request + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    session = client.session
    session[RENEWED_AT_KEY] = int(last_request.timestamp())
    session.save()
    Session.objects.filter(session_key=session.session_key).update(expire_date=expiry)


def seconds_left(client) -> float:
    """How long the client's session has before it ends, as the database has it."""
    return (session_row(client).expire_date - timezone.now()).total_seconds()
