"""`history_services.round_record_afterwards`: a 2019/20 round on the 2017 model, recorded by
its facilitator, agreed at once, past planned dates allowed, and everything checked before
anything is written."""

from dataclasses import replace
from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assessments.history_services import field_key
from assessments.models import (
    AuditEvent,
    Change,
    Consensus,
    Decision,
    Level,
    PartnerReturn,
    Rating,
    Round,
)
from tests.history.helpers import (
    AGREED_ON,
    APPROVAL_NOTE,
    LEVELS_2019,
    PLANNED_BY,
    record_2019_20,
    recorded_levels,
)


@pytest.fixture
def model_2017(frameworks):
    return frameworks["mtoc-2017"]


def test_it_records_an_agreed_round_with_past_planned_dates(cast, model_2017):
    round_ = record_2019_20(cast, model_2017)

    round_.refresh_from_db()
    assert round_.status == Round.Status.AGREED
    assert round_.recorded_afterwards is True
    assert round_.approval_note == APPROVAL_NOTE
    assert round_.opens_on == round_.closes_on == AGREED_ON
    start = timezone.make_aware(
        datetime.combine(AGREED_ON, time.min), timezone.get_default_timezone()
    )
    assert round_.agreed_at == start
    assert timezone.localtime(round_.agreed_at).date() == AGREED_ON
    assert round_.quorum == 1
    assert round_.created_by == cast.facilitator
    agreed = {
        c.change.code: c
        for c in Consensus.objects.filter(round=round_).select_related(
            "change", "level", "planned_level"
        )
    }
    assert {code: (c.level.number, c.planned_level.number) for code, c in agreed.items()} == (
        LEVELS_2019
    )
    assert all(c.state == Consensus.State.APPROVED for c in agreed.values())
    assert all(
        c.approved_at == start and c.proposed_by == cast.facilitator for c in agreed.values()
    )
    assert agreed["4"].planned_by == PLANNED_BY  # in the past, and allowed here
    assert agreed["7"].planned_by is None
    assert agreed["1"].challenges == "Workforce (1)"


def test_it_writes_no_partner_ratings_returns_or_decisions(cast, model_2017):
    round_ = record_2019_20(cast, model_2017)

    assert not PartnerReturn.objects.filter(round=round_).exists()
    assert not Rating.objects.filter(round=round_).exists()
    assert not Decision.objects.filter(consensus__round=round_).exists()


def test_its_audit_trail_says_who_recorded_it_and_who_approved_it(cast, model_2017):
    round_ = record_2019_20(cast, model_2017)

    (event,) = AuditEvent.objects.filter(round=round_)
    assert event.actor == cast.facilitator
    assert event.action == "Recorded the round afterwards"
    assert "12 September 2019" in event.detail
    assert APPROVAL_NOTE in event.detail


def test_who_approved_it_is_required(cast, model_2017):
    with pytest.raises(ValidationError) as refused:
        record_2019_20(cast, model_2017, approval_note="  ")

    assert "Enter who approved the levels and where" in str(refused.value.message_dict)
    assert not Round.objects.exists()


def test_a_site_administrator_may_record_one(cast, model_2017):
    round_ = record_2019_20(cast, model_2017, actor=cast.admin)

    assert round_.created_by == cast.admin


@pytest.mark.parametrize("role", ["member", "steering", "viewer", "outsider", "nobody"])
def test_nobody_else_may_record_one(cast, model_2017, role):
    with pytest.raises(PermissionDenied):
        record_2019_20(cast, model_2017, actor=getattr(cast, role))

    assert not Round.objects.exists()


def _problems(cast, model_2017, **overrides) -> dict:
    before = (Round.objects.count(), Consensus.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as raised:
        record_2019_20(cast, model_2017, **overrides)
    after = (Round.objects.count(), Consensus.objects.count(), AuditEvent.objects.count())
    assert after == before, "nothing is written when anything is wrong"
    return raised.value.message_dict


def test_a_future_agreed_date_is_refused(cast, model_2017):
    tomorrow = timezone.localdate() + timedelta(days=1)

    problems = _problems(cast, model_2017, agreed_on=tomorrow)

    assert problems == {"agreed_on": ["The date agreed must be today or in the past"]}


def test_a_name_the_system_already_has_is_refused(cast, model_2017):
    record_2019_20(cast, model_2017)

    problems = _problems(cast, model_2017, name=" 2019/20 ")

    assert problems["name"] == ["This system already has a round called 2019/20"]


def test_every_problem_is_named_by_change_at_once(cast, model_2017):
    levels = recorded_levels(model_2017)
    by_code = {r.change.code: r for r in levels}
    other_level = Level.objects.get(framework__key="mtoc-2020", number=3)
    levels = [
        replace(by_code["1"], planned_level=model_2017.levels.get(number=2)),  # below agreed
        replace(by_code["2"], level=other_level),  # a level of another framework
        replace(by_code["3"], planned_level=None, planned_by=PLANNED_BY),  # a date, no level
        replace(by_code["4"], challenges="x" * 5001),  # over the text limit
        *[by_code[code] for code in ("5", "6", "7")],  # and change 8 is missing
    ]

    problems = _problems(cast, model_2017, levels=levels, name="")

    changes = {c.code: c for c in Change.objects.filter(framework=model_2017)}
    assert problems["name"] == ["Enter a name for the round, for example 2019/20"]
    assert problems[field_key(changes["1"], "planned_level")] == [
        "The planned level must be the same as or above the agreed level for change "
        "1. Early discharge planning"
    ]
    assert (
        "change 2. Systems to monitor patient flow" in problems[field_key(changes["2"], "level")][0]
    )
    assert problems[field_key(changes["3"], "planned_by")][0].startswith(
        "Select the planned level of change 3."
    )
    assert problems[field_key(changes["4"], "challenges")][0].startswith("Change 4:")
    assert problems[field_key(changes["8"], "level")] == [
        "Select the agreed level of change 8. Enhancing health in care homes"
    ]


def test_a_change_of_another_framework_or_given_twice_is_refused(cast, model_2017, frameworks):
    levels = recorded_levels(model_2017)
    stranger = Change.objects.filter(framework=frameworks["mtoc-2020"]).first()

    problems = _problems(
        cast,
        model_2017,
        levels=[*levels, levels[0], replace(levels[1], change=stranger)],
    )

    assert problems["levels"] == [
        "Change 1 is given more than once: give each change one level",
        f"Change {stranger.code} is not a change of Managing transfers of care (2017)",
    ]


def test_an_archived_change_is_refused(cast, model_2017):
    levels = recorded_levels(model_2017)
    Change.objects.filter(pk=levels[0].change.pk).update(archived=True)
    archived = Change.objects.get(pk=levels[0].change.pk)

    problems = _problems(
        cast, model_2017, levels=[replace(levels[0], change=archived), *levels[1:]]
    )

    assert problems["levels"] == ["Change 1 is no longer part of Managing transfers of care (2017)"]


def test_the_previous_round_must_be_an_agreed_round_of_the_system(cast, model_2017, open_round):
    problems = _problems(cast, model_2017, previous_round=open_round)

    assert problems == {"previous_round": ["Select an agreed round of this system"]}
