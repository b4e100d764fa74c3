"""The access matrix of issue 15: every new URL × every role, with the status the access rule
gives (regions.access, assessments.access).

- A region's pages and downloads: its regional viewers, national viewers and site
  administrators read them (200); the people of one of its systems know the region (their
  system's page names it) and are refused (403); anyone else gets 404 and learns nothing.
- The nation's pages: national viewers and site administrators (200); everyone else 404.
- A system's naming page: its facilitators (200); others who see the system 403 (a national
  viewer sees every system); anyone else 404.
- Anonymous: sent to log in, everywhere.

Each URL is one line of `URLS`; each rule one column set of `EXPECTED`. The region under test
is Testshire's, with an agreed round (so the report has a framework to report on).
"""

import pytest
from django.urls import reverse

from regions import urls as regions_urls
from tests.factories import RegionalViewerFactory, UserFactory
from tests.regions.national_helpers import agreed_round, national_viewer

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "nobody",
    "outsider",
    "member",
    "steering",
    "facilitator",
    "viewer",
    "other_viewer",
    "national",
    "admin",
]

# The status each role gets, by access rule.
EXPECTED = {
    "region": {
        "nobody": 404,
        "outsider": 404,
        "member": 403,
        "steering": 403,
        "facilitator": 403,
        "viewer": 200,
        "other_viewer": 404,
        "national": 200,
        "admin": 200,
    },
    "nation": {
        "nobody": 404,
        "outsider": 404,
        "member": 404,
        "steering": 404,
        "facilitator": 404,
        "viewer": 404,
        "other_viewer": 404,
        "national": 200,
        "admin": 200,
    },
    "naming": {
        "nobody": 404,
        "outsider": 404,
        "member": 403,
        "steering": 403,
        "facilitator": 200,
        "viewer": 403,
        "other_viewer": 404,
        "national": 403,
        "admin": 404,
    },
}

# (URL name, what fills it: "region", "system" or nothing, query string, access rule)
URLS = [
    ("region", "region", "", "region"),
    ("region_levels", "region", "", "region"),
    ("region_levels", "region", "download=csv", "region"),
    ("region_levels", "region", "download=xlsx", "region"),
    ("region_summary", "region", "", "region"),
    ("region_summary", "region", "download=csv", "region"),
    ("region_summary", "region", "download=xlsx", "region"),
    ("region_returns_zip", "region", "", "region"),
    ("region_report", "region", "", "region"),
    ("national", None, "", "nation"),
    ("national_summary", None, "", "nation"),
    ("national_summary", None, "download=csv", "nation"),
    ("national_summary", None, "download=xlsx", "nation"),
    ("system_naming", "system", "", "naming"),
]


@pytest.fixture
def people(cast, frameworks) -> dict:
    """Every role of the matrix, with an agreed round in each of the two regions."""
    framework = frameworks["mtoc-2020"]
    agreed_round(cast.system, framework, {}, actor=cast.admin)
    agreed_round(cast.other_system, framework, {}, actor=cast.admin)
    other_viewer = UserFactory(email="other-viewer@test.example")
    RegionalViewerFactory(user=other_viewer, region=cast.other_system.region)
    return {
        "anonymous": None,
        **{role: getattr(cast, role) for role in ("nobody", "outsider", "member", "steering")},
        "facilitator": cast.facilitator,
        "viewer": cast.viewer,
        "other_viewer": other_viewer,
        "national": national_viewer(),
        "admin": cast.admin,
    }


def url_of(cast, name: str, fill: str | None, query: str) -> str:
    args = {"region": [cast.system.region.slug], "system": [cast.system.slug], None: []}[fill]
    return reverse(name, args=args) + (f"?{query}" if query else "")


def test_every_url_of_the_regions_app_is_in_the_matrix():
    names = {name for name, *_ in URLS}
    assert {pattern.name for pattern in regions_urls.urlpatterns} <= names


@pytest.mark.parametrize(
    ("name", "fill", "query", "rule"), URLS, ids=[f"{u[0]}?{u[2]}" for u in URLS]
)
def test_each_role_gets_the_status_the_access_rule_gives(
    client, cast, people, name, fill, query, rule
):
    url = url_of(cast, name, fill, query)
    wrong = []
    for role in ROLES:
        client.logout()
        if people[role] is not None:
            client.force_login(people[role])
        response = client.get(url)
        if role == "anonymous":
            if response.status_code != 302 or "/login/" not in response["Location"]:
                wrong.append(f"anonymous: {response.status_code}, not sent to log in")
            continue
        if response.status_code != EXPECTED[rule][role]:
            wrong.append(f"{role}: {response.status_code}, expected {EXPECTED[rule][role]}")
    assert not wrong, f"{url}: " + "; ".join(wrong)
