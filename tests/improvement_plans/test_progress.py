"""Posting progress on an action: notes, status changes, RAG overrides, dates, the timeline."""

from datetime import timedelta

import pytest
from django.utils import timezone

from improvement_plans.models import Action, ProgressUpdate
from tests.improvement_plans.helpers import (
    action_url,
    errors_of,
    make_action,
    make_update,
    plan_url,
    progress_form,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(cast, owner, agreed):
    return make_action(agreed, lead_partner=cast.partner, owner=owner, title="Discharge hub")


def post(client, action, **data):
    return client.post(action_url(action), progress_form(**data))


def test_a_note_with_a_new_status_changes_the_status(client, cast, action):
    client.force_login(cast.member)
    response = post(client, action, note="Hub staff recruited", new_status="in_progress")
    assert response.status_code == 302
    assert response["Location"] == action_url(action)
    action.refresh_from_db()
    assert action.status == Action.Status.IN_PROGRESS
    update = action.updates.get()
    assert (update.author, update.note, update.new_status, update.on) == (
        cast.member,
        "Hub staff recruited",
        "in_progress",
        timezone.localdate(),
    )
    page = client.get(action_url(action)).content.decode()
    assert "Your update is posted." in page
    assert "status: in progress" in page


def test_a_note_alone_keeps_the_status_and_rag(client, cast, action):
    client.force_login(cast.member)
    assert post(client, action, note="Nothing new").status_code == 302
    action.refresh_from_db()
    assert (action.status, action.rag_override) == (Action.Status.NOT_STARTED, "")


def test_a_rag_override_takes_the_note_as_its_reason_and_auto_clears_it(client, cast, action):
    client.force_login(cast.member)
    assert action.rag() == "amber"  # not started, past its start date
    post(client, action, note="  The contract fell through  ", new_rag="red")
    action.refresh_from_db()
    assert (action.rag_override, action.rag_override_reason) == ("red", "The contract fell through")
    assert action.rag() == "red"
    page = client.get(action_url(action)).content.decode()
    assert "Reason: The contract fell through" in page and "set by hand" in page
    post(client, action, note="New provider found", new_rag="auto")
    action.refresh_from_db()
    assert (action.rag_override, action.rag_override_reason) == ("", "")
    assert action.rag() == "amber"
    assert list(action.updates.values_list("new_rag", flat=True)) == ["", "red"]


def test_an_update_may_be_dated_in_the_past_but_not_the_future(client, cast, action):
    client.force_login(cast.member)
    today = timezone.localdate()
    response = post(client, action, note="Tomorrow's news", on=today + timedelta(days=1))
    assert response.status_code == 200
    assert errors_of(response) == {"on": ["The date of the update must be today or in the past"]}
    assert ProgressUpdate.objects.count() == 0
    assert post(client, action, note="Last week", on=today - timedelta(days=7)).status_code == 302
    assert action.updates.get().on == today - timedelta(days=7)


def test_an_empty_note_or_an_unknown_status_is_refused(client, cast, action):
    client.force_login(cast.member)
    response = post(client, action, note="  ", new_status="finished", new_rag="purple")
    assert response.status_code == 200
    assert set(errors_of(response)) == {"note", "new_status", "new_rag"}
    assert errors_of(response)["note"] == ["Enter what has happened"]
    assert ProgressUpdate.objects.count() == 0
    action.refresh_from_db()
    assert action.status == Action.Status.NOT_STARTED


def test_the_timeline_shows_updates_newest_first(client, cast, owner, action):
    today = timezone.localdate()
    make_update(action, owner, "Second oldest", on=today - timedelta(days=5))
    make_update(action, cast.member, "Newest by date", on=today - timedelta(days=1))
    make_update(action, owner, "Oldest", on=today - timedelta(days=20))
    client.force_login(cast.member)
    post(client, action, note="Posted today", new_status="blocked")
    page = client.get(action_url(action))
    assert [u.note for u in page.context["timeline"]] == [
        "Posted today",
        "Newest by date",
        "Second oldest",
        "Oldest",
    ]
    html = page.content.decode()
    positions = [
        html.index(note) for note in ("Posted today", "Newest by date", "Second oldest", "Oldest")
    ]
    assert positions == sorted(positions)
    assert "status: blocked" in html


def test_updates_on_the_same_day_show_the_latest_first(client, cast, action):
    client.force_login(cast.member)
    post(client, action, note="Morning")
    post(client, action, note="Afternoon")
    timeline = client.get(action_url(action)).context["timeline"]
    assert [u.note for u in timeline] == ["Afternoon", "Morning"]


def test_marking_an_action_done_takes_it_off_the_gap_count(client, cast, agreed, action):
    client.force_login(cast.member)
    post(client, action, note="Hub is open", new_status="done")
    action.refresh_from_db()
    assert (action.status, action.rag(), action.is_open) == ("done", "green", False)
    page = client.get(plan_url(agreed))
    rows = {row.change.code: row for row in page.context["rows"]}
    assert rows["1"].needs_action
