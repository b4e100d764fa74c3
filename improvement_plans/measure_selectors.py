"""Reads of a system's local measures, for the plan's change cards, the review and workshop
pages (through the `measures` template tags) and the BCF return: one query for every measure
a page shows.

A measure is written two ways from one shape, the return's (`measure_values`): JSON-ready values
in an issued return's snapshot, and a line of text ("Average reablement episode (days): 23
(1 April 2025) → 17 (1 October 2025), target 15") wherever a page or the return prints it.
"""

import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.urls import reverse

from assessments.framework_content import content_for_round
from hicm_portal.words import govuk_date
from improvement_plans.models import Measure

# Only what the pages and the return show.
_COLUMNS = (
    "public_id",
    "change_id",
    "name",
    "unit",
    "baseline_value",
    "baseline_on",
    "latest_value",
    "latest_on",
    "target_value",
)


def value_text(value) -> str:
    """A measure's value as people write it: 23, 23.5, 1,250, -4.25 (no trailing zeros). A
    value that is not a number comes back as it is."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = f"{number:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _plain(value: Decimal | None) -> str | None:
    """A value as the return's data keeps it: "23", "23.5", "1250" (no separators)."""
    if value is None:
        return None
    return value_text(value).replace(",", "")


def measure_values(measure: Measure) -> dict:
    """A measure as JSON-ready values (the return's snapshot keeps these): dates in ISO form,
    values as text."""
    return {
        "name": measure.name,
        "unit": measure.unit,
        "baseline": _plain(measure.baseline_value),
        "baseline_on": measure.baseline_on.isoformat(),
        "latest": _plain(measure.latest_value),
        "latest_on": measure.latest_on.isoformat() if measure.latest_on else None,
        "target": _plain(measure.target_value),
    }


def measure_line(values: dict) -> str:
    """One measure in words, from `measure_values`: "Average reablement episode (days): 23
    (1 April 2025) → 17 (1 October 2025), target 15"."""
    name = f"{values['name']} ({values['unit']})" if values.get("unit") else values["name"]
    line = f"{name}: {value_text(values['baseline'])} ({govuk_date(values['baseline_on'])})"
    if values.get("latest") is not None:
        line += f" → {value_text(values['latest'])} ({govuk_date(values['latest_on'])})"
    if values.get("target") is not None:
        line += f", target {value_text(values['target'])}"
    return line


@dataclass
class ShownMeasure:
    """A measure as a page shows it: its line, and its values ready for a table."""

    public_id: str
    name: str
    unit: str
    baseline: str  # "23 (1 April 2025)"
    latest: str  # "17 (1 October 2025)", or ""
    target: str  # "15", or ""
    line: str
    edit_url: str = ""  # on the plan: its pages to change and remove it
    remove_url: str = ""


def _shown(measure: Measure) -> ShownMeasure:
    values = measure_values(measure)
    latest = ""
    if measure.latest_value is not None:
        latest = f"{value_text(measure.latest_value)} ({govuk_date(measure.latest_on)})"
    return ShownMeasure(
        public_id=str(measure.public_id),
        name=measure.name,
        unit=measure.unit,
        baseline=f"{value_text(measure.baseline_value)} ({govuk_date(measure.baseline_on)})",
        latest=latest,
        target=value_text(measure.target_value),
        line=measure_line(values),
    )


def _measures(system_id: int, change_ids) -> list[Measure]:
    return list(
        Measure.objects.filter(system=system_id, change__in=list(change_ids))
        .only(*_COLUMNS)
        .order_by("change_id", "name", "pk")
    )


def measures_by_change(system_id: int, change_ids) -> dict[int, list[ShownMeasure]]:
    """The system's measures of these changes as pages show them, by change id (every change
    asked for has a list, perhaps empty). One query."""
    change_ids = list(change_ids)
    shown: dict[int, list[ShownMeasure]] = {change_id: [] for change_id in change_ids}
    for measure in _measures(system_id, change_ids):
        shown[measure.change_id].append(_shown(measure))
    return shown


def measure_values_by_change(system_id: int, change_ids) -> dict[int, list[dict]]:
    """The system's measures of these changes as the return's data keeps them
    (`measure_values`), by change id. One query."""
    change_ids = list(change_ids)
    values: dict[int, list[dict]] = {change_id: [] for change_id in change_ids}
    for measure in _measures(system_id, change_ids):
        values[measure.change_id].append(measure_values(measure))
    return values


@dataclass
class ChangeMeasures:
    """What a change's card on the plan shows of measures: the system's own, and the ones the
    framework suggests that it has not adopted yet, each with its place in the framework's
    list (`index`) and the address that adopts it (`url`), and the address of the page that
    adds a measure (`new_url`)."""

    measures: list[ShownMeasure]
    suggestions: list[dict]  # {"index", "name", "unit", "url"}
    new_url: str = ""


def plan_measures(round_, changes=None) -> dict[int, ChangeMeasures]:
    """Per live change of the round's framework (by id): the system's measures with the
    addresses of their pages, and the suggested measures not adopted yet (a measure of the
    same name adopts it). One query; the changes come from the framework's cached content
    unless given (`changes`)."""
    if changes is None:
        changes = content_for_round(round_).live_changes
    shown = measures_by_change(round_.system_id, [change.pk for change in changes])
    # One reverse() per kind of address, not per measure (`selectors._addresses`' reason).
    placeholder = uuid.UUID(int=0)
    edit = reverse("measure_edit", args=[round_.public_id, placeholder])
    remove = reverse("measure_remove", args=[round_.public_id, placeholder])
    cards = {}
    for change in changes:
        names = set()
        for measure in shown[change.pk]:
            names.add(measure.name.casefold())
            measure.edit_url = edit.replace(str(placeholder), measure.public_id)
            measure.remove_url = remove.replace(str(placeholder), measure.public_id)
        new_url = reverse("measure_new", args=[round_.public_id, change.code])
        suggestions = [
            {
                "index": index,
                "name": suggestion["name"],
                "unit": suggestion.get("unit", ""),
                "url": f"{new_url}?suggested={index}",
            }
            for index, suggestion in enumerate(change.suggested_measures or [])
            if suggestion["name"].casefold() not in names
        ]
        cards[change.pk] = ChangeMeasures(
            measures=shown[change.pk], suggestions=suggestions, new_url=new_url
        )
    return cards
