"""Template helpers of our own."""

from django import forms, template

register = template.Library()


@register.filter
def error_links(bound_field) -> list[tuple[str, str]]:
    """(anchor, message) for each error of a field, where the anchor is an element that can
    take focus: the first option of radios and checkboxes, the day box of a date."""
    field_id = bound_field.auto_id
    widget = bound_field.field.widget
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        # crispy-forms-gds numbers the options from 1.
        anchor = f"{field_id}_1"
    elif isinstance(widget, forms.MultiWidget):
        anchor = f"{field_id}_0"
    else:
        anchor = field_id
    return [(anchor, str(message)) for message in bound_field.errors]


@register.filter
def money(value) -> str:
    """Pounds with thousands separators and pence: 125000.5 -> 125,000.50."""
    from decimal import Decimal, InvalidOperation

    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return str(value)


@register.filter
def govuk_time(value) -> str:
    """A time the GOV.UK way, in the portal's time zone: 9am, 2:51pm, midday, midnight."""
    from django.utils import timezone

    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    if (value.hour, value.minute) == (12, 0):
        return "midday"
    if (value.hour, value.minute) == (0, 0):
        return "midnight"
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"
