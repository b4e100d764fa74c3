from django.http import HttpRequest


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The login name django-axes counts failures against: the address, in lower case.

    Logins are case-insensitive, so the lock-out must be too, or changing the case of an
    address would start a fresh count.
    """
    source = credentials if credentials else getattr(request, "POST", {})
    username = source.get("username")
    return username.strip().lower() if isinstance(username, str) else None
