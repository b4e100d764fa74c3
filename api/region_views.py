"""The API's regions and the nation: where systems stand, for regional and national viewers,
read as the region and national summary pages read it (`regions.access`, `regions.selectors`,
and the pages' own filter form)."""

import rules
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from assessments.models import Region
from regions.access import nation_for, region_for
from regions.forms import LevelsFilterForm
from regions.selectors import filter_choices, levels_map, systems_read, viewed_regions


class RegionList(generics.ListAPIView):
    """The regions whose pages the person reads: every region for a national viewer or a site
    administrator, a regional viewer's own regions, none for anyone else."""

    serializer_class = s.RegionSerializer
    pagination_class = None

    def get_queryset(self):
        if rules.test_rule("regions.view_nation", self.request.user):
            return Region.objects.order_by("name")
        return viewed_regions(self.request.user)


SUMMARY_FILTERS = [
    OpenApiParameter("framework", OpenApiTypes.STR, description="A framework's key."),
    OpenApiParameter("as_of", OpenApiTypes.STR, description="As agreed on or before a date."),
    OpenApiParameter("period", OpenApiTypes.STR, description="Each system's round of this name."),
    OpenApiParameter("state", OpenApiTypes.STR, description="Its current round's state."),
    OpenApiParameter("crosswalk", OpenApiTypes.STR, enum=["yes", "no"]),
]


def _summary(request, systems, region) -> Response:
    """The counts per change of the latest agreed levels of `systems`, filtered as the summary
    page filters them (the same form, so the same defaults and messages)."""
    choices = filter_choices(systems)
    if choices.default is None:
        raise Http404("No framework is loaded")
    form = LevelsFilterForm(
        request.query_params,
        frameworks=choices.frameworks,
        default=choices.default,
        periods=choices.periods,
    )
    if not form.is_valid():
        errors = {field: list(messages) for field, messages in form.errors.items()}
        return Response(errors, status=status.HTTP_400_BAD_REQUEST)
    filters = form.filters()
    data = levels_map(systems, filters, rows=False)
    answer = {
        "region": region,
        "framework": filters.framework.key,
        "filters": filters.words(),
        "changes": data["summary"],
    }
    return Response(s.SummarySerializer(answer).data)


@extend_schema(parameters=SUMMARY_FILTERS, responses=s.SummarySerializer)
class RegionSummary(APIView):
    """A region's summary: how many of its systems are at each level of each change."""

    def get(self, request, slug):
        region = region_for(request, slug)
        return _summary(request, systems_read(request.user, region), region)


@extend_schema(parameters=SUMMARY_FILTERS, responses=s.SummarySerializer)
class NationalSummary(APIView):
    """The nation's summary: national viewers and site administrators only."""

    def get(self, request):
        nation_for(request)
        return _summary(request, systems_read(request.user), None)
