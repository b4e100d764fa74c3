from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

import hicm_portal.converters  # noqa: F401 (registers <token:>)
from hicm_portal import forms, password_reset, views

admin.site.site_header = "HICM Portal administration"
admin.site.site_title = "HICM Portal admin"

# The sign-in page, single sign-on and the second factor are in accounts.sign_in_urls; the
# admin's own login page sends people there, so nobody skips the second factor.
admin.site.login = secure_admin_login(admin.site.login)

auth_patterns = [
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(form_class=forms.PasswordChangeForm),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        password_reset.PasswordResetView.as_view(form_class=forms.PasswordResetForm),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<token:uidb64>/<token:token>/",
        auth_views.PasswordResetConfirmView.as_view(
            form_class=forms.SetPasswordForm, success_url=reverse_lazy("password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("accessibility/", views.accessibility, name="accessibility"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("healthz/ready", views.healthz_ready, name="healthz_ready"),
    path("accounts/", include("accounts.sign_in_urls")),
    path("accounts/", include(auth_patterns)),
    path("account/", include("accounts.urls")),
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
    path("", include("home.urls")),
    path("", include("assessments.urls")),
    path("", include("casestudies.urls")),
    path("", include("improvement_plans.urls")),
    path("", include("regions.urls")),
]

handler403 = "hicm_portal.views.error_403"
handler404 = "hicm_portal.views.error_404"
handler500 = "hicm_portal.views.error_500"
