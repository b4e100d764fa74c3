"""Words the GOV.UK way, for Python code and the template filters alike (templatetags/portal):
dates ("31 March 2027"), times ("2:16pm"), moments ("2:16pm on 27 November 2026") and
possessives; and dates read back as people type them (`parse_date`)."""

from datetime import date, datetime, time

from django.utils import timezone


def possessive(name) -> str:
    """A name's possessive: "Testshire Council's", "Northshire Homes'" (a name ending in s
    takes the apostrophe alone, as GOV.UK style has it for plural names)."""
    text = str(name)
    if not text:
        return ""
    return f"{text}'" if text.endswith(("s", "S")) else f"{text}'s"


def govuk_time(value) -> str:
    """A time the GOV.UK way, in the portal's time zone: 9am, 2:51pm, midday, midnight."""
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


def govuk_date(value) -> str:
    """A date the GOV.UK way: 31 March 2027 (a date-time in the portal's time zone; an ISO
    string, as in an issued return's snapshot, is read first)."""
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


# The forms a date may be typed in an import: 2019-09-12, 12/09/2019, 12 September 2019.
DATE_FORMS = ("%Y-%m-%d", "%d/%m/%Y", "%d %B %Y")
DATE_EXAMPLE = "12 September 2019, 12/09/2019 or 2019-09-12"


def parse_date(text) -> date:
    """A date as a person types it: "2019-09-12", "12/09/2019" (day first, as in the UK) or
    "12 September 2019" (the month's name in any case). Raises ValueError with a message
    saying what was wrong."""
    cleaned = " ".join(str(text or "").split())
    if not cleaned:
        raise ValueError(f"Enter a date, like {DATE_EXAMPLE}")
    for form in DATE_FORMS:
        try:
            return datetime.strptime(cleaned.title() if "%B" in form else cleaned, form).date()
        except ValueError:
            continue
    raise ValueError(f"{cleaned} is not a date: write it like {DATE_EXAMPLE}")


def govuk_datetime(value) -> str:
    """A moment the GOV.UK way: 2:16pm on 27 November 2026."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    return f"{govuk_time(value)} on {govuk_date(value)}"


def start_of_day(day: date) -> datetime:
    """The moment `day` begins in the portal's time zone: a round recorded afterwards is agreed
    then, and "agreed on or before a date" and "held before today" compare with it."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())
