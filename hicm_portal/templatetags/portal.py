"""Template helpers of our own."""

from django import forms, template

from hicm_portal import words
from hicm_portal.money import format_amount

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
    or per option: its ids, value, hint, errors and, for radios and selects, the options. The
    ids are crispy-forms-gds's (options numbered from 1, errors `<id>_<n>_error`), so the
    error summary's links and the browser tests find the same elements."""
    field_id = bound_field.auto_id
    hint_id = f"{field_id}_hint" if bound_field.help_text else ""
    errors = [
        (f"{field_id}_{number}_error", str(message))
        for number, message in enumerate(bound_field.errors, start=1)
    ]
    value = bound_field.value()
    value = "" if value is None else str(value)
    options = []
    if isinstance(bound_field.field.widget, forms.RadioSelect | forms.Select):
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
    """Pounds with thousands separators and pence: 125000.5 -> 125,000.50 (the rule is
    hicm_portal.money's, for Python code alike)."""
    return format_amount(value)


# Dates and times the GOV.UK way: the rules are hicm_portal.words', for Python code alike.
register.filter("govuk_time", words.govuk_time)
register.filter("govuk_date", words.govuk_date)
register.filter("govuk_datetime", words.govuk_datetime)


@register.filter(needs_autoescape=True)
def possessive(name, autoescape: bool = True) -> str:
    """A name's possessive: "Testshire Council's", "Northshire Homes'" (a name ending in s
    takes the apostrophe alone). The name is escaped where the page escapes; the apostrophe
    is printed as it is."""
    from django.utils.html import conditional_escape
    from django.utils.safestring import mark_safe

    text = str(name)
    if not autoescape:
        return words.possessive(text)
    # Escape the name alone, so the apostrophe prints as it is.
    return mark_safe(words.possessive(conditional_escape(text)))  # noqa: S308 - the name is escaped
