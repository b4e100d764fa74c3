from django.urls import include, path

import hicm_portal.converters  # noqa: F401 (registers <code:>, <token:>, <fileformat:>)
from assessments import consensus_views, history_views, round_views, views

urlpatterns = [
    path("systems/<slug:slug>/", views.system_detail, name="system_detail"),
    path("systems/<slug:slug>/naming/", views.system_naming, name="system_naming"),
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
    path("invitations/<token:token>/", views.invitation_accept, name="invitation_accept"),
    # The framework library's upload and download pages, for site administrators.
    path("", include("assessments.library_urls")),
    # A framework's wording versions and what changed between two.
    path("", include("assessments.version_urls")),
    path("frameworks/", views.framework_list, name="framework_list"),
    path("frameworks/<slug:key>/", views.framework_detail, name="framework_detail"),
    path("frameworks/<slug:key>/changes/<code:code>/", views.change_detail, name="change_detail"),
]

RETURN = "rounds/<uuid:public_id>/partners/<uuid:partner_id>/"

urlpatterns += [
    path("systems/<slug:slug>/rounds/", round_views.round_list, name="round_list"),
    path("systems/<slug:slug>/rounds/new/", round_views.round_new, name="round_new"),
    path("systems/<slug:slug>/rounds/record/", history_views.round_record, name="round_record"),
    path("rounds/<uuid:public_id>/", round_views.round_detail, name="round_detail"),
    path("rounds/<uuid:public_id>/edit/", round_views.round_edit, name="round_edit"),
    path("rounds/<uuid:public_id>/open/", round_views.round_open, name="round_open"),
    path(
        "rounds/<uuid:public_id>/closing-date/",
        round_views.round_closing_date,
        name="round_closing_date",
    ),
    path("rounds/<uuid:public_id>/remind/", round_views.round_remind, name="round_remind"),
    path("rounds/<uuid:public_id>/cancel/", round_views.round_cancel, name="round_cancel"),
    path(RETURN, round_views.return_tasks, name="return_tasks"),
    path(RETURN + "changes/<code:code>/", round_views.rating_edit, name="rating_edit"),
    path(
        RETURN + "changes/<code:code>/history/",
        round_views.rating_history,
        name="rating_history",
    ),
    path(RETURN + "check/", round_views.return_check, name="return_check"),
    path(RETURN + "submitted/", round_views.return_submitted, name="return_submitted"),
    path(RETURN + "reopen/", round_views.return_reopen, name="return_reopen"),
    path(RETURN + "spreadsheet/", round_views.return_download, name="return_download"),
    path(RETURN + "upload/", round_views.return_upload, name="return_upload"),
    path(
        RETURN + "upload/confirm/", round_views.return_upload_confirm, name="return_upload_confirm"
    ),
]

ROUND = "rounds/<uuid:public_id>/"

urlpatterns += [
    path(ROUND + "reveal/", consensus_views.reveal, name="reveal"),
    path(ROUND + "review/", consensus_views.review, name="review"),
    path(ROUND + "review/<code:code>/", consensus_views.review_change, name="review_change"),
    path(ROUND + "review/<code:code>/propose/", consensus_views.propose, name="propose"),
    path(
        ROUND + "comments/<uuid:comment_id>/edit/",
        consensus_views.comment_edit,
        name="comment_edit",
    ),
    path(
        ROUND + "workshop/attendance/",
        consensus_views.workshop_attendance,
        name="workshop_attendance",
    ),
    path(ROUND + "workshop/<code:code>/", consensus_views.workshop, name="workshop"),
    path(
        ROUND + "submit-for-approval/",
        consensus_views.submit_for_approval,
        name="submit_for_approval",
    ),
    path(ROUND + "approval/", consensus_views.approval, name="approval"),
    path(ROUND + "approval/approve-all/", consensus_views.approve_all, name="approve_all"),
    path(ROUND + "approval/<code:code>/", consensus_views.decide, name="decide"),
    path(ROUND + "agreed/", consensus_views.agreed, name="agreed"),
    path(ROUND + "audit/", consensus_views.audit, name="audit"),
]
