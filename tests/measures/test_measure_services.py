"""The measure services: the same rules for every caller, checked before anything is written."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from improvement_plans.measure_selectors import measure_line, measure_values, value_text
from improvement_plans.measure_services import (
    MeasureInput,
    measure_create,
    measure_delete,
    measure_update,
)
from improvement_plans.models import Measure
from tests.measures.helpers import REABLEMENT_LINE, make_measure

pytestmark = pytest.mark.django_db


def reablement(**fields) -> MeasureInput:
    values = {
        "name": "Average reablement episode",
        "unit": "days",
        "baseline_value": Decimal("23"),
        "baseline_on": date(2025, 4, 1),
        "latest_value": Decimal("17"),
        "latest_on": date(2025, 10, 1),
        "target_value": Decimal("15"),
        **fields,
    }
    return MeasureInput(**values)


@pytest.mark.parametrize("person", ["member", "other_member", "steering", "viewer", "outsider"])
def test_only_those_who_manage_the_plan_may_write_measures(cast, agreed, home_first, person):
    someone = cast.roles()[person]
    with pytest.raises(PermissionDenied):
        measure_create(actor=someone, round_=agreed, change=home_first, data=reablement())
    measure = make_measure(cast.system, home_first)
    with pytest.raises(PermissionDenied):
        measure_update(actor=someone, round_=agreed, measure=measure, data=reablement(name="X"))
    with pytest.raises(PermissionDenied):
        measure_delete(actor=someone, round_=agreed, measure=measure)
    assert Measure.objects.get().name == "Average reablement episode"


def test_a_change_of_another_framework_is_refused(cast, agreed, frameworks):
    earlier_change = frameworks["mtoc-2017"].changes.get(code="4")
    with pytest.raises(ValidationError) as refused:
        measure_create(
            actor=cast.facilitator, round_=agreed, change=earlier_change, data=reablement()
        )
    assert refused.value.message_dict["change"] == ["Select a change of this round's framework"]


def test_every_problem_is_named_at_once_and_nothing_is_written(cast, agreed, home_first):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        measure_create(
            actor=cast.facilitator,
            round_=agreed,
            change=home_first,
            data=reablement(
                name=" ",
                baseline_on=tomorrow,
                latest_on=tomorrow,
                target_value=Decimal("15.125"),
            ),
        )
    assert refused.value.message_dict == {
        "name": ["Enter the name of the measure"],
        "baseline_on": ["The baseline date must be today or in the past"],
        "latest_on": ["The date of the latest value must be today or in the past"],
        "target_value": ["Enter a number with at most two decimal places, like 23.5"],
    }
    assert not Measure.objects.exists()


def test_a_latest_date_before_the_baseline_is_refused_on_update(cast, agreed, home_first):
    measure = make_measure(cast.system, home_first)
    with pytest.raises(ValidationError) as refused:
        measure_update(
            actor=cast.facilitator,
            round_=agreed,
            measure=measure,
            data=reablement(latest_value=Decimal("12"), latest_on=date(2025, 3, 1)),
        )
    assert refused.value.message_dict["latest_on"] == [
        "The date of the latest value must be the same as or after the baseline date"
    ]
    measure.refresh_from_db()
    assert measure.latest_value == Decimal("17")


def test_a_baseline_of_today_and_a_latest_value_on_the_same_day_are_fine(cast, agreed, home_first):
    today = timezone.localdate()
    measure = measure_create(
        actor=cast.facilitator,
        round_=agreed,
        change=home_first,
        data=reablement(baseline_on=today, latest_on=today),
    )
    assert (measure.baseline_on, measure.latest_on) == (today, today)


def test_negative_values_are_allowed_for_a_change_that_went_the_wrong_way(cast, agreed, home_first):
    measure = measure_create(
        actor=cast.facilitator,
        round_=agreed,
        change=home_first,
        data=reablement(name="Reduction in admissions", unit="%", latest_value=Decimal("-4.5")),
    )
    assert measure.latest_value == Decimal("-4.5")


def test_a_measure_reads_as_one_line_with_its_dates_written_out(cast, home_first):
    measure = make_measure(cast.system, home_first)
    assert measure_line(measure_values(measure)) == REABLEMENT_LINE
    bare = make_measure(cast.system, home_first, name="Beds", unit="", latest=None, target=None)
    assert measure_line(measure_values(bare)) == "Beds: 23 (1 April 2025)"


@pytest.mark.parametrize(
    "value,text",
    [("23.00", "23"), ("23.50", "23.5"), ("1250", "1,250"), ("-4.25", "-4.25"), ("0", "0")],
)
def test_values_are_written_as_people_write_them(value, text):
    assert value_text(Decimal(value)) == text
