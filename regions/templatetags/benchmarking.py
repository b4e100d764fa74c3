"""Benchmarking on a system's agreed round, for the pages of `assessments`, which shows it
without importing this app: `{% load benchmarking %}{% round_benchmark round %}`."""

from django import template

from regions.benchmarking import SMALLEST_COMPARISON, round_benchmark

register = template.Library()


@register.inclusion_tag("regions/_benchmark.html", takes_context=True)
def round_benchmark_section(context, round_) -> dict:
    """Where the agreed round's levels sit in its region and in the nation, for the people of
    its system (`assessments.view_benchmark`); nothing for anyone else, such as a regional
    viewer, who reads the region's own pages."""
    user = context["request"].user
    shown = round_.is_agreed and user.has_perm("assessments.view_benchmark", round_)
    benchmark = round_benchmark(round_) if shown else None
    return {
        "benchmark": benchmark,
        "comparisons": [benchmark.region, benchmark.nation] if benchmark else [],
        "round": round_,
        "smallest": SMALLEST_COMPARISON,
    }
