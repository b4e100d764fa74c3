"""The pages that show measures run one query for all of them: as many queries with one
measure as with many, on every change."""

import pytest
from django.urls import reverse

from tests.assessments.helpers import to_review
from tests.helpers import query_count
from tests.measures.helpers import make_measure, new_measure_url

pytestmark = pytest.mark.django_db


def many_measures(system, framework) -> None:
    """Three measures on every change of the framework."""
    for change in framework.changes.filter(archived=False):
        for n in range(3):
            make_measure(system, change, name=f"Measure {n} of {change.code}")


def counted(client, address: str) -> int:
    client.get(address)  # saves the session; reads the person's roles and the framework
    return query_count(client, address)


def test_the_plan_page_runs_as_many_queries_for_many_measures_as_for_one(
    client, cast, agreed, home_first
):
    make_measure(cast.system, home_first)
    client.force_login(cast.facilitator)
    address = reverse("plan", args=[agreed.public_id])
    before = counted(client, address)
    many_measures(cast.system, agreed.framework)
    assert counted(client, address) == before
    assert "Measure 2 of 9" in client.get(address).content.decode()


def test_the_return_preview_runs_as_many_queries_for_many_measures_as_for_one(
    client, cast, agreed, home_first
):
    make_measure(cast.system, home_first)
    client.force_login(cast.facilitator)
    address = reverse("return_preview", args=[agreed.public_id])
    before = counted(client, address)
    many_measures(cast.system, agreed.framework)
    assert counted(client, address) == before
    assert "Measure 2 of 9" in client.get(address).content.decode()


@pytest.mark.parametrize("page_name", ["review_change", "workshop"])
def test_the_review_and_workshop_pages_run_one_query_for_the_measures(
    client, cast, open_round, home_first, page_name
):
    to_review(open_round, cast)
    client.force_login(cast.facilitator)
    address = reverse(page_name, args=[open_round.public_id, "4"])
    without = counted(client, address)
    make_measure(cast.system, home_first)
    with_one = counted(client, address)
    many_measures(cast.system, open_round.framework)
    # The measures' one query runs whether the change has measures or not.
    assert counted(client, address) == with_one == without
    assert "Measure 2 of 4" in client.get(address).content.decode()


def test_the_measure_form_pages_run_a_few_queries(client, cast, agreed, home_first):
    client.force_login(cast.facilitator)
    # Session, user, round (the change comes from the framework's cached content).
    assert counted(client, new_measure_url(agreed, "4")) <= 5
