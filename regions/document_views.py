"""A region's downloads: its systems' latest issued returns as one zip, and the region report
PDF. Both are made in the request (`regions.documents` says why, and what each costs)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from regions import documents
from regions.access import region_for
from regions.forms import LevelsFilterForm
from regions.selectors import filter_choices, systems_read


@login_required
@require_GET
def region_returns_zip(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    """Each system's latest issued return PDF, as stored when it was issued, with an index."""
    region = region_for(request, slug)
    entries = documents.region_latest_returns(systems_read(request.user, region))
    response = StreamingHttpResponse(
        documents.returns_zip_stream(region=region, entries=entries),
        content_type="application/zip",
    )
    response["Content-Disposition"] = f'attachment; filename="{documents.returns_zip_name(region)}"'
    return response


@login_required
@require_GET
def region_report(request: HttpRequest, slug: str) -> HttpResponse:
    """The region report PDF, for the filters of the region's summary page (its query
    string). Filters that do not make sense go back to that page, which says what is wrong."""
    region = region_for(request, slug)
    systems = systems_read(request.user, region)
    choices = filter_choices(systems)
    if choices.default is None:
        raise Http404("There is no framework to report on")
    form = LevelsFilterForm(
        request.GET, frameworks=choices.frameworks, default=choices.default, periods=choices.periods
    )
    if not form.is_valid():
        query = request.GET.urlencode()
        return redirect(f"{reverse('region_summary', args=[region.slug])}?{query}")
    content = documents.region_report_pdf(region=region, systems=systems, filters=form.filters())
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{documents.region_report_name(region)}"'
    )
    return response
