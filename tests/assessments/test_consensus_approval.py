"""The steering committee's approval: quorum, returns, one decision per person per version,
the transition to agreed, and the lock after agreement."""

import pytest
from django.contrib.messages import get_messages
from django.core import mail

from assessments.models import AuditEvent, Comment, Consensus, Decision, Rating, Round
from tests.assessments.helpers import (
    approve,
    codes,
    proposal_form,
    second_steering_member,
    to_agreed,
    to_approval,
    url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_approval(cast, open_round):
    to_approval(open_round, cast)
    return open_round


def last_message(response) -> str:
    """The newest message for the next page (earlier redirects were not followed)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


def test_the_approval_page_shows_each_proposal_with_its_approvals(client, cast, in_approval):
    client.force_login(cast.steering)
    response = client.get(url(in_approval, "approval"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Each change needs 1 approval from the steering committee" in page
    assert page.count("0 of 1 approvals") == 9
    assert page.count('name="approve"') == 9
    assert [row.change.code for row in response.context["rows"]] == codes(in_approval)


def test_with_a_quorum_of_one_a_steering_approval_approves_the_change_at_once(
    client, cast, in_approval
):
    client.force_login(cast.steering)
    response = client.post(url(in_approval, "decide", "1"), {"approve": ""})
    assert response.status_code == 302
    assert response["Location"] == url(in_approval, "approval") + "#change-1"
    assert last_message(response) == "Change 1: you approved the proposal."
    consensus = Consensus.objects.get(change__code="1")
    assert consensus.state == Consensus.State.APPROVED
    assert consensus.approved_at is not None
    decision = Decision.objects.get()
    assert decision.decided_by == cast.steering
    assert decision.kind == Decision.Kind.APPROVE
    assert decision.proposal_version == consensus.version
    assert AuditEvent.objects.filter(action="Approved 1", actor=cast.steering).exists()
    assert AuditEvent.objects.filter(action="1 approved", actor=None).exists()
    in_approval.refresh_from_db()
    assert in_approval.status == Round.Status.APPROVAL


def test_with_a_quorum_of_two_one_approval_is_not_enough(client, cast, in_approval):
    Round.objects.filter(pk=in_approval.pk).update(quorum=2)
    colleague = second_steering_member(cast.system)
    client.force_login(cast.steering)
    client.post(url(in_approval, "decide", "1"), {"approve": ""})
    consensus = Consensus.objects.get(change__code="1")
    assert consensus.state == Consensus.State.PROPOSED
    page = client.get(url(in_approval, "approval")).content.decode()
    assert "1 of 2 approvals" in page
    assert "You approved this proposal on" in page
    client.force_login(colleague)
    client.post(url(in_approval, "decide", "1"), {"approve": ""})
    consensus.refresh_from_db()
    assert consensus.state == Consensus.State.APPROVED
    assert AuditEvent.objects.get(action="1 approved").detail == "2 approval(s)"


def test_nobody_decides_twice_on_the_same_proposal_version(client, cast, in_approval):
    Round.objects.filter(pk=in_approval.pk).update(quorum=2)
    client.force_login(cast.steering)
    client.post(url(in_approval, "decide", "1"), {"approve": ""})
    again = client.post(url(in_approval, "decide", "1"), {"approve": ""})
    assert again.status_code == 302
    assert last_message(again) == "You have already decided on this proposal."
    returned = client.post(
        url(in_approval, "decide", "1"), {"return": "", "reason": "Changed mind"}
    )
    assert last_message(returned) == "You have already decided on this proposal."
    assert Decision.objects.count() == 1
    assert Consensus.objects.get(change__code="1").state == Consensus.State.PROPOSED
    in_approval.refresh_from_db()
    assert in_approval.status == Round.Status.APPROVAL


def test_an_approved_change_takes_no_more_decisions(client, cast, in_approval):
    colleague = second_steering_member(cast.system)
    client.force_login(cast.steering)
    client.post(url(in_approval, "decide", "1"), {"approve": ""})
    client.force_login(colleague)
    response = client.post(url(in_approval, "decide", "1"), {"return": "", "reason": "Too late"})
    assert last_message(response) == "This proposal is not waiting for a decision."
    assert Decision.objects.count() == 1
    assert Consensus.objects.get(change__code="1").state == Consensus.State.APPROVED


def test_a_return_needs_a_reason(client, cast, in_approval):
    client.force_login(cast.steering)
    response = client.post(url(in_approval, "decide", "3"), {"return": "", "reason": "  "})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert page.count("Enter the reason for returning this proposal") == 2  # summary and field
    assert 'href="#reason-3"' in page
    assert not Decision.objects.exists()
    assert Consensus.objects.get(change__code="3").state == Consensus.State.PROPOSED
    in_approval.refresh_from_db()
    assert in_approval.status == Round.Status.APPROVAL


def test_a_return_sends_that_change_alone_back_keeps_the_round_and_tells_the_facilitator(
    client, cast, in_approval, django_capture_on_commit_callbacks
):
    Round.objects.filter(pk=in_approval.pk).update(quorum=2)
    colleague = second_steering_member(cast.system)
    approve(in_approval, "3", cast.steering)
    client.force_login(colleague)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(in_approval, "decide", "3"),
            {"return": "", "reason": "The evidence does not support Established"},
        )
    assert response.status_code == 302
    assert last_message(response) == (
        "Change 3: you returned the proposal for a new proposal. "
        "The other changes stay with the steering committee."
    )
    in_approval.refresh_from_db()
    assert in_approval.status == Round.Status.APPROVAL
    consensus = Consensus.objects.get(change__code="3")
    assert consensus.state == Consensus.State.RETURNED
    assert consensus.version == 2
    decision = Decision.objects.get(kind="return")
    assert decision.reason == "The evidence does not support Established"
    assert decision.proposal_version == 1
    # The earlier approval stays on record but no longer counts.
    assert Decision.objects.filter(kind="approve", decided_by=cast.steering).exists()
    client.force_login(cast.steering)
    row = {r.change.code: r for r in client.get(url(in_approval, "approval")).context["rows"]}["3"]
    assert row.approvals == 0
    assert [m.to for m in mail.outbox] == [["facilitator@test.example"]]
    assert "change 3 was returned for a new proposal" in mail.outbox[0].subject
    assert "The evidence does not support Established" in mail.outbox[0].body
    assert "Sam Second" in mail.outbox[0].body
    assert url(in_approval, "propose", "3") in mail.outbox[0].body
    event = AuditEvent.objects.get(action="Returned 3 for a new proposal")
    assert event.actor == colleague
    assert event.detail == "The evidence does not support Established"
    page = client.get(url(in_approval, "review")).content.decode()
    assert "Returned</strong>" in page


def test_after_a_return_the_other_changes_keep_their_approvals_and_stay_decidable(
    client, cast, in_approval
):
    Round.objects.filter(pk=in_approval.pk).update(quorum=2)
    colleague = second_steering_member(cast.system)
    approve(in_approval, "4", cast.steering)
    client.force_login(cast.steering)
    client.post(url(in_approval, "decide", "3"), {"return": "", "reason": "Look again"})
    client.force_login(colleague)
    page = client.get(url(in_approval, "approval"))
    rows = {row.change.code: row for row in page.context["rows"]}
    assert rows["4"].approvals == 1
    assert page.content.decode().count('name="approve"') == 8  # all but the returned one
    response = client.post(url(in_approval, "decide", "4"), {"approve": ""})
    assert last_message(response) == "Change 4: you approved the proposal."
    assert Consensus.objects.get(change__code="4").state == Consensus.State.APPROVED
    assert client.post(url(in_approval, "decide", "3"), {"approve": ""}).status_code == 302
    assert Consensus.objects.get(change__code="3").state == Consensus.State.RETURNED
    in_approval.refresh_from_db()
    assert in_approval.status == Round.Status.APPROVAL


def test_who_returned_a_change_when_and_why_shows_on_its_page_and_the_approval_page(
    client, cast, in_approval
):
    client.force_login(cast.steering)
    client.post(url(in_approval, "decide", "3"), {"return": "", "reason": "Evidence is thin"})
    for viewer in (cast.member, cast.facilitator, cast.steering):
        client.force_login(viewer)
        change_page = client.get(url(in_approval, "review_change", "3")).content.decode()
        assert "Returned by Stu Steering on" in change_page
        assert "Evidence is thin" in change_page
        assert "returned by the facilitator" not in change_page.lower()
        approval_page = client.get(url(in_approval, "approval")).content.decode()
        assert "Returned by Stu Steering on" in approval_page
        assert "Evidence is thin" in approval_page
    # Only the facilitator is offered to propose it again.
    client.force_login(cast.facilitator)
    assert "Propose change 3 again" in client.get(url(in_approval, "approval")).content.decode()
    assert "Propose it again" in client.get(url(in_approval, "review_change", "3")).content.decode()
    client.force_login(cast.steering)
    assert "Propose change 3 again" not in client.get(url(in_approval, "approval")).content.decode()


def test_when_every_change_is_approved_the_round_is_agreed_and_everyone_told(
    client, cast, in_approval, django_capture_on_commit_callbacks
):
    client.force_login(cast.steering)
    *first, last = codes(in_approval)
    for code in first:
        client.post(url(in_approval, "decide", code), {"approve": ""})
    in_approval.refresh_from_db()
    assert in_approval.status == Round.Status.APPROVAL
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(in_approval, "decide", last), {"approve": ""})
    assert response.status_code == 302
    assert response["Location"] == url(in_approval, "agreed")
    assert last_message(response) == "Every change is approved: the round is agreed."
    in_approval.refresh_from_db()
    assert in_approval.status == Round.Status.AGREED
    assert in_approval.agreed_at is not None
    assert AuditEvent.objects.filter(action="Round agreed").count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == [
        "facilitator@test.example",
        "member@test.example",
        "other@test.example",
        "steering@test.example",
    ]
    assert all(m.subject == f"{in_approval.name} is agreed" for m in mail.outbox)
    assert url(in_approval, "agreed") in mail.outbox[0].body
    agreed_page = client.get(url(in_approval, "agreed"))
    assert agreed_page.status_code == 200
    assert agreed_page.content.decode().count("3 Established") >= 9
    system_page = client.get("/systems/testshire/").content.decode()
    assert f"Agreed in {in_approval.name}" in system_page
    assert system_page.count('app-level-3">3 Established') == 9
    assert "No round has been agreed yet" not in system_page


def test_the_regional_viewer_sees_the_agreed_levels(client, cast, open_round):
    to_agreed(open_round, cast)
    client.force_login(cast.viewer)
    assert client.get(url(open_round, "agreed")).status_code == 200
    assert client.get(url(open_round, "review")).status_code == 200
    system_page = client.get("/systems/testshire/").content.decode()
    assert system_page.count('app-level-3">3 Established') == 9


def snapshot(round_) -> tuple:
    return (
        Round.objects.filter(pk=round_.pk).values_list("status", "agreed_at").get(),
        sorted(
            Consensus.objects.filter(round=round_).values_list(
                "change__code", "level__number", "rationale", "state", "version"
            )
        ),
        Decision.objects.count(),
        Comment.objects.count(),
        sorted(Rating.objects.filter(round=round_).values_list("pk", "level", "rationale")),
        AuditEvent.objects.count(),
    )


def test_after_agreement_nothing_changes(client, cast, open_round):
    to_agreed(open_round, cast)
    before = snapshot(open_round)
    attempts = [
        (
            cast.facilitator,
            url(open_round, "propose", "1"),
            proposal_form(
                open_round, level_number=2, planned_number=2, rationale="Late", version=1
            ),
        ),
        (
            cast.facilitator,
            url(open_round, "workshop", "1"),
            proposal_form(
                open_round, level_number=2, planned_number=2, rationale="Late", version=1
            ),
        ),
        (cast.facilitator, url(open_round, "workshop_attendance"), {"note": "Late"}),
        (cast.facilitator, url(open_round, "submit_for_approval"), {}),
        (cast.facilitator, url(open_round, "reveal"), {"confirm_missing": "yes"}),
        (cast.steering, url(open_round, "decide", "1"), {"return": "", "reason": "Late"}),
        (cast.steering, url(open_round, "decide", "1"), {"approve": ""}),
        (cast.member, url(open_round, "review_change", "1"), {"text": "Late comment"}),
        (cast.facilitator, url(open_round, "review_change", "1"), {"text": "Late comment"}),
        (cast.steering, url(open_round, "review_change", "1"), {"text": "Late comment"}),
    ]
    for user, path, data in attempts:
        client.force_login(user)
        assert client.post(path, data).status_code == 403, path
    assert snapshot(open_round) == before


def test_after_agreement_a_comment_can_no_longer_be_edited(client, cast, open_round):
    to_approval(open_round, cast)
    client.force_login(cast.member)
    client.post(url(open_round, "review_change", "1"), {"text": "Before agreement"})
    comment = Comment.objects.get()
    for code in codes(open_round):
        approve(open_round, code, cast.steering)
    edit = url(open_round, "comment_edit", comment.public_id)
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"text": "After agreement"}).status_code == 403
    comment.refresh_from_db()
    assert comment.text == "Before agreement"
    page = client.get(url(open_round, "review_change", "1")).content.decode()
    assert "Before agreement" in page
    assert "<textarea" not in page
