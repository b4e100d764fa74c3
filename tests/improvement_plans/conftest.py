"""Fixtures for the improvement plan tests.

- `agreed`: an agreed mtoc-2020 round of `cast.system` with consensus for every change; changes
  1 and 4 have a gap (see `helpers.GAPS`).
- `owner`: Olive Owner, a member of `cast.other_partner` (not the lead partner of the actions
  made with `make_action(..., lead_partner=cast.partner)`).
"""

import pytest

from tests.improvement_plans.helpers import agreed_round, make_owner


@pytest.fixture
def agreed(cast, frameworks):
    return agreed_round(cast.system, frameworks["mtoc-2020"], planner=cast.facilitator)


@pytest.fixture
def owner(cast):
    return make_owner(cast.other_partner)
