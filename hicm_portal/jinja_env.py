"""Jinja2, for the few templates that print hundreds of values: the BCF return's body and its
charts, the plan page's change cards and the approval page's cards (templates/jinja2/). Every
other page is a Django template.

Why two engines: the return's body (tables, a radar chart and a small chart per change) is
shared by the web preview and the PDF, and Django's template engine spent more time printing
it than the rest of the preview page took altogether. Jinja2 compiles a template to Python, so
the same markup prints several times faster. Its templates escape like Django's
(autoescape is on), and the filters below are the Django ones the body uses.

A Django page shows a Jinja2 part through `render_html(name, context)`, which returns it as
safe markup to print with `{{ }}`.
"""

from django.template import engines
from django.template.defaultfilters import linebreaksbr
from django.utils.safestring import SafeString, mark_safe
from jinja2 import ChainableUndefined, Environment

from hicm_portal.templatetags.pdf_text import breakable
from hicm_portal.templatetags.portal import money
from hicm_portal.words import govuk_date


def environment(**options) -> Environment:
    """The Jinja2 environment of settings.TEMPLATES. A missing name prints nothing, as in
    Django's templates: a return issued before a field was added still prints."""
    options = {k: v for k, v in options.items() if k not in ("autoescape", "undefined")}
    env = Environment(autoescape=True, undefined=ChainableUndefined, **options)
    env.filters.update(
        {
            "breakable": breakable,
            "linebreaksbr": lambda value: linebreaksbr(value, autoescape=True),
            "money": money,
            "govuk_date": govuk_date,
        }
    )
    return env


def render_html(name: str, context: dict, request=None) -> SafeString:
    """A Jinja2 template (templates/jinja2/`name`) rendered for printing in a Django template.
    Jinja2 has escaped what it printed, so the result is marked safe. With the `request`, the
    template has Django's `csrf_input` for its forms."""
    html = engines["jinja2"].get_template(name).render(context, request)
    return mark_safe(html)  # noqa: S308 - autoescaped by Jinja2 as it rendered
