"""Adding and changing actions and investments: pre-filling, the owner's e-mail, and bad input
refused with clear errors and nothing saved."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from assessments.models import AuditEvent, ChangeAction
from improvement_plans.models import Action, Investment
from tests.factories import SystemRoleFactory, UserFactory
from tests.improvement_plans.helpers import (
    action_form,
    action_url,
    agreed_round,
    errors_of,
    make_action,
    make_investment,
    plan_url,
    planned_by,
)

pytestmark = pytest.mark.django_db


def test_a_new_action_is_saved_to_the_plan_and_its_owner_is_emailed(
    client, cast, owner, agreed, django_capture_on_commit_callbacks
):
    client.force_login(cast.facilitator)
    due = timezone.localdate() + timedelta(days=120)
    data = action_form(
        agreed,
        lead_partner=cast.partner,
        owner=owner,
        due_date=due,
        contributing_partners=[cast.other_partner.pk],
        target_level=agreed.framework.levels.get(number=4).pk,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(plan_url(agreed, "action_new"), data)
    assert response.status_code == 302
    assert response["Location"] == plan_url(agreed)
    action = Action.objects.get()
    assert list(action.rounds.all()) == [agreed]
    assert (action.system, action.change.code, action.owner) == (cast.system, "1", owner)
    assert (action.lead_partner, action.due_date) == (cast.partner, due)
    assert list(action.contributing_partners.all()) == [cast.other_partner]
    assert action.created_by == cast.facilitator
    assert action.template is None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["owner@test.example"]
    assert message.subject == "You own an improvement action: Set up a discharge hub"
    assert "Fay Facilitator has made you the owner" in message.body
    assert f"/actions/{action.public_id}/" in message.body
    assert "Set up a discharge hub" in client.get(plan_url(agreed)).content.decode()


def test_no_email_is_sent_when_the_action_is_refused(
    client, cast, owner, agreed, django_capture_on_commit_callbacks
):
    client.force_login(cast.facilitator)
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            plan_url(agreed, "action_new"),
            action_form(
                agreed,
                lead_partner=cast.partner,
                owner=owner,
                start_date=today,
                due_date=today - timedelta(days=1),
            ),
        )
    assert mail.outbox == []


def test_adding_an_action_for_a_change_prefills_the_change_target_level_and_due_date(
    client, cast, agreed
):
    client.force_login(cast.facilitator)
    page = client.get(plan_url(agreed, "action_new") + "?change=4")
    initial = page.context["form"].initial
    assert initial["change"] == agreed.framework.changes.get(code="4").pk
    assert initial["target_level"] == agreed.framework.levels.get(number=4).pk
    assert initial["due_date"] == planned_by()
    html = page.content.decode()
    assert f'value="{planned_by().year}"' in html
    # A change without a gap has no date planned; an unknown code is ignored.
    initial = client.get(plan_url(agreed, "action_new") + "?change=2").context["form"].initial
    assert "due_date" not in initial
    assert initial["change"] == agreed.framework.changes.get(code="2").pk
    initial = client.get(plan_url(agreed, "action_new") + "?change=99").context["form"].initial
    assert "change" not in initial


def test_the_plan_links_each_change_to_a_prefilled_new_action(client, cast, agreed):
    client.force_login(cast.facilitator)
    html = client.get(plan_url(agreed)).content.decode()
    assert f'{plan_url(agreed, "action_new")}?change=4"' in html


@pytest.fixture
def ohc_round(cast, frameworks):
    return agreed_round(cast.system, frameworks["ohc-2025"], name="OHC 2025/26", gaps={"F": (2, 3)})


def f1(round_) -> ChangeAction:
    return ChangeAction.objects.get(change__framework=round_.framework, code="F1")


def test_a_framework_action_prefills_the_title_and_description_and_is_recorded(
    client, cast, owner, ohc_round, django_capture_on_commit_callbacks
):
    template = f1(ohc_round)
    client.force_login(cast.facilitator)
    url = plan_url(ohc_round, "action_new")
    page = client.get(url)
    assert f"?template={template.pk}" in page.content.decode()
    page = client.get(f"{url}?template={template.pk}")
    initial = page.context["form"].initial
    assert initial["title"].startswith("F1 Embed optimal handed care approach")
    assert initial["description"].startswith("- Hospital discharges:")
    assert initial["description"].count("\n- ") == len(template.points) - 1
    assert initial["change"] == template.change_id
    html = page.content.decode()
    assert "Filled in from the framework's action F1" in html
    assert f'name="template" value="{template.pk}"' in html
    data = action_form(
        ohc_round,
        lead_partner=cast.partner,
        owner=owner,
        change=template.change_id,
        title=initial["title"],
        description=initial["description"],
        template=template.pk,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    action = Action.objects.get()
    assert action.template == template
    assert action.description.startswith("- Hospital discharges:")
    detail = client.get(action_url(action)).content.decode()
    assert "Action F1" in detail


def test_a_framework_action_of_another_framework_is_ignored(client, cast, agreed, ohc_round):
    client.force_login(cast.facilitator)
    page = client.get(f"{plan_url(agreed, 'action_new')}?template={f1(ohc_round).pk}")
    assert page.context["template"] is None
    assert "title" not in page.context["form"].initial


def refused(client, round_, data) -> dict:
    """Post the action form; it must be shown again with errors and nothing saved."""
    before = Action.objects.count()
    response = client.post(plan_url(round_, "action_new"), data)
    assert response.status_code == 200
    assert Action.objects.count() == before
    assert response.context["form"].errors
    return errors_of(response)


def test_a_due_date_before_the_start_date_is_refused(client, cast, owner, agreed):
    client.force_login(cast.facilitator)
    today = timezone.localdate()
    errors = refused(
        client,
        agreed,
        action_form(
            agreed,
            lead_partner=cast.partner,
            owner=owner,
            start_date=today,
            due_date=today - timedelta(days=1),
        ),
    )
    assert errors == {"due_date": ["The due date must be the same as or after the start date"]}


def test_an_owner_from_another_system_is_refused(client, cast, agreed):
    client.force_login(cast.facilitator)
    errors = refused(
        client, agreed, action_form(agreed, lead_partner=cast.partner, owner=cast.outsider)
    )
    assert list(errors) == ["owner"]
    page = client.get(plan_url(agreed, "action_new")).content.decode()
    assert "outsider@test.example" not in page


def test_a_lead_partner_from_another_system_is_refused(client, cast, owner, agreed):
    client.force_login(cast.facilitator)
    data = action_form(agreed, lead_partner=cast.outsider_partner, owner=owner)
    assert list(refused(client, agreed, data)) == ["lead_partner"]


def test_a_change_of_another_framework_is_an_invalid_choice(
    client, cast, owner, agreed, frameworks
):
    client.force_login(cast.facilitator)
    old_change = frameworks["mtoc-2017"].changes.get(code="1")
    data = action_form(agreed, lead_partner=cast.partner, owner=owner, change=old_change.pk)
    before = Action.objects.count()
    response = client.post(plan_url(agreed, "action_new"), data)
    assert response.context["form"].has_error("change", "invalid_choice")
    assert Action.objects.count() == before


def test_a_rag_override_needs_a_reason(client, cast, owner, agreed):
    client.force_login(cast.facilitator)
    data = action_form(agreed, lead_partner=cast.partner, owner=owner, rag_override="red")
    errors = refused(client, agreed, data)
    assert errors == {"rag_override_reason": ["Enter the reason for overriding the RAG status"]}
    data["rag_override_reason"] = "The ward has no staff"
    assert client.post(plan_url(agreed, "action_new"), data).status_code == 302
    action = Action.objects.get()
    assert (action.rag_override, action.rag()) == ("red", "red")


def test_missing_and_unreal_dates_are_named(client, cast, owner, agreed):
    client.force_login(cast.facilitator)
    data = action_form(agreed, lead_partner=cast.partner, owner=owner)
    data.update({"start_date_0": "", "start_date_1": "", "start_date_2": ""})
    data.update({"due_date_0": "31", "due_date_1": "2", "due_date_2": "2027"})
    data["title"] = ""
    errors = refused(client, agreed, data)
    assert errors == {
        "title": ["Enter a title for the action"],
        "start_date": ["Enter the start date"],
        "due_date": ["The due date must be a real date"],
    }


def test_a_facilitator_changes_an_action_and_a_new_owner_is_emailed(
    client, cast, owner, agreed, django_capture_on_commit_callbacks
):
    action = make_action(agreed, lead_partner=cast.partner, owner=owner, title="Hub")
    client.force_login(cast.facilitator)
    form = client.get(action_url(action, "action_edit")).context["form"]
    assert form.initial["title"] == "Hub" and form.initial["owner"] == owner.pk
    data = action_form(
        agreed, lead_partner=cast.other_partner, owner=cast.member, title="Hub, renamed"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action_url(action, "action_edit"), data)
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.title, action.owner, action.lead_partner) == (
        "Hub, renamed",
        cast.member,
        cast.other_partner,
    )
    assert [m.to for m in mail.outbox] == [["member@test.example"]]
    assert action.history.count() == 2


def test_an_action_whose_creator_has_left_can_still_be_changed(client, cast, owner, agreed):
    """created_by is set to NULL when its author's account is deleted."""
    leaver = UserFactory(email="leaver@test.example")
    SystemRoleFactory(user=leaver, system=cast.system, role="facilitator")
    action = make_action(agreed, lead_partner=cast.partner, owner=owner, created_by=leaver)
    investment = make_investment(agreed)
    Investment.objects.filter(pk=investment.pk).update(created_by=leaver)
    leaver.delete()
    action.refresh_from_db()
    assert action.created_by is None
    client.force_login(cast.facilitator)
    data = action_form(agreed, lead_partner=cast.partner, owner=owner, title="Still editable")
    response = client.post(action_url(action, "action_edit"), data)
    assert response.status_code == 302, errors_of(response)
    action.refresh_from_db()
    assert action.title == "Still editable"
    response = client.post(
        f"{plan_url(agreed)}investments/{investment.public_id}/",
        investment_form(agreed, scheme_name="Renamed scheme"),
    )
    assert response.status_code == 302, errors_of(response)
    investment.refresh_from_db()
    assert investment.scheme_name == "Renamed scheme"


