"""Issue 12, fault 6: a malformed path segment (a NUL byte, say) is a 404, never a 500.

`/frameworks/mtoc-2020/changes/%00/` reached the view and PostgreSQL raised ValueError on the
NUL in the query (a 500). Every URL pattern's parameters now use converters that cannot match
a control character (hicm_portal/converters.py), so such a path never resolves: these tests
run on SQLite, where the query would not fail, and check the resolver itself.
"""

import re
import uuid

import pytest
from django.urls import URLResolver, get_resolver, resolve
from django.urls.converters import PathConverter, StringConverter
from django.urls.exceptions import Resolver404

PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
SAMPLES = {
    "slug": "testshire",
    "uuid": str(uuid.UUID(int=1)),
    "code": "1",
    "token": "a-token",
    "fileformat": "pdf",
    "int": "1",
    "str": "x",
    "path": "x",
}


def portal_patterns(resolver=None, prefix: str = ""):
    """(route, pattern) for every URL of ours; the admin's own URLs are Django's."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.app_name != "admin":
                yield from portal_patterns(pattern, route)
        else:
            yield route, pattern


def with_parameters(route: str, bad: str | None = None, value: str = "\x00") -> str:
    def fill(match: re.Match) -> str:
        if match["name"] == bad:
            return value
        return SAMPLES[match["converter"] or "str"]

    return "/" + PARAMETER.sub(fill, route)


def malformed_paths():
    for route, _pattern in portal_patterns():
        for match in PARAMETER.finditer(route):
            yield pytest.param(with_parameters(route, match["name"]), id=f"{route}:{match['name']}")


def test_no_url_takes_a_parameter_that_could_hold_a_control_character():
    lax = [
        f"{route} <{name}>"
        for route, pattern in portal_patterns()
        for name, converter in pattern.pattern.converters.items()
        if type(converter) in (StringConverter, PathConverter)  # slug is a strict subclass
    ]
    assert lax == []


def test_every_sample_path_resolves():
    """The samples are valid, so the 404s below come from the bad segment alone."""
    for route, pattern in portal_patterns():
        assert resolve(with_parameters(route)).url_name == pattern.name


@pytest.mark.parametrize("path", list(malformed_paths()))
def test_a_nul_byte_in_any_segment_does_not_resolve(path):
    with pytest.raises(Resolver404):
        resolve(path)


@pytest.mark.django_db
def test_a_nul_byte_in_any_segment_answers_404(client, cast):
    client.force_login(cast.admin)  # a superuser: no permission check stands in the way
    statuses = {
        path.values[0]: client.get(path.values[0].replace("\x00", "%00")).status_code
        for path in malformed_paths()
    }
    assert {path: status for path, status in statuses.items() if status != 404} == {}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/frameworks/mtoc-2020/changes/%00/",
        "/frameworks/mtoc-2020/changes/1%00/",
        "/frameworks/mtoc-2020/changes/%0A/",
        "/frameworks/mtoc%00/changes/1/",
    ],
)
def test_the_reported_change_page_answers_404(client, cast, frameworks, path):
    client.force_login(cast.member)
    assert client.get("/frameworks/mtoc-2020/changes/1/").status_code == 200
    assert client.get(path).status_code == 404


@pytest.mark.django_db
def test_every_change_of_the_shipped_frameworks_has_a_page(client, cast, frameworks):
    """The code converter accepts every code the shipped frameworks use."""
    from assessments.models import Change

    for change in Change.objects.select_related("framework"):
        route = f"/frameworks/{change.framework.key}/changes/{change.code}/"
        assert resolve(route).url_name == "change_detail", route
