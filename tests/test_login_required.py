"""Walks every URL pattern: a view that is not on the public list must require login."""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Pages anyone may open: logging in, recovering a password, accepting an invitation,
# the accessibility statement, and the health checks for load balancers.
PUBLIC = {
    "login",
    "account_login",
    "openid_connect_login",
    "openid_connect_callback",
    "logout",
    "session_ended",  # "You have been signed out" (the timeout warning)
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "invitation_accept",
    "accessibility",
    "healthz",
    "healthz_ready",
    "favicon",
}

# Fixed values: the test ids must be the same in every test process (pytest-xdist).
SAMPLE = {
    "slug": "testshire",
    "key": "mtoc-2020",
    "code": "1",
    "uuid": str(uuid.UUID("5a6d0c1e-0000-4000-8000-000000000001")),
}


def _patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # the admin has its own login, tested below
            yield from _patterns(entry, prefix + str(entry.pattern), entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            yield entry.name, prefix + str(entry.pattern), entry


def _concrete(route: str) -> str:
    path = route
    for converter, value in (
        ("<slug:slug>", SAMPLE["slug"]),
        ("<slug:key>", SAMPLE["key"]),
        ("<slug:provider_id>", "nhs"),
        ("<code:code>", SAMPLE["code"]),
        ("<uuid:public_id>", SAMPLE["uuid"]),
        ("<uuid:partner_id>", SAMPLE["uuid"]),
        ("<uuid:comment_id>", SAMPLE["uuid"]),
        ("<uuid:investment_id>", SAMPLE["uuid"]),
        ("<uuid:measure_id>", SAMPLE["uuid"]),
        ("<uuid:issued_id>", SAMPLE["uuid"]),
        ("<fileformat:file_format>", "pdf"),
        ("<token:token>", "token"),
        ("<token:uidb64>", "MQ"),
    ):
        path = path.replace(converter, value)
    assert "<" not in path, f"add a sample value for {route}"
    return "/" + path.lstrip("^").rstrip("$")


PRIVATE = sorted((name, _concrete(route)) for name, route, _ in _patterns() if name not in PUBLIC)


def test_every_named_pattern_is_either_public_or_checked():
    names = {name for name, _, _ in _patterns()}
    assert None not in names, "every URL pattern needs a name"
    assert names >= PUBLIC, f"public names that no longer exist: {PUBLIC - names}"
    assert len(PRIVATE) >= 7


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), PRIVATE)
def test_a_private_page_sends_an_anonymous_visitor_to_log_in(client, name, path):
    for method in (client.get, client.post):
        response = method(path)
        if path.startswith("/api/") and name != "docs":  # the API answers 401, not a page
            assert response.status_code == 401, f"{name} {path} answered {response.status_code}"
            continue
        assert response.status_code == 302, f"{name} {path} answered {response.status_code}"
        assert response["Location"].startswith("/accounts/login/"), name


@pytest.mark.django_db
def test_the_admin_sends_an_anonymous_visitor_to_its_login(client):
    response = client.get("/admin/assessments/system/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
