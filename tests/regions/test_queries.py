"""Every region and national page runs as many queries for 12 systems as for 3, whatever the
number of their rounds: one query per kind of thing, never one per system."""

import pytest
from django.urls import reverse

from assessments.models import Region
from tests.helpers import query_count
from tests.regions.helpers import many_systems, national_viewer_user, regional_viewer

PAGES = [
    ("region", True, {}),
    ("region_levels", True, {"framework": "mtoc-2020", "crosswalk": "yes"}),
    ("region_levels", True, {"framework": "mtoc-2020", "state": "rating", "download": "xlsx"}),
    ("region_summary", True, {"framework": "mtoc-2020", "period": "2021/22"}),
    ("region_summary", True, {"framework": "mtoc-2020", "download": "csv"}),
    ("national", False, {}),
    ("national_summary", False, {"framework": "mtoc-2020", "crosswalk": "yes"}),
]


def url(name: str, in_region: bool, query: dict, region: Region) -> str:
    path = reverse(name, args=[region.slug]) if in_region else reverse(name)
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.mark.parametrize(("name", "in_region", "query"), PAGES)
def test_the_same_queries_for_12_systems_as_for_3(client, frameworks, name, in_region, query):
    region = Region.objects.create(name="Scaleland", slug="scaleland")
    many_systems(frameworks, region, 3)
    person = regional_viewer(region) if in_region else national_viewer_user()
    client.force_login(person)
    address = url(name, in_region, query, region)
    query_count(client, address)  # warm the framework content cache
    few = query_count(client, address)
    many_systems(frameworks, region, 9)
    assert query_count(client, address) == few