def investment_form(round_, **overrides) -> dict:
    return {
        "scheme_name": "Hub staff",
        "line_1_source": "bcf",
        "line_1_amount": "£125,000.50",
        "financial_year": "2026/27",
        "changes": [c.pk for c in round_.framework.changes.filter(code__in=["1", "4"])],
        **overrides,
    }


def test_an_investment_is_saved_against_the_changes_it_serves(client, cast, agreed):
    client.force_login(cast.facilitator)
    response = client.post(plan_url(agreed, "investment_new"), investment_form(agreed))
    assert response.status_code == 302
    investment = Investment.objects.with_total().get()
    assert (investment.round, investment.total) == (agreed, Decimal("125000.50"))
    assert sorted(c.code for c in investment.changes.all()) == ["1", "4"]
    assert investment.created_by == cast.facilitator
    edit = client.get(f"{plan_url(agreed)}investments/{investment.public_id}/")
    assert edit.context["form"].initial["line_1_amount"] == "125,000.50"
    assert edit.context["form"].initial["line_1_source"] == "bcf"


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        (
            {"line_1_amount": "-5"},
            "line_1_amount",
            "Funding line 1: the amount must be £0 or more (it is -5)",
        ),
        (
            {"line_1_amount": "12.345"},
            "line_1_amount",
            "Funding line 1: enter the amount in pounds and pence, with at most two decimal "
            "places (not 12.345)",
        ),
        (
            {"line_1_amount": "lots"},
            "line_1_amount",
            "Funding line 1: enter the amount as a number of pounds, like 250,000 or 1250.50 "
            "(not lots)",
        ),
        ({"line_1_amount": ""}, "line_1_amount", "Funding line 1: enter the amount"),
        ({"line_1_source": ""}, "line_1_source", "Funding line 1: select the funding source"),
        (
            {"line_1_source": "", "line_1_amount": ""},
            "line_1_source",
            "Enter at least one funding line: a source and an amount",
        ),
        ({"financial_year": "2026-27"}, "financial_year", "Enter the financial year like 2026/27"),
        ({"financial_year": "26/27"}, "financial_year", "Enter the financial year like 2026/27"),
        ({"changes": []}, "changes", "Select at least one change this investment serves"),
        ({"scheme_name": ""}, "scheme_name", "Enter the scheme name"),
    ],
)
def test_bad_investments_are_refused_with_clear_errors(
    client, cast, agreed, overrides, field, message
):
    client.force_login(cast.facilitator)
    response = client.post(plan_url(agreed, "investment_new"), investment_form(agreed, **overrides))
    assert response.status_code == 200
    assert errors_of(response) == {field: [message]}
    assert Investment.objects.count() == 0


