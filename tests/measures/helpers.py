"""Shared set-up for the tests of local measures (no tests of its own).

- `make_measure(system, change, ...)`: a measure written straight to the database, as the demo
  writes one ("Average reablement episode (days): 23 (1 April 2025) → 17 (1 October 2025),
  target 15" unless told otherwise).
- `measure_form(...)`: a valid POST of the measure form; `overrides` replace fields (dates as
  dates, None to leave a field out).
- `measure_url(...)`, `new_measure_url(...)`: the pages' addresses.
"""

from datetime import date
from decimal import Decimal

from django.urls import reverse

from improvement_plans.models import Measure
from tests.helpers import date_fields

REABLEMENT_LINE = (
    "Average reablement episode (days): 23 (1 April 2025) → 17 (1 October 2025), target 15"
)


def make_measure(
    system,
    change,
    *,
    name: str = "Average reablement episode",
    unit: str = "days",
    baseline: str = "23",
    baseline_on: date = date(2025, 4, 1),
    latest: str | None = "17",
    latest_on: date | None = date(2025, 10, 1),
    target: str | None = "15",
) -> Measure:
    return Measure.objects.create(
        system=system,
        change=change,
        name=name,
        unit=unit,
        baseline_value=Decimal(baseline),
        baseline_on=baseline_on,
        latest_value=Decimal(latest) if latest is not None else None,
        latest_on=latest_on if latest is not None else None,
        target_value=Decimal(target) if target is not None else None,
    )


def measure_form(**overrides) -> dict:
    baseline_on = overrides.pop("baseline_on", date(2025, 4, 1))
    latest_on = overrides.pop("latest_on", date(2025, 10, 1))
    data = {
        "name": "Average reablement episode",
        "unit": "days",
        "baseline_value": "23",
        "latest_value": "17",
        "target_value": "15",
        **date_fields("baseline_on", baseline_on),
        **date_fields("latest_on", latest_on),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def new_measure_url(round_, code: str) -> str:
    return reverse("measure_new", args=[round_.public_id, code])


def measure_url(round_, measure: Measure, name: str = "measure_edit") -> str:
    return reverse(name, args=[round_.public_id, measure.public_id])


def errors_of(response) -> dict:
    return {name: list(messages) for name, messages in response.context["form"].errors.items()}
