from django.urls import path

from improvement_plans import views

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
    path("actions/mine/", views.my_actions, name="my_actions"),
    path("actions/<uuid:public_id>/", views.action_detail, name="action_detail"),
    path("actions/<uuid:public_id>/edit/", views.action_edit, name="action_edit"),
    path("systems/<slug:slug>/actions/", views.system_actions, name="system_actions"),
]
