"""The API under /api/: its OpenAPI description, its documentation, and the resources.

Plain paths rather than a router: the parameters are named as the pages' are (`public_id`,
`slug`, `key`, `issued_id`), so the portal's every-URL tests walk the API too."""

from django.contrib.auth.decorators import login_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import hicm_portal.converters  # noqa: F401 (registers <fileformat:>)
from api import action_views, region_views, views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # A page for people: someone not signed in is sent to sign in, as on every page.
    path(
        "docs/",
        login_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="api:schema", template_name="api/swagger_ui.html"
            )
        ),
        name="docs",
    ),
    path("frameworks/", views.FrameworkList.as_view(), name="frameworks"),
    path("frameworks/<slug:key>/", views.FrameworkDetail.as_view(), name="framework"),
    path("systems/", views.SystemList.as_view(), name="systems"),
    path("systems/<slug:slug>/", views.SystemDetail.as_view(), name="system"),
    path("systems/<slug:slug>/rounds/", views.SystemRoundList.as_view(), name="system_rounds"),
    path("rounds/", views.RoundList.as_view(), name="rounds"),
    path("rounds/<uuid:public_id>/", views.RoundDetail.as_view(), name="round"),
    path(
        "rounds/<uuid:public_id>/agreed-levels/",
        views.AgreedLevelList.as_view(),
        name="agreed_levels",
    ),
    path("rounds/<uuid:public_id>/ratings/", views.RatingList.as_view(), name="ratings"),
    path("rounds/<uuid:public_id>/plan/", views.Plan.as_view(), name="plan"),
    path(
        "rounds/<uuid:public_id>/returns/",
        views.RoundIssuedReturnList.as_view(),
        name="round_returns",
    ),
    path("returns/<uuid:issued_id>/", views.IssuedReturnDetail.as_view(), name="issued_return"),
    path(
        "returns/<uuid:issued_id>/<fileformat:file_format>/",
        views.IssuedReturnFile.as_view(),
        name="issued_return_file",
    ),
    path("actions/", action_views.ActionList.as_view(), name="actions"),
    path("actions/<uuid:public_id>/", action_views.ActionDetail.as_view(), name="action"),
    path(
        "actions/<uuid:public_id>/progress/", action_views.ActionProgress.as_view(), name="progress"
    ),
    path("regions/", region_views.RegionList.as_view(), name="regions"),
    path(
        "regions/<slug:slug>/summary/", region_views.RegionSummary.as_view(), name="region_summary"
    ),
    path("national/summary/", region_views.NationalSummary.as_view(), name="national_summary"),
]
