"""Template helpers of the practice library, for its own pages and for other apps' pages
(`assessments` shows practice beside a change without importing this app)."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from casestudies.selectors import case_studies_for_changes

register = template.Library()


@register.simple_tag
def case_studies_for_change(change) -> list:
    """Published case studies for a framework's change, crosswalk included:
    `{% case_studies_for_change change as studies %}`."""
    return case_studies_for_changes([change.pk])[change.pk]


@register.filter
def paragraphs(text: str) -> SafeString:
    """Text with blank lines between paragraphs as GOV.UK paragraphs; a block whose every line
    starts with "- " as a bulleted list. Everything is escaped."""
    html = []
    for block in str(text or "").replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        if not lines:
            continue
        if all(line.startswith("- ") for line in lines):
            items = format_html_join("", "<li>{}</li>", ((line[2:].strip(),) for line in lines))
            html.append(format_html('<ul class="govuk-list govuk-list--bullet">{}</ul>', items))
        else:
            html.append(format_html('<p class="govuk-body">{}</p>', " ".join(lines)))
    return format_html_join("\n", "{}", ((part,) for part in html))
