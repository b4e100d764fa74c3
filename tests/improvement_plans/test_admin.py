"""Actions and investments changed in the admin go through the plan's services: the same
checks, history, and e-mail to a new owner; they are added and removed on the plan's pages."""

from decimal import Decimal

import pytest
from django.core import mail

from improvement_plans.models import Action
from tests.factories import MemberFactory, UserFactory
from tests.improvement_plans.helpers import make_action, make_investment

pytestmark = pytest.mark.django_db


def admin_url(obj, view: str = "change") -> str:
    return f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/{view}/"


def action_post(action: Action, **overrides) -> dict:
    """The admin's change form for `action`, as posted."""
    data = {
        "title": action.title,
        "description": action.description,
        "change": action.change_id,
        "target_level": action.target_level_id or "",
        "lead_partner": action.lead_partner_id,
        "contributing_partners": [p.pk for p in action.contributing_partners.all()],
        "owner": action.owner_id,
        "start_date": action.start_date.strftime("%d/%m/%Y"),
        "due_date": action.due_date.strftime("%d/%m/%Y"),
        "status": action.status,
        "rag_override": action.rag_override,
        "rag_override_reason": action.rag_override_reason,
        "updates-TOTAL_FORMS": "0",
        "updates-INITIAL_FORMS": "0",
        "updates-MIN_NUM_FORMS": "0",
        "updates-MAX_NUM_FORMS": "1000",
        "_save": "",
        **overrides,
    }
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def action(cast, owner, agreed):
    return make_action(agreed, lead_partner=cast.partner, owner=owner)


def test_a_new_owner_set_in_the_admin_is_emailed_as_from_the_form(
    client, cast, action, django_capture_on_commit_callbacks
):
    client.force_login(cast.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(admin_url(action), action_post(action, owner=cast.member.pk))
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.owner == cast.member
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["member@test.example"], "You own an improvement action: Set up a discharge hub")
    ]
    assert "Ada Admin has made you the owner" in mail.outbox[0].body
    assert action.history.first().history_user == cast.admin


def test_the_admin_refuses_an_action_by_the_forms_rules(
    client, cast, action, django_capture_on_commit_callbacks
):
    stranger = UserFactory(email="elsewhere@test.example")
    MemberFactory(user=stranger, partner=cast.outsider_partner)
    client.force_login(cast.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(admin_url(action), action_post(action, owner=stranger.pk))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["owner"] == [
        "Select an owner who is a member of one of this system's partners"
    ]
    action.refresh_from_db()
    assert action.owner.email == "owner@test.example"
    assert mail.outbox == []


def test_actions_are_not_added_or_deleted_in_the_admin(client, cast, action):
    client.force_login(cast.admin)
    assert client.get("/admin/improvement_plans/action/add/").status_code == 403
    assert client.post(admin_url(action, "delete"), {"post": "yes"}).status_code == 403
    assert Action.objects.filter(pk=action.pk).exists()


def test_an_investment_changed_in_the_admin_is_checked_by_the_service(client, cast, agreed):
    investment = make_investment(agreed)
    data = {
        "scheme_name": "Discharge to assess",
        "funding_source": investment.funding_source,
        "amount": "-5",
        "financial_year": "2026/27",
        "changes": [c.pk for c in investment.changes.all()],
        "_save": "",
    }
    client.force_login(cast.admin)
    refused = client.post(admin_url(investment), data)
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["amount"] == ["The amount must be £0 or more"]

    saved = client.post(admin_url(investment), {**data, "amount": "2500.50"})
    assert saved.status_code == 302
    investment.refresh_from_db()
    assert investment.amount == Decimal("2500.50")
