"""Template helpers of a system's local measures, for the plan's change cards and for other
apps' pages (`assessments` shows a change's measures on its review and workshop pages
without importing this app)."""

from django import template

from improvement_plans.measure_selectors import (
    ChangeMeasures,
    ShownMeasure,
    measures_by_change,
    plan_measures,
)

register = template.Library()


@register.simple_tag
def measures_of_plan(round_) -> dict[int, ChangeMeasures]:
    """Every change's measures on a round's plan, in one query:
    `{% measures_of_plan round as measures %}`, then `measures|of_change:change`."""
    return plan_measures(round_)


@register.filter
def of_change(measures: dict, change) -> ChangeMeasures | list:
    """The entry of `measures` (by change id) for `change`."""
    return measures.get(change.pk) or ChangeMeasures(measures=[], suggestions=[])


@register.simple_tag
def measures_of_change(round_, change) -> list[ShownMeasure]:
    """The measures of the round's system for one change, in one query:
    `{% measures_of_change round change as measures %}`."""
    return measures_by_change(round_.system_id, [change.pk])[change.pk]
