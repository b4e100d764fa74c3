"""The improvement gap (planned level above the agreed one) is one model property,
`Consensus.gap`, read by the plan page and the BCF return alike."""

import pytest

from assessments.models import Consensus
from improvement_plans import reports, selectors
from tests.improvement_plans.helpers import GAPS

pytestmark = pytest.mark.django_db


def test_the_gap_is_the_planned_level_above_the_agreed_one_and_never_negative(agreed):
    consensus = Consensus.objects.select_related("level", "planned_level").get(
        round=agreed, change__code="4"
    )
    assert consensus.gap == GAPS["4"][1] - GAPS["4"][0] == 2
    consensus.planned_level = None
    assert consensus.gap == 0
    consensus.planned_level = agreed.framework.levels.get(number=1)
    assert consensus.gap == 0


def test_the_plan_and_the_return_read_the_same_gap(agreed):
    expected = {
        c.change.code: c.gap
        for c in Consensus.objects.filter(round=agreed).select_related(
            "change", "level", "planned_level"
        )
    }
    assert {code: gap for code, gap in expected.items() if gap} == {"1": 1, "4": 2}
    plan = {row.change.code: row.gap for row in selectors.plan_rows(agreed)["rows"]}
    returned = {change["code"]: change["gap"] for change in reports.return_data(agreed)["changes"]}
    assert plan == returned == expected
