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
def govuk_field(bound_field) -> dict:
    """What a page needs to write a field's GOV.UK markup itself, without a template per field
    or per option: its ids, value, hint, errors and, for radios, the options. The ids are
    crispy-forms-gds's (options numbered from 1, errors `<id>_<n>_error`), so the error
    summary's links and the browser tests find the same elements."""
    field_id = bound_field.auto_id
    hint_id = f"{field_id}_hint" if bound_field.help_text else ""
    errors = [
        (f"{field_id}_{number}_error", str(message))
        for number, message in enumerate(bound_field.errors, start=1)
    ]
    value = bound_field.value()
    value = "" if value is None else str(value)
    options = []
    if isinstance(bound_field.field.widget, forms.RadioSelect):
        name = bound_field.html_name
        for position, choice in enumerate(bound_field.field.choices, start=1):
            option_id = f"id_{name}_{position}"
            hint = getattr(choice, "hint", "")
            options.append(
                {
                    "id": option_id,
                    "value": str(choice[0]),
                    "label": choice[1],
                    "hint": hint,
                    "hint_id": f"{option_id}_hint" if hint else "",
                    "checked": str(choice[0]) == value,
                }
            )
    return {
        "id": field_id,
        "name": bound_field.html_name,
        "label": bound_field.label,
        "value": value,
        "hint": bound_field.help_text,
        "hint_id": hint_id,
        "errors": errors,
        "described_by": " ".join([hint_id, *(error_id for error_id, _ in errors)]).strip(),
        "options": options,
    }


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


@register.filter
def govuk_date(value) -> str:
    """A date the GOV.UK way: 31 March 2027 (a date-time in the portal's time zone; an ISO
    string, as in an issued return's snapshot, is read first)."""
    from datetime import date, datetime

    from django.utils import timezone

    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value.day} {value:%B %Y}"


@register.filter
def govuk_datetime(value) -> str:
    """A moment the GOV.UK way: 2:16pm on 27 November 2026."""
    from datetime import datetime

    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    return f"{govuk_time(value)} on {govuk_date(value)}"


@register.filter(needs_autoescape=True)
def possessive(name, autoescape: bool = True) -> str:
    """A name's possessive: "Testshire Council's", "Northshire Homes'" (a name ending in s
    takes the apostrophe alone). The name is escaped where the page escapes; the apostrophe
    is printed as it is."""
    from django.utils.html import conditional_escape
    from django.utils.safestring import mark_safe

    from hicm_portal.words import possessive as possessive_of

    text = str(name)
    if not autoescape:
        return possessive_of(text)
    # Escape the name alone, so the apostrophe prints as it is.
    return mark_safe(possessive_of(conditional_escape(text)))  # noqa: S308 - the name is escaped
