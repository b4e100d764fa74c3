from django.urls import path

from assessments import views

urlpatterns = [
    path("systems/<slug:slug>/", views.system_detail, name="system_detail"),
    path("systems/<slug:slug>/invitations/new/", views.invitation_new, name="invitation_new"),
    path(
        "systems/<slug:slug>/invitations/<uuid:public_id>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "systems/<slug:slug>/invitations/<uuid:public_id>/cancel/",
        views.invitation_cancel,
        name="invitation_cancel",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("frameworks/", views.framework_list, name="framework_list"),
    path("frameworks/<slug:key>/", views.framework_detail, name="framework_detail"),
    path("frameworks/<slug:key>/changes/<str:code>/", views.change_detail, name="change_detail"),
]
