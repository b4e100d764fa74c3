"""The number beside Home in the service navigation, on every page (`attention_count`)."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from home.selectors import attention_count


def attention(request: HttpRequest) -> dict:
    """How many things wait for the person (`home.selectors.attention_count`), counted only
    when a page prints it: one query, and none for a page without the navigation or for
    someone not logged in. The home page passes the count of the cards it has built instead."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"attention_count": SimpleLazyObject(lambda: attention_count(user))}
