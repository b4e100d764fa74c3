from django.urls import path

import hicm_portal.converters  # noqa: F401 (registers <code:>, <token:>, <fileformat:>)
from improvement_plans import history_import_views, measure_views, return_views, views

ROUND = "rounds/<uuid:public_id>/plan/"

urlpatterns = [
    path(ROUND, views.plan, name="plan"),
    path(ROUND + "actions/new/", views.action_new, name="action_new"),
    path(ROUND + "actions/import/", views.action_import, name="action_import"),
    path(
        ROUND + "actions/import/confirm/", views.action_import_confirm, name="action_import_confirm"
    ),
    path(ROUND + "investments/new/", views.investment_edit, name="investment_new"),
    path(
        ROUND + "investments/<uuid:investment_id>/",
        views.investment_edit,
        name="investment_edit",
    ),
    path(
        ROUND + "changes/<code:code>/measures/new/",
        measure_views.measure_new,
        name="measure_new",
    ),
    path(ROUND + "measures/<uuid:measure_id>/", measure_views.measure_edit, name="measure_edit"),
    path(
        ROUND + "measures/<uuid:measure_id>/remove/",
        measure_views.measure_remove,
        name="measure_remove",
    ),
    path("rounds/<uuid:public_id>/return/", return_views.return_page, name="return_page"),
    path(
        "rounds/<uuid:public_id>/return/preview/",
        return_views.return_preview,
        name="return_preview",
    ),
    path(
        "rounds/<uuid:public_id>/return/draft.<fileformat:file_format>",
        return_views.return_draft_file,
        name="return_draft_file",
    ),
    path("rounds/<uuid:public_id>/return/issue/", return_views.return_issue, name="return_issue"),
    path(
        "rounds/<uuid:public_id>/return/latest.pdf",
        return_views.latest_issued_pdf,
        name="return_pdf",
    ),
    path(
        "returns/<uuid:issued_id>/<fileformat:file_format>/",
        return_views.issued_file,
        name="issued_return_file",
    ),
    path(
        "rounds/<uuid:public_id>/consensus-record.pdf",
        return_views.consensus_record,
        name="consensus_record",
    ),
    path("actions/mine/", views.my_actions, name="my_actions"),
    path("actions/<uuid:public_id>/", views.action_detail, name="action_detail"),
    path("actions/<uuid:public_id>/edit/", views.action_edit, name="action_edit"),
    path("systems/<slug:slug>/actions/", views.system_actions, name="system_actions"),
]

# Importing past returns: a facilitator for their system, a site administrator for any.
PAST_RETURNS = "systems/<slug:slug>/past-returns/import/"

urlpatterns += [
    path(
        PAST_RETURNS,
        history_import_views.system_history_import,
        name="system_history_import_upload",
    ),
    path(
        PAST_RETURNS + "confirm/",
        history_import_views.system_history_import_confirm,
        name="system_history_import_confirm",
    ),
    path(
        PAST_RETURNS + "done/",
        history_import_views.system_history_import_done,
        name="system_history_import_done",
    ),
    path(
        "imports/past-returns/",
        history_import_views.history_import,
        name="history_import_upload",
    ),
    path(
        "imports/past-returns/confirm/",
        history_import_views.history_import_confirm,
        name="history_import_confirm",
    ),
    path(
        "imports/past-returns/done/",
        history_import_views.history_import_done,
        name="history_import_done",
    ),
]
