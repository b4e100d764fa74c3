"""Shared set-up for the API tests: a person's token and requests made with it."""

from django.urls import reverse

from accounts.token_services import access_token_create


def token_for(user, name: str = "", days: int = 90) -> str:
    """A new access token of `user`, in plain text (named after the next free number unless
    `name` is given)."""
    name = name or f"Tracker {user.access_tokens.count() + 1}"
    _token, plain = access_token_create(user=user, name=name, days=days)
    return plain


def bearer(plain: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def get(client, url: str, user=None, plain: str | None = None, **query):
    """GET `url` with `user`'s new token (or `plain`)."""
    if plain is None:
        plain = token_for(user)
    return client.get(url, query or None, **bearer(plain))


def api(name: str, *args) -> str:
    return reverse(f"api:{name}", args=args)
