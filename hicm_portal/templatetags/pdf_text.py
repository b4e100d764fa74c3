"""Template filters for user text in the portal's documents (templates/pdf/)."""

import re

from django import template
from django.utils.safestring import SafeData

register = template.Library()

ZERO_WIDTH_SPACE = "\u200b"
# A run of this many characters with nowhere to break (a pasted address, a row of dashes) gets
# a break opportunity every CHUNK characters; shorter words are left alone.
LONG_RUN = 30
CHUNK = 20
_UNBROKEN = re.compile(rf"[^\s{ZERO_WIDTH_SPACE}]{{{LONG_RUN},}}")


def _split(match: re.Match) -> str:
    run = match.group()
    return ZERO_WIDTH_SPACE.join(run[start : start + CHUNK] for start in range(0, len(run), CHUNK))


@register.filter
def breakable(value) -> str:
    """User text that wraps however long its words: invisible break opportunities inside runs
    of characters with nowhere to break.

    Without them a long run overflows its line and is cut off at the edge of the page; CSS
    `overflow-wrap` would wrap it too, but WeasyPrint then lays out each such run again and
    again (seconds per run, minutes inside tables). Use it on raw text, before any filter that
    escapes it (`{{ text|breakable|linebreaksbr }}`); text already marked safe is left as is.
    """
    if isinstance(value, SafeData):
        return value
    return _UNBROKEN.sub(_split, str(value))
