from django.urls import path

from casestudies import views

urlpatterns = [
    path("case-studies/", views.case_study_list, name="case_study_list"),
    path("case-studies/new/", views.case_study_new, name="case_study_new"),
    path("case-studies/<slug:slug>/", views.case_study_detail, name="case_study_detail"),
    path("case-studies/<slug:slug>/edit/", views.case_study_edit, name="case_study_edit"),
]
