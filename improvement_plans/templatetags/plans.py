from django import template

from improvement_plans.selectors import finished_actions_for

register = template.Library()


@register.simple_tag
def finished_actions(round_, change) -> list:
    """Actions of the plans this round started from that finished for this change."""
    return finished_actions_for(round_, change)
