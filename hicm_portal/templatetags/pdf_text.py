"""Template filters for user text in the portal's documents (templates/pdf/)."""

import re

from django import template
from django.utils.safestring import SafeData

register = template.Library()

ZERO_WIDTH_SPACE = "\u200b"
# A run of characters with nowhere to break this long is broken up; shorter runs (words, most web
# addresses) are left as they are, and the CSS of templates/pdf/base.html wraps them if it must.
LONG_RUN = 60
_UNBROKEN = re.compile(rf"[^\s{ZERO_WIDTH_SPACE}]+")


@register.filter
def breakable(value, longest: int = LONG_RUN) -> str:
    """User text that wraps however long its runs of characters with nowhere to break (a pasted
    row of dashes, a very long address): a run of `longest` or more gets an invisible break
    opportunity every `longest // 2` characters.

    Without them such a run overflows its line and is cut off at the edge of the page. CSS
    `overflow-wrap` wraps it too, but WeasyPrint then lays out the rest of the run again for each
    line (seconds for a few thousand characters, minutes inside a table). Use it on raw text,
    before any filter that escapes it (`{{ text|breakable|linebreaksbr }}`); in a narrow table
    cell, with a shorter `longest` (`{{ title|breakable:24 }}`). Text marked safe is left as is.
    """
    if isinstance(value, SafeData):
        return value
    text = str(value)
    longest = int(longest)
    if len(text) < longest:  # no run can be that long: most text, at no cost
        return text
    chunk = max(1, longest // 2)

    def split(match: re.Match) -> str:
        run = match.group()
        if len(run) < longest:
            return run
        pieces = (run[start : start + chunk] for start in range(0, len(run), chunk))
        return ZERO_WIDTH_SPACE.join(pieces)

    return _UNBROKEN.sub(split, text)
