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
        "scheme_name": "",
        "financial_year": "2026/27",
        "ongoing": "on",
        "_save": "",
    }
    for prefix in ("funding_lines", "investmentchange_set"):
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    client.force_login(cast.admin)
    refused = client.post(admin_url(investment), data)
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["scheme_name"] == ["This field is required."]

    saved = client.post(admin_url(investment), {**data, "scheme_name": "Renamed"})
    assert saved.status_code == 302
    investment.refresh_from_db()
    assert (investment.scheme_name, investment.ongoing) == ("Renamed", True)
    # Its funding line and changes are kept as they were, and the change is audited.
    assert [(line.source, line.amount) for line in investment.funding_lines.all()] == [
        ("bcf", Decimal("1000.00"))
    ]
    assert [c.code for c in investment.changes.all()] == ["1"]
    assert agreed.audit_events.filter(action="Changed an investment").exists()


def test_investments_export_with_their_funding_lines_total_and_allocation(client, cast, agreed):
    make_investment(
        agreed,
        scheme="Winter capacity",
        lines=[("discharge", "100000.50"), ("bcf", "25000.00")],
        codes=("4", "5"),
        allocation=["75000.50", "50000.00"],
    )
    make_investment(
        agreed, scheme="Trusted assessors", source="ibcf", amount="70000", codes=("6", "8")
    )
    client.force_login(cast.admin)
    url = "/admin/improvement_plans/investment/export/"
    form = client.get(url).context["form"]
    data = {"format": "0", "resource": "0"}
    data.update({name: "on" for name in form.fields if "resource_" in name})
    text = client.post(url, data).content.decode()
    assert text.splitlines()[0].strip() == (
        "system,plan,scheme,financial_year,ongoing,funding,total,changes"
    )
    assert (
        '"Discharge funding £100,000.50; Better Care Fund £25,000.00",125000.50,'
        '"4 (£75,000.50), 5 (£50,000.00)"'
    ) in text
    assert '"Improved Better Care Fund (iBCF) £70,000.00",70000.00,"6, 8 (shared)"' in text
