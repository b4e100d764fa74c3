"""The region and national pages: read-only, agreed rounds only (regions.selectors)."""

import tablib
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from hicm_portal import spreadsheets
from regions.access import nation_for, region_for
from regions.forms import LevelsFilterForm
from regions.selectors import (
    APPROVAL_WAITING_DAYS,
    filter_choices,
    levels_map,
    map_table,
    region_counts,
    region_rows,
    summary_table,
    systems_read,
)

DOWNLOADS = {"csv": spreadsheets.CSV_CONTENT_TYPE, "xlsx": spreadsheets.XLSX_CONTENT_TYPE}


@login_required
@require_GET
def region(request: HttpRequest, slug: str) -> HttpResponse:
    region = region_for(request, slug)
    rows = region_rows(request.user, systems_read(request.user, region))
    return render(
        request,
        "regions/region.html",
        {"region": region, "rows": rows, "approval_days": APPROVAL_WAITING_DAYS},
    )


@login_required
@require_GET
def region_levels(request: HttpRequest, slug: str) -> HttpResponse:
    region = region_for(request, slug)
    return _levels_page(request, systems_read(request.user, region), region=region, map_=True)


@login_required
@require_GET
def region_summary(request: HttpRequest, slug: str) -> HttpResponse:
    region = region_for(request, slug)
    return _levels_page(request, systems_read(request.user, region), region=region, map_=False)


@login_required
@require_GET
def national(request: HttpRequest) -> HttpResponse:
    nation_for(request)
    return render(request, "regions/national.html", {"regions": region_counts()})


@login_required
@require_GET
def national_summary(request: HttpRequest) -> HttpResponse:
    nation_for(request)
    return _levels_page(request, systems_read(request.user), region=None, map_=False)


def _levels_page(request: HttpRequest, systems, *, region, map_: bool) -> HttpResponse:
    """The levels map (`map_`) or the summary of `systems`, filtered by the GET form; with
    ?download=csv or xlsx the same as a file."""
    choices = filter_choices(systems)
    template = "regions/levels.html" if map_ else "regions/summary.html"
    context = {"region": region, "choices": choices}
    if choices.default is None:
        return render(request, template, context)
    form = LevelsFilterForm(
        request.GET, frameworks=choices.frameworks, default=choices.default, periods=choices.periods
    )
    context["form"] = form
    if not form.is_valid():
        return render(request, template, context)
    filters = form.filters()
    data = levels_map(systems, filters, rows=map_)
    file_format = request.GET.get("download")
    if file_format in DOWNLOADS:
        if map_:
            headers, rows = map_table(data)
        else:
            headers, rows = summary_table(filters.framework, data["summary"], previous=True)
        place = region.name if region else "national"
        title = f"{place} {'levels' if map_ else 'summary'} {filters.framework.key}"
        return _download(headers, rows, title, file_format)
    context.update(data)
    context["filters"] = filters
    return render(request, template, context)


def _download(headers: list[str], rows: list[list], title: str, file_format: str) -> HttpResponse:
    dataset = tablib.Dataset(*rows, headers=headers, title=title[:31])
    content = spreadsheets.export_dataset(dataset, file_format)
    response = HttpResponse(content, content_type=DOWNLOADS[file_format])
    response["Content-Disposition"] = f'attachment; filename="{slugify(title)}.{file_format}"'
    return response
