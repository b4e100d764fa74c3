"""Template helpers of our own: GOV.UK times."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from hicm_portal.words import govuk_time

LONDON = ZoneInfo("Europe/London")
UTC = ZoneInfo("UTC")


@pytest.mark.parametrize(
    ("hour", "minute", "shown"),
    [(9, 0, "9am"), (14, 51, "2:51pm"), (12, 0, "midday"), (0, 0, "midnight"), (0, 5, "12:05am")],
)
def test_a_time_is_written_the_govuk_way(hour, minute, shown):
    assert govuk_time(datetime(2026, 11, 22, hour, minute, tzinfo=LONDON)) == shown


def test_a_time_is_shown_in_the_portals_time_zone():
    # 13:30 UTC in July is 2:30pm in London (British Summer Time).
    assert govuk_time(datetime(2026, 7, 1, 13, 30, tzinfo=UTC)) == "2:30pm"
