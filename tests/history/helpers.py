"""Shared builders for the tests of rounds recorded afterwards (no tests of their own).

- `LEVELS_2019`: a county's 2019/20 BCF plan appendix on the 2017 model, change by change:
  (agreed level, planned level), planned "by 31 March 2020".
- `recorded_levels(framework, ...)`: those levels as the service takes them.
- `record_2019_20(cast, framework, ...)`: the round recorded by the system's facilitator.
- `recorded_form(framework, ...)`: the same round as the page's form posts it.
"""

from datetime import date

from assessments.history_services import RecordedLevel, field_key, round_record_afterwards
from assessments.models import Change, Framework, Round
from tests.helpers import date_fields

AGREED_ON = date(2019, 9, 12)
PLANNED_BY = date(2020, 3, 31)
APPROVAL_NOTE = "Health and Wellbeing Board, 12 September 2019"
# change code: (agreed level, planned level by 31 March 2020)
LEVELS_2019 = {
    "1": (3, 4),
    "2": (2, 3),
    "3": (3, 4),
    "4": (2, 4),
    "5": (1, 3),
    "6": (2, 3),
    "7": (4, 4),
    "8": (2, 3),
}


def recorded_levels(framework: Framework, levels: dict | None = None) -> list[RecordedLevel]:
    levels = LEVELS_2019 if levels is None else levels
    by_number = {level.number: level for level in framework.levels.all()}
    recorded = []
    for change in Change.objects.filter(framework=framework, archived=False).order_by("position"):
        if change.code not in levels:
            continue
        agreed, planned = levels[change.code]
        recorded.append(
            RecordedLevel(
                change=change,
                level=by_number[agreed],
                planned_level=by_number[planned],
                planned_by=PLANNED_BY if planned > agreed else None,
                rationale=f"As agreed in 2019 ({change.code})" if agreed >= 4 else "",
                challenges=f"Workforce ({change.code})",
                milestones=f"Milestone met ({change.code})",
                support_needs="",
            )
        )
    return recorded


def record_2019_20(cast, framework: Framework, *, actor=None, **overrides) -> Round:
    arguments = {
        "actor": actor or cast.facilitator,
        "system": cast.system,
        "framework": framework,
        "name": "2019/20",
        "agreed_on": AGREED_ON,
        "approval_note": APPROVAL_NOTE,
        "levels": recorded_levels(framework),
        **overrides,
    }
    return round_record_afterwards(**arguments)


def recorded_form(framework: Framework, *, levels: dict | None = None, **overrides) -> dict:
    """A valid POST of the page's second step; `overrides` replace fields (dates as dates)."""
    levels = LEVELS_2019 if levels is None else levels
    by_number = {level.number: level.pk for level in framework.levels.all()}
    agreed_on = overrides.pop("agreed_on", AGREED_ON)
    data = {
        "name": "2019/20",
        "approval_note": APPROVAL_NOTE,
        "previous_round": "",
        **date_fields("agreed_on", agreed_on),
    }
    for change in Change.objects.filter(framework=framework, archived=False):
        agreed, planned = levels.get(change.code, (None, None))
        data[field_key(change, "level")] = by_number.get(agreed, "")
        data[field_key(change, "planned_level")] = by_number.get(planned, "")
        data.update(
            date_fields(
                field_key(change, "planned_by"),
                PLANNED_BY if agreed and planned and planned > agreed else None,
            )
        )
        data[field_key(change, "rationale")] = ""
        data[field_key(change, "challenges")] = f"Workforce ({change.code})"
        data[field_key(change, "milestones")] = ""
        data[field_key(change, "support_needs")] = ""
    data.update(overrides)
    return data
