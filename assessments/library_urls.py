"""The framework library for site administrators: every framework to download as a spreadsheet
or YAML, the empty template, and uploading a framework (preview, then confirm). Under
`library/frameworks/`, apart from the frameworks' own pages (`frameworks/<key>/`)."""

from django.urls import path

import hicm_portal.converters  # noqa: F401 (registers <fileformat:>)
from assessments import library_views

urlpatterns = [
    path("library/frameworks/", library_views.library, name="library"),
    path("library/frameworks/template/", library_views.library_template, name="library_template"),
    path("library/frameworks/upload/", library_views.library_upload, name="library_upload"),
    path(
        "library/frameworks/upload/confirm/",
        library_views.library_upload_confirm,
        name="library_upload_confirm",
    ),
    path(
        "library/frameworks/<slug:key>/download/<fileformat:file_format>/",
        library_views.library_download,
        name="library_download",
    ),
]
