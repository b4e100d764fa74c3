"""Fixtures for the tests of local measures.

- `agreed`: an agreed mtoc-2020 round of `cast.system` with consensus for every change (see
  tests/improvement_plans/helpers.py `agreed_round`); its plan is where measures are managed.
- `home_first`: change 4 of that framework, "Home first".
"""

import pytest

from tests.improvement_plans.helpers import agreed_round


@pytest.fixture
def agreed(cast, frameworks):
    return agreed_round(cast.system, frameworks["mtoc-2020"], planner=cast.facilitator)


@pytest.fixture
def home_first(frameworks):
    return frameworks["mtoc-2020"].changes.get(code="4")
