"""Template helpers of our own."""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template

from hicm_portal import fragments

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


def _choice_key(choice) -> tuple:
    """A choice as plain values: crispy-forms-gds `Choice` objects carry a hint."""
    if isinstance(choice, tuple | list):
        return tuple(
            _choice_key(part) if isinstance(part, tuple | list) else str(part) for part in choice
        )
    return tuple(sorted((name, str(value)) for name, value in vars(choice).items()))


def _field_key(bound_field) -> tuple:
    """Everything a field's GOV.UK markup is made from: the form and field, the widget and its
    attributes, the choices, the value, the errors and the form helper's settings."""
    field, form = bound_field.field, bound_field.form
    helper = getattr(form, "helper", None)
    return (
        type(form).__module__,
        type(form).__qualname__,
        bound_field.html_name,
        bound_field.auto_id,
        str(bound_field.label),
        str(field.help_text),
        field.required,
        field.disabled,
        field.show_hidden_initial,
        form.use_required_attribute,
        form.is_bound,
        type(field.widget).__qualname__,
        tuple(sorted((k, str(v)) for k, v in field.widget.attrs.items())),
        tuple(_choice_key(c) for c in getattr(field, "choices", ())),
        repr(bound_field.value()),
        tuple(str(e) for e in bound_field.errors),
        repr(sorted(helper.get_attributes("gds").items(), key=str)) if helper else "",
    )


@register.filter
def as_gds_field(bound_field):
    """`as_crispy_field`, remembered: a field's markup is a pure function of `_field_key`, so
    the same field in the same state (an empty evidence row, a change's level radios with one
    chosen) is rendered once per worker, not once per request."""
    return fragments.cached("field", _field_key(bound_field), lambda: as_crispy_field(bound_field))


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
