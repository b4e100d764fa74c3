"""The API's one write: posting progress on an action, through the action page's service."""

import pytest
from django.urls import reverse
from django.utils import timezone

from improvement_plans.models import Action, ProgressUpdate
from tests.api.helpers import api, bearer, token_for
from tests.returns.helpers import plan_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(cast, frameworks) -> Action:
    """An action of an agreed plan, led by cast.partner and owned by cast.member."""
    return plan_round(cast, frameworks["mtoc-2020"]).plan_actions.get()


def _post(client, action, user, body: dict):
    return client.post(
        api("progress", action.public_id),
        body,
        content_type="application/json",
        **bearer(token_for(user)),
    )


def test_a_lead_partner_member_posts_progress(client, cast, action):
    response = _post(
        client, action, cast.member, {"note": "Hub staffed", "new_status": "in_progress"}
    )
    assert response.status_code == 201
    assert response.json()["note"] == "Hub staffed"
    update = ProgressUpdate.objects.get(action=action)
    assert (update.author, update.new_status) == (cast.member, "in_progress")
    action.refresh_from_db()
    assert action.status == Action.Status.IN_PROGRESS
    # The action's history names who changed it, as for the page.
    assert action.history.first().history_user == cast.member
    # And the update is on the action's page.
    client.force_login(cast.facilitator)
    assert (
        "Hub staffed"
        in client.get(reverse("action_detail", args=[action.public_id])).content.decode()
    )


def test_the_services_rules_answer_400_by_field(client, cast, action):
    response = _post(client, action, cast.member, {"note": "  "})
    assert response.status_code == 400
    assert response.json() == {"note": ["Enter what has happened"]}
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    response = _post(client, action, cast.member, {"note": "Later", "on": tomorrow.isoformat()})
    assert response.status_code == 400
    assert response.json()["on"] == ["The date of the update must be today or in the past"]
    response = _post(client, action, cast.member, {"note": "x", "new_status": "finished"})
    assert response.status_code == 400 and "new_status" in response.json()
    assert not ProgressUpdate.objects.exists()


def test_posting_progress_needs_the_right_to(client, cast, action):
    # Those who see the action but may not post on it: 403; those who do not see it: 404.
    assert _post(client, action, cast.viewer, {"note": "x"}).status_code == 403
    assert _post(client, action, cast.steering, {"note": "x"}).status_code == 403
    assert _post(client, action, cast.outsider, {"note": "x"}).status_code == 404
    assert not ProgressUpdate.objects.exists()


def test_a_session_must_send_the_csrf_token(cast, action):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.member)
    response = client.post(
        api("progress", action.public_id), {"note": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert not ProgressUpdate.objects.exists()


def test_the_rest_of_the_api_is_read_only(client, cast, action):
    response = client.post(
        api("action", action.public_id),
        {"title": "Renamed"},
        content_type="application/json",
        **bearer(token_for(cast.facilitator)),
    )
    assert response.status_code == 405
