"""The facilitator's proposals: suggestion, rules, dissent, conflicts, workshop, submitting."""

import html
import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assessments.consensus_services import NOT_RETURNED, round_submit_for_approval
from assessments.models import AuditEvent, Consensus, Decision, Dissent, Rating, Round
from tests.assessments.helpers import (
    PROPOSAL_RATIONALE,
    approve,
    level,
    proposal_form,
    propose,
    propose_every_change,
    reveal,
    second_facilitator,
    second_steering_member,
    url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(cast, open_round):
    """Revealed: the hospital rates everything Mature (4), the council Established (3), so the
    median is 3.5 and the suggested level (rounded down) is 3 Established."""
    reveal(open_round, cast, level_number=4, other_level_number=3)
    return open_round


def next_year():
    return timezone.localdate() + timedelta(days=365)


def test_the_median_rounded_down_is_preselected(client, cast, in_review):
    client.force_login(cast.facilitator)
    response = client.get(url(in_review, "propose", "1"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["level"] == str(level(in_review, 3).pk)
    assert form.initial["version"] == 0
    page = response.content.decode()
    assert "Suggested: the median of the partners&#x27; ratings, rounded down" in page
    assert "3 Established (the median, rounded down)" in page


def test_a_proposal_at_the_suggested_level_needs_no_rationale(client, cast, in_review):
    client.force_login(cast.facilitator)
    response = client.post(
        url(in_review, "propose", "1"),
        proposal_form(in_review, level_number=3, planned_number=3),
    )
    assert response.status_code == 302
    assert response["Location"] == url(in_review, "review")
    consensus = Consensus.objects.get()
    assert consensus.level.number == 3
    assert consensus.planned_level.number == 3
    assert consensus.version == 1
    assert consensus.state == Consensus.State.PROPOSED
    assert consensus.proposed_by == cast.facilitator
    event = AuditEvent.objects.get(action="Proposed 1")
    assert event.actor == cast.facilitator
    page = client.get(url(in_review, "review")).content.decode()
    assert "3 Established" in page and "Change<span" in page


def test_a_level_other_than_the_suggestion_needs_a_rationale(client, cast, in_review):
    client.force_login(cast.facilitator)
    response = client.post(
        url(in_review, "propose", "1"),
        proposal_form(in_review, level_number=2, planned_number=3, planned_by=next_year()),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["rationale"] == [
        "Enter the rationale: it is needed when the level differs from the suggested one"
    ]
    assert not Consensus.objects.exists()
    ok = client.post(
        url(in_review, "propose", "1"),
        proposal_form(
            in_review,
            level_number=2,
            planned_number=3,
            planned_by=next_year(),
            rationale="The council's view carries",
        ),
    )
    assert ok.status_code == 302
    assert Consensus.objects.get().rationale == "The council's view carries"


@pytest.mark.parametrize("number,name", [(4, "Mature"), (5, "Exemplary")])
def test_mature_and_exemplary_need_a_rationale_even_when_suggested(
    client, cast, open_round, number, name
):
    reveal(open_round, cast, level_number=number, other_level_number=number)
    client.force_login(cast.facilitator)
    assert client.get(url(open_round, "propose", "1")).context["form"].initial["level"] == str(
        level(open_round, number).pk
    )
    response = client.post(
        url(open_round, "propose", "1"),
        proposal_form(open_round, level_number=number, planned_number=5, planned_by=next_year()),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["rationale"] == [
        f"Enter the rationale: it is needed when {name} is proposed"
    ]
    assert not Consensus.objects.exists()


def test_the_planned_level_cannot_be_below_the_agreed_level(client, cast, in_review):
    client.force_login(cast.facilitator)
    response = client.post(
        url(in_review, "propose", "1"), proposal_form(in_review, level_number=3, planned_number=2)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["planned_level"] == [
        "The planned level must be the same as or above the agreed level"
    ]
    assert not Consensus.objects.exists()


def test_a_planned_level_is_required(client, cast, in_review):
    client.force_login(cast.facilitator)
    response = client.post(url(in_review, "propose", "1"), proposal_form(in_review, level_number=3))
    assert response.context["form"].errors["planned_level"] == ["Select the planned level"]
    assert not Consensus.objects.exists()


def test_a_higher_planned_level_needs_a_date_in_the_future(client, cast, in_review):
    client.force_login(cast.facilitator)
    no_date = client.post(
        url(in_review, "propose", "1"), proposal_form(in_review, level_number=3, planned_number=4)
    )
    assert no_date.context["form"].errors["planned_by"] == [
        "Enter the date by which the planned level will be reached"
    ]
    for past in (timezone.localdate(), timezone.localdate() - timedelta(days=1)):
        response = client.post(
            url(in_review, "propose", "1"),
            proposal_form(in_review, level_number=3, planned_number=4, planned_by=past),
        )
        assert response.context["form"].errors["planned_by"] == [
            "The planned date must be in the future"
        ]
    assert not Consensus.objects.exists()
    ok = client.post(
        url(in_review, "propose", "1"),
        proposal_form(in_review, level_number=3, planned_number=4, planned_by=next_year()),
    )
    assert ok.status_code == 302
    assert Consensus.objects.get().planned_by == next_year()


def test_dissent_is_saved_per_partner_and_shown(client, cast, in_review):
    client.force_login(cast.facilitator)
    response = client.post(
        url(in_review, "propose", "1"),
        proposal_form(
            in_review,
            level_number=3,
            planned_number=3,
            dissent={cast.partner: "We are Mature across the county", cast.other_partner: ""},
        ),
    )
    assert response.status_code == 302
    dissent = Dissent.objects.get()
    assert dissent.partner == cast.partner
    assert dissent.note == "We are Mature across the county"
    assert dissent.consensus == Consensus.objects.get()
    assert "dissent from 1 partner(s)" in AuditEvent.objects.get(action="Proposed 1").detail
    client.force_login(cast.other_member)
    page = client.get(url(in_review, "review_change", "1")).content.decode()
    assert "<strong>Testshire Hospitals:</strong> We are Mature across the county" in page
    # The form shows the saved dissent when the facilitator comes back.
    client.force_login(cast.facilitator)
    form = client.get(url(in_review, "propose", "1")).context["form"]
    assert form.initial[f"dissent_{cast.partner.pk}"] == "We are Mature across the county"
    # Clearing it removes the dissent from the current proposal (its history keeps it).
    client.post(
        url(in_review, "propose", "1"),
        proposal_form(in_review, level_number=3, planned_number=3, version=1),
    )
    assert not Dissent.objects.exists()
    assert Dissent.history.filter(note="We are Mature across the county").exists()
    assert Consensus.objects.get().version == 2


def test_dissent_cannot_be_recorded_for_a_partner_outside_the_round(client, cast, in_review):
    client.force_login(cast.facilitator)
    data = proposal_form(in_review, level_number=3, planned_number=3)
    data[f"dissent_{cast.outsider_partner.pk}"] = "Sneaky"
    response = client.post(url(in_review, "propose", "1"), data)
    assert response.status_code == 302  # the unknown field is ignored by the form
    assert not Dissent.objects.exists()


def test_a_second_facilitator_with_a_stale_form_sees_both_versions_and_nothing_is_overwritten(
    client, cast, in_review
):
    colleague = second_facilitator(cast.system)
    client.force_login(cast.facilitator)
    client.post(
        url(in_review, "propose", "1"),
        proposal_form(
            in_review, level_number=3, planned_number=3, rationale="First facilitator's view"
        ),
    )
    client.force_login(colleague)
    # The colleague's form was loaded before the first save: it still carries version 0.
    response = client.post(
        url(in_review, "propose", "1"),
        proposal_form(
            in_review,
            level_number=2,
            planned_number=4,
            planned_by=next_year(),
            rationale="Second facilitator's view",
        ),
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this proposal" in page
    assert "First facilitator&#x27;s view" in page and "Second facilitator&#x27;s view" in page
    assert "Fay Facilitator saved it" in page
    assert '<input type="hidden" name="version" value="1">' in page
    consensus = Consensus.objects.get()
    assert consensus.rationale == "First facilitator's view"
    assert consensus.level.number == 3
    assert consensus.version == 1
    assert consensus.proposed_by == cast.facilitator
    # "Replace the saved proposal with mine" sends their own again, with the saved version.
    form = next(f for f in page.split("<form")[1:] if "Replace the saved proposal" in f)
    resent = {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
    }
    resent.pop("csrfmiddlewaretoken", None)
    assert resent["version"] == "1"
    replaced = client.post(url(in_review, "propose", "1"), resent)
    assert replaced.status_code == 302
    consensus.refresh_from_db()
    assert consensus.rationale == "Second facilitator's view"
    assert consensus.level.number == 2
    assert consensus.planned_level.number == 4
    assert consensus.planned_by == next_year()
    assert consensus.version == 2
    assert consensus.proposed_by == colleague
    assert AuditEvent.objects.filter(action="Changed the proposal for 1").count() == 1


def test_saving_an_unchanged_proposal_keeps_its_version(client, cast, in_review):
    client.force_login(cast.facilitator)
    data = proposal_form(in_review, level_number=3, planned_number=3)
    client.post(url(in_review, "propose", "1"), data)
    again = client.post(url(in_review, "propose", "1"), {**data, "version": "1"})
    assert again.status_code == 302
    assert Consensus.objects.get().version == 1
    assert AuditEvent.objects.filter(action__contains="proposal for 1").count() == 0


def test_proposing_a_returned_change_again_clears_its_approvals(
    client, cast, in_review, django_capture_on_commit_callbacks
):
    Round.objects.filter(pk=in_review.pk).update(quorum=2)
    in_review.refresh_from_db()
    colleague = second_steering_member(cast.system)
    propose_every_change(in_review, cast.facilitator)
    client.force_login(cast.facilitator)
    client.post(url(in_review, "submit_for_approval"))
    in_review.refresh_from_db()
    approve(in_review, "1", cast.steering)
    approve(in_review, "2", cast.steering)
    client.force_login(colleague)
    client.post(url(in_review, "decide", "1"), {"return": "", "reason": "Look again"})
    in_review.refresh_from_db()
    assert in_review.status == Round.Status.APPROVAL
    # The facilitator proposes change 1 again while the round waits for approval.
    client.force_login(cast.facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(in_review, "propose", "1"),
            proposal_form(
                in_review, level_number=3, planned_number=4, planned_by=next_year(), version=2
            ),
        )
    assert response.status_code == 302
    assert response["Location"] == url(in_review, "approval") + "#change-1"
    consensus = Consensus.objects.get(change__code="1")
    assert consensus.version == 3
    assert consensus.state == Consensus.State.PROPOSED
    assert Decision.objects.filter(consensus=consensus, kind="approve").count() == 1  # on record
    assert sorted(m.to[0] for m in mail.outbox) == [
        "steering2@test.example",
        "steering@test.example",
    ]
    assert "change 1 has a new proposal for your decision" in mail.outbox[0].subject
    client.force_login(cast.steering)
    rows = {r.change.code: r for r in client.get(url(in_review, "approval")).context["rows"]}
    assert rows["1"].approvals == 0
    assert rows["1"].my_decision is None
    assert rows["2"].approvals == 1  # the other changes keep theirs
    # The steering members decide on the new version.
    client.post(url(in_review, "decide", "1"), {"approve": ""})
    assert (
        Decision.objects.filter(consensus=consensus, proposal_version=3, kind="approve").count()
        == 1
    )


def test_while_in_approval_only_a_returned_change_can_be_proposed_again(cast, in_review):
    propose_every_change(in_review, cast.facilitator)
    round_submit_for_approval(round_=in_review, submitted_by=cast.facilitator)
    approve(in_review, "1", cast.steering)  # quorum 1: approved at once
    for code in ("1", "2"):  # approved, and still waiting for decisions
        with pytest.raises(ValidationError) as refused:
            propose(in_review, code, cast.facilitator, number=2)
        assert refused.value.messages == [NOT_RETURNED]
    with pytest.raises(PermissionDenied):  # only facilitators propose
        propose(in_review, "2", cast.steering, number=2)
    consensus = Consensus.objects.get(change__code="1")
    assert (consensus.state, consensus.version, consensus.level.number) == (
        Consensus.State.APPROVED,
        1,
        3,
    )


def test_the_workshop_records_attendance_and_steps_through_the_changes(client, cast, in_review):
    client.force_login(cast.facilitator)
    attendance = client.get(url(in_review, "workshop_attendance"))
    assert attendance.status_code == 200
    page = attendance.content.decode()
    for name in ("Mina Member", "Otto Other", "Fay Facilitator", "Stu Steering"):
        assert name in page
    assert "Vic Viewer" not in page and "Oz Outsider" not in page
    response = client.post(
        url(in_review, "workshop_attendance"),
        {"attendees": [str(cast.member.pk), str(cast.facilitator.pk)], "note": "Apologies: Otto"},
    )
    assert response["Location"] == url(in_review, "workshop", "1")
    in_review.refresh_from_db()
    assert set(in_review.attendees.all()) == {cast.member, cast.facilitator}
    assert in_review.attendance_note == "Apologies: Otto"
    assert AuditEvent.objects.filter(action="Recorded workshop attendance").exists()
    hidden = client.get(url(in_review, "workshop", "1")).content.decode()
    assert "Show the ratings" in hidden and "Seen in practice (1)" not in hidden
    shown = client.get(url(in_review, "workshop", "1") + "?show=ratings").content.decode()
    assert "Seen in practice (1)" in shown
    saved = client.post(
        url(in_review, "workshop", "1"), proposal_form(in_review, level_number=3, planned_number=3)
    )
    assert saved["Location"] == url(in_review, "workshop", "2")
    last = client.post(
        url(in_review, "workshop", "9"), proposal_form(in_review, level_number=3, planned_number=3)
    )
    assert last["Location"] == url(in_review, "review")
    assert sorted(Consensus.objects.values_list("change__code", flat=True)) == ["1", "9"]


def test_the_workshop_applies_the_same_rules_as_the_proposal_page(client, cast, in_review):
    client.force_login(cast.facilitator)
    response = client.post(
        url(in_review, "workshop", "1"), proposal_form(in_review, level_number=4, planned_number=4)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["rationale"] == [
        "Enter the rationale: it is needed when Mature is proposed"
    ]
    assert response.context["show_ratings"] is True
    assert not Consensus.objects.exists()


# ---------------------------------------------------------------------------
# Submitting for approval


def test_submitting_for_approval_needs_a_proposal_for_every_change(
    client, cast, in_review, django_capture_on_commit_callbacks
):
    propose_every_change(in_review, cast.facilitator, except_codes=("4", "7"))
    client.force_login(cast.facilitator)
    page = client.get(url(in_review, "review")).content.decode()
    assert "Propose a level for every change first" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(in_review, "submit_for_approval"))
    assert response.status_code == 302
    assert response["Location"] == url(in_review, "review")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Propose a level for every change first. Still to propose: 4, 7"
    ]
    in_review.refresh_from_db()
    assert in_review.status == Round.Status.REVIEW
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action="Submitted for approval").exists()


def test_submitting_for_approval_emails_the_steering_committee(
    client, cast, in_review, django_capture_on_commit_callbacks
):
    colleague = second_steering_member(cast.system)
    propose_every_change(in_review, cast.facilitator)
    client.force_login(cast.facilitator)
    assert "Submit for approval</button>" in client.get(url(in_review, "review")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(in_review, "submit_for_approval"))
    assert response["Location"] == f"/rounds/{in_review.public_id}/"
    in_review.refresh_from_db()
    assert in_review.status == Round.Status.APPROVAL
    assert in_review.submitted_for_approval_at is not None
    assert sorted(m.to[0] for m in mail.outbox) == [colleague.email, cast.steering.email]
    assert all("ready for your approval" in m.subject for m in mail.outbox)
    assert url(in_review, "approval") in mail.outbox[0].body
    assert AuditEvent.objects.get(action="Submitted for approval").actor == cast.facilitator


def test_proposals_cannot_change_once_submitted_for_approval(client, cast, in_review):
    propose_every_change(in_review, cast.facilitator)
    client.force_login(cast.facilitator)
    client.post(url(in_review, "submit_for_approval"))
    response = client.post(
        url(in_review, "propose", "1"),
        proposal_form(in_review, level_number=2, planned_number=2, rationale="Late", version=1),
    )
    assert response.status_code == 403
    consensus = Consensus.objects.get(change__code="1")
    assert consensus.level.number == 3 and consensus.rationale == PROPOSAL_RATIONALE


def test_a_returned_proposal_saved_again_unchanged_goes_back_to_the_committee(
    client, cast, in_review
):
    propose_every_change(in_review, cast.facilitator)
    client.force_login(cast.facilitator)
    client.post(url(in_review, "submit_for_approval"))
    client.force_login(cast.steering)
    client.post(url(in_review, "decide", "5"), {"return": "", "reason": "Evidence thin"})
    client.force_login(cast.facilitator)
    page = client.get(url(in_review, "propose", "5"))
    assert page.status_code == 200
    assert "Evidence thin" in page.content.decode()
    assert client.get(url(in_review, "propose", "6")).status_code == 403  # not returned
    assert client.get(url(in_review, "workshop", "5")).status_code == 403  # the meeting is over
    # Saving it again, even unchanged, makes it a new version waiting for decisions.
    version = Consensus.objects.get(change__code="5").version
    response = client.post(
        url(in_review, "propose", "5"),
        proposal_form(in_review, level_number=3, planned_number=3, version=version),
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "The new proposal for change 5 is with the steering committee, who have been e-mailed."
    ]
    consensus = Consensus.objects.get(change__code="5")
    assert (consensus.state, consensus.version) == (Consensus.State.PROPOSED, version + 1)
    in_review.refresh_from_db()
    assert in_review.status == Round.Status.APPROVAL


def test_rating_changes_after_reveal_do_not_reach_the_review(client, cast, in_review):
    """Partners cannot rate once the round is revealed (the return pages refuse)."""
    client.force_login(cast.member)
    base = f"/rounds/{in_review.public_id}/partners/{cast.partner.public_id}/"
    response = client.post(
        base + "changes/1/",
        {"version": 1, "save_draft": "", "rationale": "Changed after reveal"},
    )
    assert response.status_code == 200  # shown read-only, nothing saved
    assert "Changed after reveal" not in [r.rationale for r in Rating.objects.all()]
    review = client.get(url(in_review, "review_change", "1")).content.decode()
    assert "Changed after reveal" not in review
