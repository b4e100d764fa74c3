"""An action's RAG status, worked out from its dates and status on a given day."""

from datetime import date, timedelta

import pytest

from improvement_plans.models import AMBER_WITHIN_DAYS, Action

TODAY = date(2026, 11, 30)


def action(status="in_progress", *, start=-30, due=60, override="") -> Action:
    """An unsaved action; `start` and `due` are days from TODAY."""
    return Action(
        title="An action",
        status=status,
        start_date=TODAY + timedelta(days=start),
        due_date=TODAY + timedelta(days=due),
        rag_override=override,
        rag_override_reason="Because" if override else "",
    )


@pytest.mark.parametrize(
    "made,rag",
    [
        (action("done", due=-100), "green"),
        (action("done", due=5), "green"),
        (action("cancelled", due=-100), ""),
        (action("cancelled"), ""),
        (action("blocked"), "red"),
        (action("blocked", start=10, due=90), "red"),
        (action("in_progress", due=-1), "red"),
        (action("not_started", due=-1), "red"),
        (action("in_progress", due=0), "green"),  # due today is not yet overdue
        (action("in_progress", due=3), "green"),  # under way, so not at risk
        (action("not_started", start=-1, due=90), "amber"),  # should have started
        (action("not_started", start=0, due=90), "green"),  # starts today
        (action("not_started", start=0, due=AMBER_WITHIN_DAYS), "amber"),  # due soon
        (action("not_started", start=0, due=AMBER_WITHIN_DAYS + 1), "green"),
        (action("not_started", start=5, due=AMBER_WITHIN_DAYS), "amber"),
        (action("not_started", start=10, due=90), "green"),
        (action("in_progress"), "green"),
    ],
)
def test_the_derived_rag_follows_the_dates_and_status(made, rag):
    assert made.derived_rag(TODAY) == rag
    assert made.rag(TODAY) == rag


@pytest.mark.parametrize(
    "made,override",
    [
        (action("in_progress"), "red"),
        (action("blocked"), "green"),
        (action("done"), "amber"),
        (action("cancelled"), "red"),
        (action("not_started", due=-10), "green"),
    ],
)
def test_an_override_wins_over_the_derived_rag(made, override):
    made.rag_override = override
    assert made.rag(TODAY) == override
    assert made.derived_rag(TODAY) != override


@pytest.mark.parametrize(
    "made,overdue",
    [
        (action("in_progress", due=-1), True),
        (action("blocked", due=-1), True),
        (action("not_started", due=-1), True),
        (action("done", due=-1), False),
        (action("cancelled", due=-1), False),
        (action("in_progress", due=0), False),
    ],
)
def test_only_open_actions_past_their_due_date_are_overdue(made, overdue):
    assert made.is_overdue(TODAY) is overdue
