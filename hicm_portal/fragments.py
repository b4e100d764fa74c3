"""Cached page fragments, keyed on the revisions of the data under them.

A page whose body is expensive to build (a review table of fifteen partners, a plan of forty
actions) builds it once per revision of its system and framework and serves it from the cache
until either moves (`hicm_portal.revisions`). The key names everything else the fragment shows
that can differ between requests: the viewer's partners and permissions, the filters asked for,
and the date where the fragment shows what is overdue. Fragments never hold a CSRF token, a
message or anything read from the request: they are rendered without one.
"""

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import caches
from django.template.backends.utils import csrf_input
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

T = TypeVar("T")
CACHE = "fragments"
CSRF_MARK = mark_safe("<!--hicm:csrf-->")  # noqa: S308 - a constant


def key_for(name: str, parts: tuple) -> str:
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return f"fragment:{name}:{digest}"


def cached(
    name: str, parts: tuple, build: Callable[[], T], *, fresh: Callable[[T], bool] | None = None
) -> T:
    """The value `build()` returns, from the cache when one was stored for `parts`.
    `parts` must hold plain values (ids, revisions, strings, dates). `fresh(value)`, when
    given, can refuse a stored value that time alone has made stale."""
    cache = caches[CACHE]
    key = key_for(name, parts)
    value = cache.get(key)
    if value is None or (fresh is not None and not fresh(value)):
        value = build()
        cache.set(key, value)
    return value


def render(template: str, context: dict) -> str:
    """A fragment's HTML: rendered without the request, so nothing personal leaks into it.
    A form in it writes `{{ csrf_mark }}` where `{% csrf_token %}` would go."""
    return render_to_string(template, {**context, "csrf_mark": CSRF_MARK})


def with_csrf(html: str, request) -> str:
    """The fragment with this request's CSRF field in each of its forms."""
    return mark_safe(html.replace(CSRF_MARK, csrf_input(request)))  # noqa: S308 - our own HTML
