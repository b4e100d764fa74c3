"""The one way to record what happened to a person's account (`AccountEvent`), for their
Account page. Callers: sign-in (password and single sign-on), the second factor, signing out
of all devices, access tokens."""

from accounts.models import AccountEvent


def client_address(request) -> str | None:
    """The address a request came from, as the web server saw it."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def account_event_record(
    *,
    user,
    kind: str,
    request=None,
    method: str = "",
    detail: str = "",
    by=None,
) -> AccountEvent:
    return AccountEvent.objects.create(
        user=user,
        kind=kind,
        ip_address=client_address(request),
        method=method[:100],
        detail=detail[:300],
        by=by,
    )
