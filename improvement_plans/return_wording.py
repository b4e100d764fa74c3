"""The words of a BCF return that are worked out from its data, the same for the web page, the
PDF, the Word document and the workbook: its title, the levels table's headings and cells, and
the one-sentence summary that opens the levels section.

Everything here reads a return's data (`return_selectors.return_data`) as plain values, and
reads keys added since issue 12 with defaults: an issued return keeps the data of its day.

The table is headed as the 2019/20 BCF plan's Appendix C heads it: "Current position of
maturity" and "Maturity level planned to be reached by" a date. That date is the latest planned
date of the round; a change planned for another date says so in its own cell ("Mature by
30 September 2019"), so one heading never hides a different date.
"""

from assessments.statistics import established_level, number_word
from hicm_portal.words import govuk_date

# The appendix's title, before the framework's name, when a return has none of its own.
DEFAULT_TITLE_PREFIX = "Appendix C – "
# The title of a return issued before returns had one.
OLD_TITLE = "Better Care Fund return: High Impact Change Model"

CURRENT_HEADING = "Current position of maturity"
PLANNED_HEADING = "Maturity level planned to be reached"


def default_title(framework: str) -> str:
    return f"{DEFAULT_TITLE_PREFIX}{framework}"


def title_of(data: dict) -> str:
    return data.get("title") or OLD_TITLE


def recorded_afterwards(data: dict) -> str:
    """What the return says of a round recorded afterwards (empty for a round run in the
    portal): the page, the PDF and the Word file print this one sentence."""
    if not data.get("recorded_afterwards"):
        return ""
    approved = data.get("approval_note") or "not recorded"
    return (
        "Agreed before the portal and recorded in it afterwards; there are no partner ratings "
        f"behind these levels. Approved by: {approved}."
    )


def show_numbers(data: dict) -> bool:
    """Numbers before level names: the return's choice; a return issued before the choice
    existed printed them."""
    return data.get("show_level_numbers", True)


def level_label(level: dict | None, *, numbers: bool) -> str:
    """A level as the table writes it: "Established", or "3 Established" with numbers."""
    if not level:
        return ""
    return f"{level['number']} {level['name']}" if numbers else level["name"]


def planned_by(data: dict) -> str | None:
    """The date the levels table's heading names: the latest planned date (ISO), if any."""
    dates = [c["planned_by"] for c in data["changes"] if c.get("planned") and c.get("planned_by")]
    return max(dates) if dates else None


def planned_heading(data: dict) -> str:
    by = planned_by(data)
    return f"{PLANNED_HEADING} by {govuk_date(by)}" if by else "Maturity level planned"


def levels_section_heading(data: dict) -> str:
    heading = "Current position of maturity for each High Impact Change and planned level"
    by = planned_by(data)
    return f"{heading} of implementation by {govuk_date(by)}" if by else heading


def planned_cell(change: dict, *, by: str | None, numbers: bool) -> str:
    """A change's planned level, with its own date when it is not the heading's."""
    text = level_label(change.get("planned"), numbers=numbers)
    if not text:
        return "–"
    if change.get("planned_by") and change["planned_by"] != by:
        return f"{text} by {govuk_date(change['planned_by'])}"
    return text


def _names(changes: list[dict]) -> str:
    """Up to three changes by title ("A, B and C"); more as a count ("four changes")."""
    if len(changes) > 3:
        return f"{number_word(len(changes))} changes"
    titles = [c["title"] for c in changes]
    return titles[0] if len(titles) == 1 else f"{', '.join(titles[:-1])} and {titles[-1]}"


def _is(changes: list[dict]) -> str:
    return "is" if len(changes) == 1 else "are"


def _of_all(number: int, total: int) -> str:
    """The subject of the first clause: "All eight changes", "Six of the eight changes"."""
    if number == total:
        if total == 1:
            return "The one change"
        return "Both changes" if total == 2 else f"All {number_word(total)} changes"
    return f"{number_word(number).capitalize()} of the {number_word(total)} changes"


def _reference(scale: list[dict]) -> dict:
    """The level "Established or better" counts from (`established_level`, the one rule)."""
    number = established_level({level["number"]: level["name"] for level in scale})
    return next(level for level in scale if level["number"] == number)


def levels_summary(data: dict) -> str:
    """One sentence from the agreed levels, so the narrative cannot contradict the table
    unnoticed: "All eight changes are Established or better; Trusted assessors and Focus on
    choice are Mature."

    The changes at or above the reference level (Established) come first, with the highest
    level's changes named; those below it follow, by level, highest first; then the changes
    with no agreed level. Up to three changes are named, more are counted; numbers are words
    up to ten.
    """
    changes = data["changes"]
    if not changes:
        return ""
    rated = [c for c in changes if c.get("current")]
    if not rated:
        return "No change has an agreed level recorded."
    scale = data.get("levels") or list(
        {c["current"]["number"]: c["current"] for c in rated}.values()
    )
    reference = _reference(scale)
    total = len(changes)
    missing = [c for c in changes if not c.get("current")]
    tail = []
    if missing:
        tail.append(f"{_names(missing)} {'has' if len(missing) == 1 else 'have'} no agreed level")
    if len({c["current"]["number"] for c in rated}) == 1:
        first = f"{_of_all(len(rated), total)} {_is(rated)} {rated[0]['current']['name']}"
        return "; ".join([first, *tail]) + "."
    upper = [c for c in rated if c["current"]["number"] >= reference["number"]]
    clauses = []
    if upper:
        low = min(upper, key=lambda c: c["current"]["number"])["current"]
        high = max(upper, key=lambda c: c["current"]["number"])["current"]
        subject = _of_all(len(upper), total)
        if low["number"] == high["number"]:
            clauses.append(f"{subject} {_is(upper)} {low['name']}")
        else:
            clauses.append(f"{subject} {_is(upper)} {low['name']} or better")
            top = [c for c in upper if c["current"]["number"] == high["number"]]
            clauses.append(f"{_names(top)} {_is(top)} {high['name']}")
    else:
        everyone = "the change" if total == 1 else f"the {number_word(total)} changes"
        clauses.append(f"None of {everyone} is {reference['name']} or better")
    below: dict[int, list[dict]] = {}
    for change in rated:
        if change["current"]["number"] < reference["number"]:
            below.setdefault(change["current"]["number"], []).append(change)
    for number in sorted(below, reverse=True):
        group = below[number]
        clauses.append(f"{_names(group)} {_is(group)} {group[0]['current']['name']}")
    return "; ".join([*clauses, *tail]) + "."
