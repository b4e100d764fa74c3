"""Each list of the API costs the same number of queries whatever its length (DESIGN §8)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import Round
from tests.api.helpers import api, bearer, token_for
from tests.improvement_plans.helpers import agreed_round, make_action
from tests.returns.helpers import plan_round

pytestmark = pytest.mark.django_db


def _queries(client, url: str, plain: str) -> int:
    client.get(url, **bearer(plain))  # the person's roles and the token's last use, once
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, **bearer(plain)).status_code == 200
    return len(queries)


def _more_actions(round_, cast, count: int) -> None:
    for n in range(count):
        action = make_action(
            round_,
            title=f"Action {n}",
            code="4",
            lead_partner=cast.other_partner,
            owner=cast.member,
        )
        action.contributing_partners.add(cast.partner)


@pytest.mark.parametrize("name", ["actions", "plan", "agreed_levels", "rounds"])
def test_a_list_costs_the_same_queries_at_two_sizes(client, cast, frameworks, name):
    round_ = plan_round(cast, frameworks["mtoc-2020"])
    plain = token_for(cast.facilitator)
    url = api(name, round_.public_id) if name in ("plan", "agreed_levels") else api(name)
    small = _queries(client, url, plain)
    _more_actions(round_, cast, 5)
    for n in range(3):
        agreed_round(cast.system, frameworks["mtoc-2020"], name=f"Earlier {n}")
    assert Round.objects.count() == 4
    assert _queries(client, url, plain) == small


def test_an_action_with_its_progress_costs_a_fixed_few_queries(client, cast, frameworks):
    round_ = plan_round(cast, frameworks["mtoc-2020"])
    action = round_.plan_actions.get()
    plain = token_for(cast.member)
    small = _queries(client, api("action", action.public_id), plain)
    for n in range(4):
        action.updates.create(author=cast.member, note=f"Update {n}")
    assert _queries(client, api("action", action.public_id), plain) == small
    assert small <= 10
