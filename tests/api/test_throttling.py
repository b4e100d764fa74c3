"""Each token has its own allowance of requests (API_THROTTLE_RATE); past it, 429."""

import pytest

from tests.api.helpers import api, bearer, token_for

pytestmark = pytest.mark.django_db


def test_a_token_past_its_rate_gets_429_and_another_token_does_not(client, cast, settings):
    settings.API_THROTTLE_RATE = "3/hour"
    first, second = token_for(cast.member), token_for(cast.member)
    codes = [client.get(api("systems"), **bearer(first)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = client.get(api("systems"), **bearer(first))
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert client.get(api("systems"), **bearer(second)).status_code == 200
