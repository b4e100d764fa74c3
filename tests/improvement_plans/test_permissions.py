"""Who may read and change a plan, its actions and investments.

Facilitators manage everything; the owner and the lead partner's members post progress; members
of other partners, the steering committee and regional viewers read; people of other systems and
people with no role learn nothing (404).
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from improvement_plans.models import Action, Investment, ProgressUpdate
from tests.improvement_plans.helpers import (
    action_form,
    action_url,
    make_action,
    plan_url,
    progress_form,
    rating_round,
)

pytestmark = pytest.mark.django_db

ROLES = ["member", "other_member", "facilitator", "steering", "viewer", "outsider", "nobody"]


@pytest.fixture
def action(cast, owner, agreed):
    return make_action(agreed, lead_partner=cast.partner, owner=owner, title="Discharge hub")


def user(cast, role):
    return cast.roles()[role]


READ = {"member": 200, "other_member": 200, "facilitator": 200, "steering": 200, "viewer": 200,
        "outsider": 404, "nobody": 404}  # fmt: skip
MANAGE = {"member": 403, "other_member": 403, "facilitator": 200, "steering": 403, "viewer": 403,
          "outsider": 404, "nobody": 404}  # fmt: skip
PROGRESS = {"member": 302, "other_member": 403, "facilitator": 302, "steering": 403,
            "viewer": 403, "outsider": 404, "nobody": 404}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_the_plan_is_read_by_everyone_in_the_system_and_its_region(client, cast, agreed, role):
    client.force_login(user(cast, role))
    response = client.get(plan_url(agreed))
    assert response.status_code == READ[role]
    if response.status_code == 200:
        managing = "Add an investment" in response.content.decode()
        assert managing == (role == "facilitator")


@pytest.mark.parametrize("role", ROLES)
def test_only_facilitators_open_the_manage_pages(client, cast, agreed, action, role):
    client.force_login(user(cast, role))
    for url in (
        plan_url(agreed, "action_new"),
        plan_url(agreed, "investment_new"),
        plan_url(agreed, "action_import"),
        action_url(action, "action_edit"),
    ):
        assert client.get(url).status_code == MANAGE[role], url


@pytest.mark.parametrize("role", ROLES)
def test_only_facilitators_add_or_change_actions_and_investments(
    client, cast, owner, agreed, action, role
):
    client.force_login(user(cast, role))
    before = (Action.objects.count(), Investment.objects.count())
    expected = {200: 302}.get(MANAGE[role], MANAGE[role])
    new = client.post(
        plan_url(agreed, "action_new"),
        action_form(agreed, lead_partner=cast.partner, owner=owner, title="New action"),
    )
    assert new.status_code == expected
    edit = client.post(
        action_url(action, "action_edit"),
        action_form(agreed, lead_partner=cast.partner, owner=owner, title="Renamed"),
    )
    assert edit.status_code == expected
    investment = client.post(
        plan_url(agreed, "investment_new"),
        {
            "scheme_name": "Hub staff",
            "line_1_source": "bcf",
            "line_1_amount": "1000",
            "financial_year": "2026/27",
            "changes": [agreed.framework.changes.get(code="1").pk],
        },
    )
    assert investment.status_code == expected
    confirm = client.post(plan_url(agreed, "action_import_confirm"))
    assert confirm.status_code == expected
    action.refresh_from_db()
    if role == "facilitator":
        assert (Action.objects.count(), Investment.objects.count()) == (before[0] + 1, 1)
        assert action.title == "Renamed"
    else:
        assert (Action.objects.count(), Investment.objects.count()) == before
        assert action.title == "Discharge hub"


@pytest.mark.parametrize("role", ROLES)
def test_an_action_is_read_in_the_system_and_its_region_and_updated_by_those_responsible(
    client, cast, action, role
):
    client.force_login(user(cast, role))
    page = client.get(action_url(action))
    assert page.status_code == READ[role]
    if page.status_code == 200:
        assert ("Post update" in page.content.decode()) == (PROGRESS[role] == 302)
    response = client.post(action_url(action), progress_form("Spoke to the wards"))
    assert response.status_code == PROGRESS[role]
    assert ProgressUpdate.objects.count() == (1 if PROGRESS[role] == 302 else 0)


def test_the_owner_posts_progress_though_their_partner_does_not_lead(client, owner, action):
    client.force_login(owner)
    assert "Post update" in client.get(action_url(action)).content.decode()
    response = client.post(action_url(action), progress_form("Owner's news"))
    assert response.status_code == 302
    assert action.updates.get().author == owner
    assert client.get(action_url(action, "action_edit")).status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_the_system_actions_list_is_read_in_the_system_and_its_region(client, cast, action, role):
    client.force_login(user(cast, role))
    url = reverse("system_actions", args=[cast.system.slug])
    assert client.get(url).status_code == READ[role]
    assert client.get(url + "?export=csv").status_code == READ[role]


def test_outsiders_see_nothing_of_another_systems_actions(client, cast, action):
    client.force_login(cast.outsider)
    assert client.get(reverse("my_actions")).context["actions"] == []
    response = client.get(reverse("system_actions", args=[cast.other_system.slug]))
    assert response.status_code == 200
    assert response.context["actions"] == []


@pytest.mark.parametrize("status", ["rating", "review", "approval"])
@pytest.mark.parametrize("role", ["member", "facilitator", "steering"])
def test_a_round_not_yet_agreed_has_no_plan(client, cast, frameworks, status, role):
    round_ = rating_round(
        cast.system, frameworks["mtoc-2020"], [cast.partner], name="2026/27 in progress"
    )
    round_.status = status
    round_.revealed_at = timezone.now() if status != "rating" else None
    round_.save()
    client.force_login(user(cast, role))
    assert client.get(plan_url(round_)).status_code == 403
    assert client.get(plan_url(round_, "action_new")).status_code == 403


def test_a_draft_round_is_hidden_from_all_but_facilitators(client, cast, frameworks):
    round_ = rating_round(cast.system, frameworks["mtoc-2020"], [], name="Draft")
    round_.status = "draft"
    round_.opens_on = timezone.localdate() + timedelta(days=5)
    round_.closes_on = round_.opens_on
    round_.save()
    client.force_login(cast.member)
    assert client.get(plan_url(round_)).status_code == 404
    client.force_login(cast.facilitator)
    assert client.get(plan_url(round_)).status_code == 403
