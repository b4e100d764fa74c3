"""benchmarks.soak_check: the verdict on lost writes, and errors put down to the faults."""

import pytest

from assessments.models import PartnerReturn
from assessments.round_services import RatingInput, rating_save
from benchmarks.soak_check import figures, lost_writes, report
from benchmarks.soak_faults import Fault
from benchmarks.soak_load import Recorder, Request, Save, Unit

RUN = "abcd1234"


@pytest.fixture
def unit(cast, open_round) -> Unit:
    change = open_round.framework.changes.filter(archived=False).order_by("position").first()
    return Unit(partner_id=cast.partner.pk, round_id=open_round.pk, change_id=change.pk, path="/")


def save_draft(cast, open_round, unit: Unit, marker: str, version: int) -> None:
    rating_save(
        partner_return=PartnerReturn.objects.get(round=open_round, partner=cast.partner),
        change=open_round.framework.changes.get(pk=unit.change_id),
        data=RatingInput(level=None, rationale=marker, evidence=[], confidence=""),
        saved_by=cast.member,
        expected_version=version,
    )


def marker(sequence: int) -> str:
    return f"soak {RUN} writer 0 save {sequence}"


def test_saves_in_the_database_and_the_history_are_not_lost(cast, open_round, unit):
    save_draft(cast, open_round, unit, marker(1), 0)
    save_draft(cast, open_round, unit, marker(2), 1)
    saves = [Save(0, 0, 1, marker(1), 302), Save(0, 0, 2, marker(2), 302)]

    assert lost_writes(saves, [unit], RUN) == []


def test_a_confirmed_save_missing_from_the_database_is_lost(cast, open_round, unit):
    save_draft(cast, open_round, unit, marker(1), 0)
    saves = [Save(0, 0, 1, marker(1), 302), Save(0, 0, 2, marker(2), 302)]

    lost = lost_writes(saves, [unit], RUN)

    assert len(lost) == 2  # not in the history, and the rating holds the earlier save
    assert all(marker(2) in line for line in lost)


def test_a_later_save_whose_answer_was_lost_may_hold_the_rating(cast, open_round, unit):
    save_draft(cast, open_round, unit, marker(1), 0)
    save_draft(cast, open_round, unit, marker(2), 1)
    saves = [Save(0, 0, 1, marker(1), 302), Save(0, 0, 2, marker(2), 0)]

    assert lost_writes(saves, [unit], RUN) == []


def test_errors_are_put_down_to_the_fault_they_happened_in():
    out = Recorder()
    for started, seconds, status in [
        (1.0, 0.1, 200),
        (9.0, 1.5, 0),  # began before the worker kill, broken by it
        (20.5, 0.2, 500),  # during the restart
        (40.0, 0.1, 500),  # nothing to do with either
    ]:
        out.request(Request("read", started, seconds, status))
    faults = [Fault("worker kill", 10.0, 10.2), Fault("database restart", 20.0, 21.0)]

    result = figures(out, faults, [], seconds=60, users=4, load=(0.5, 0.5, 0.5))

    assert (result["errors_at_worker_kill"], result["errors_during_restart"]) == (1, 1)
    assert result["errors_other"] == 1
    assert result["requests"] == 4
    assert result["faults"][0]["last_error_after_end"] == 0.3
    assert "lost writes       0" in report(result)
