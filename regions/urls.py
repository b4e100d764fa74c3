from django.urls import path

from regions import document_views, views

urlpatterns = [
    path("national/", views.national, name="national"),
    path("national/summary/", views.national_summary, name="national_summary"),
    path("regions/<slug:slug>/", views.region, name="region"),
    path("regions/<slug:slug>/levels/", views.region_levels, name="region_levels"),
    path("regions/<slug:slug>/summary/", views.region_summary, name="region_summary"),
    path(
        "regions/<slug:slug>/returns.zip",
        document_views.region_returns_zip,
        name="region_returns_zip",
    ),
    path("regions/<slug:slug>/report.pdf", document_views.region_report, name="region_report"),
]
