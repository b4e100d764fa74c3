"""State changes of a system's local measures: add, update and remove a measure of a change.

A measure belongs to the system and the change, not to one round: it is reached from the
plan of an agreed round, and whoever may manage that plan (`improvement_plans.manage_plan`:
the system's facilitators) manages its measures. Adding and removing a measure go in the
round's audit trail, as adding an action does; every write is kept in the measure's history
(with who made it).

A removed measure is deleted, not archived: an issued return keeps its own snapshot of the
measures it printed, and the history keeps the last values.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.framework_content import content_for_round
from assessments.models import Change, Round
from assessments.round_services import audit
from improvement_plans.models import Measure

NAME_REQUIRED = "Enter the name of the measure"
NAME_TAKEN = "This change already has a measure called “{name}”"
CHANGE_OF_ANOTHER_FRAMEWORK = "Select a change of this round's framework"
BASELINE_IN_FUTURE = "The baseline date must be today or in the past"
LATEST_IN_FUTURE = "The date of the latest value must be today or in the past"
LATEST_BEFORE_BASELINE = (
    "The date of the latest value must be the same as or after the baseline date"
)
LATEST_DATE_MISSING = "Enter the date of the latest value"
LATEST_VALUE_MISSING = "Enter the latest value, or leave its date empty"
TOO_PRECISE = "Enter a number with at most two decimal places, like 23.5"
TOO_LARGE = "Enter a number less than 1,000,000,000,000"

# Values are stored with 14 digits, two of them after the point.
MAX_VALUE = Decimal("999999999999.99")


@dataclass
class MeasureInput:
    name: str
    baseline_value: Decimal
    baseline_on: date
    unit: str = ""
    latest_value: Decimal | None = None
    latest_on: date | None = None
    target_value: Decimal | None = None


def value_problem(value: Decimal | None) -> str:
    """What is wrong with a measure's value, or "" (any sign; at most two decimal places)."""
    if value is None:
        return ""
    if value != value.quantize(Decimal("0.01")):
        return TOO_PRECISE
    if abs(value) > MAX_VALUE:
        return TOO_LARGE
    return ""


def date_problems(
    baseline_on: date | None, latest_on: date | None, *, today: date | None = None
) -> dict[str, str]:
    """What is wrong with a measure's dates, by field: neither in the future, and the latest
    not before the baseline. The form asks this too, to show it beside the other errors."""
    today = today or timezone.localdate()
    problems = {}
    if baseline_on and baseline_on > today:
        problems["baseline_on"] = BASELINE_IN_FUTURE
    if latest_on and latest_on > today:
        problems["latest_on"] = LATEST_IN_FUTURE
    elif latest_on and baseline_on and latest_on < baseline_on:
        problems["latest_on"] = LATEST_BEFORE_BASELINE
    return problems


def check_measure(
    data: MeasureInput, *, system_id: int, change: Change, round_: Round, measure_pk=None
) -> None:
    """The rules every measure meets, named by field."""
    errors: dict[str, str] = {}
    name = data.name.strip()
    if change.pk not in {c.pk for c in content_for_round(round_).live_changes}:
        errors["change"] = CHANGE_OF_ANOTHER_FRAMEWORK
    if not name:
        errors["name"] = NAME_REQUIRED
    elif (
        Measure.objects.filter(system=system_id, change=change, name__iexact=name)
        .exclude(pk=measure_pk)
        .exists()
    ):
        errors["name"] = NAME_TAKEN.format(name=name)
    for field_name in ("baseline_value", "latest_value", "target_value"):
        problem = value_problem(getattr(data, field_name))
        if problem:
            errors[field_name] = problem
    if data.latest_value is not None and data.latest_on is None:
        errors["latest_on"] = LATEST_DATE_MISSING
    elif data.latest_value is None and data.latest_on is not None:
        errors["latest_value"] = LATEST_VALUE_MISSING
    errors = {**date_problems(data.baseline_on, data.latest_on), **errors}
    if errors:
        raise ValidationError(errors)


def _apply(measure: Measure, data: MeasureInput) -> None:
    measure.name = data.name.strip()
    measure.unit = data.unit.strip()
    measure.baseline_value = data.baseline_value
    measure.baseline_on = data.baseline_on
    measure.latest_value = data.latest_value
    measure.latest_on = data.latest_on if data.latest_value is not None else None
    measure.target_value = data.target_value
    measure.updated_at = timezone.now()


def _save(measure: Measure) -> None:
    """Save, turning a name taken meanwhile (the unique constraint) into the form's message."""
    # created_by is empty once its author's account is deleted (SET_NULL); that is no error.
    measure.full_clean(exclude=["created_by"], validate_constraints=False)
    try:
        with transaction.atomic():
            measure.save()
    except IntegrityError:
        raise ValidationError({"name": NAME_TAKEN.format(name=measure.name)}) from None


def _check_permission(actor, round_: Round) -> None:
    if not actor.has_perm("improvement_plans.manage_plan", round_):
        raise PermissionDenied


@transaction.atomic
def measure_create(*, actor, round_: Round, change: Change, data: MeasureInput) -> Measure:
    """Add a measure to a change of the system whose plan this is."""
    _check_permission(actor, round_)
    check_measure(data, system_id=round_.system_id, change=change, round_=round_)
    measure = Measure(system_id=round_.system_id, change=change, created_by=actor)
    _apply(measure, data)
    _save(measure)
    # The audit's action is at most 40 characters: the name goes in its detail.
    audit(round_, actor, "Added a measure to the plan", f"Change {change.code}: {measure.name}")
    return measure


@transaction.atomic
def measure_update(*, actor, round_: Round, measure: Measure, data: MeasureInput) -> Measure:
    """Change a measure: its latest value and date, its target, its name or unit, or its
    baseline."""
    _check_permission(actor, round_)
    locked = (
        Measure.objects.select_for_update(of=("self",))
        .select_related("change")
        .get(pk=measure.pk, system=round_.system_id)
    )
    check_measure(
        data, system_id=round_.system_id, change=locked.change, round_=round_, measure_pk=locked.pk
    )
    _apply(locked, data)
    _save(locked)
    return locked


@transaction.atomic
def measure_delete(*, actor, round_: Round, measure: Measure) -> None:
    """Remove a measure. Returns already issued keep it in their snapshot."""
    _check_permission(actor, round_)
    locked = (
        Measure.objects.select_for_update(of=("self",))
        .select_related("change")
        .get(pk=measure.pk, system=round_.system_id)
    )
    audit(
        round_,
        actor,
        "Removed a measure from the plan",
        f"Change {locked.change.code}: {locked.name}",
    )
    locked.delete()
