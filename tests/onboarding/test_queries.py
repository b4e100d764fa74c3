"""The preview of a people file of hundreds: its queries grow by a fixed number a person."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.onboarding.helpers import people_file, preview

pytestmark = pytest.mark.django_db

# Queries for each new person made a partner member: finding and creating them, the grant
# (membership, its record, their roles read afresh, the partner's members told) and their
# invitation e-mail: 27 when this was written.
PER_PERSON = 30


def preview_queries(client, count: int, first: int) -> int:
    rows = [
        [f"person{n}@test.example", f"Person {n}", "member", "testshire", "Testshire Hospitals", ""]
        for n in range(first, first + count)
    ]
    with CaptureQueriesContext(connection) as queries:
        preview(client, people=people_file(*rows))
    return len(queries)


def test_the_preview_of_the_people_file_costs_a_fixed_number_of_queries_a_person(client, cast):
    client.force_login(cast.admin)

    small = preview_queries(client, 5, first=0)
    large = preview_queries(client, 15, first=100)

    assert large - small <= 10 * PER_PERSON
