"""Template helpers of a system's local measures, for other apps' pages (`assessments` shows a
change's measures on its review and workshop pages without importing this app). The plan's
change cards have theirs from `selectors.plan_rows`."""

from django import template

from improvement_plans.measure_selectors import ShownMeasure, measures_by_change

register = template.Library()


@register.simple_tag
def measures_of_change(round_, change) -> list[ShownMeasure]:
    """The measures of the round's system for one change, in one query:
    `{% measures_of_change round change as measures %}`."""
    return measures_by_change(round_.system_id, [change.pk])[change.pk]
