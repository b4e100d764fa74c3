"""A framework's wording versions and what changed between two of them."""

from django.urls import path

from assessments import version_views

urlpatterns = [
    path(
        "frameworks/<slug:key>/versions/",
        version_views.framework_versions,
        name="framework_versions",
    ),
    path(
        "frameworks/<slug:key>/versions/compare/",
        version_views.framework_versions_compare,
        name="framework_versions_compare",
    ),
]