def test_an_investment_for_a_change_of_another_framework_is_refused(
    client, cast, agreed, frameworks
):
    client.force_login(cast.facilitator)
    old = frameworks["mtoc-2017"].changes.get(code="1").pk
    response = client.post(
        plan_url(agreed, "investment_new"), investment_form(agreed, changes=[old])
    )
    assert response.context["form"].has_error("changes", "invalid_choice")
    assert Investment.objects.count() == 0


def test_an_investment_of_another_round_is_not_found(client, cast, agreed, frameworks):
    other = agreed_round(cast.system, frameworks["mtoc-2020"], name="2024/25")
    investment = make_investment(other)
    client.force_login(cast.facilitator)
    url = f"{plan_url(agreed)}investments/{investment.public_id}/"
    assert client.get(url).status_code == 404


def test_adding_an_action_with_a_long_title_is_audited_on_the_round(client, cast, owner, agreed):
    title = "Set up a single point of access for discharge to assess " * 3
    client.force_login(cast.facilitator)
    data = action_form(agreed, lead_partner=cast.partner, owner=owner, title=title.strip())
    assert client.post(plan_url(agreed, "action_new"), data).status_code == 302
    event = AuditEvent.objects.get(round=agreed)
    assert (event.actor, event.action) == (cast.facilitator, "Added an action to the plan")
    assert event.detail == f"Change 1: {title.strip()}"
