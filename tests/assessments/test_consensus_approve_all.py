"""Approving every remaining change in one confirmed step: the summary page, its flags, and
`decisions_approve_all` (only what this person has not decided, the quorum, the round agreed
once, nobody but steering members)."""

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from assessments.consensus_services import (
    NOTHING_TO_APPROVE,
    PROPOSALS_CHANGED,
    decision_record,
    decisions_approve_all,
)
from assessments.models import AuditEvent, Consensus, Decision, Dissent, PartnerReturn, Round
from tests.assessments.helpers import (
    agreed_earlier,
    approve,
    codes,
    propose,
    second_steering_member,
    set_level,
    to_approval,
    url,
)
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_approval(cast, open_round):
    to_approval(open_round, cast)
    return open_round


def shown_versions(round_) -> dict[str, int]:
    """What the summary page lists: every proposal's current version, by change code."""
    return dict(Consensus.objects.filter(round=round_).values_list("change__code", "version"))


def return_change(round_, code: str, user, reason: str = "Look again") -> None:
    decision_record(
        round_=round_,
        change=round_.framework.changes.get(code=code),
        decided_by=user,
        kind="return",
        reason=reason,
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- The service ---------------------------------------------------------------------------


def test_approve_all_approves_only_the_changes_this_person_has_not_decided(cast, in_approval):
    Round.objects.filter(pk=in_approval.pk).update(quorum=2)
    in_approval.refresh_from_db()
    approve(in_approval, "1", cast.steering)
    return_change(in_approval, "2", cast.steering)
    decisions = decisions_approve_all(
        round_=in_approval, decided_by=cast.steering, versions=shown_versions(in_approval)
    )
    assert sorted(d.consensus.change.code for d in decisions) == sorted(codes(in_approval)[2:])
    assert Decision.objects.filter(decided_by=cast.steering, consensus__change__code="1").count()
    assert Decision.objects.filter(decided_by=cast.steering).count() == 9  # 1 + 1 return + 7
    assert Consensus.objects.get(change__code="2").state == Consensus.State.RETURNED
    event = AuditEvent.objects.get(action="Approved every remaining change")
    assert event.actor == cast.steering and event.detail == "3, 4, 5, 6, 7, 8, 9"


def test_approve_all_respects_the_quorum_and_agrees_the_round_once_every_change_is_approved(
    cast, in_approval, django_capture_on_commit_callbacks
):
    Round.objects.filter(pk=in_approval.pk).update(quorum=2)
    in_approval.refresh_from_db()
    colleague = second_steering_member(cast.system)
    decisions_approve_all(
        round_=in_approval, decided_by=cast.steering, versions=shown_versions(in_approval)
    )
    assert not Consensus.objects.exclude(state=Consensus.State.PROPOSED).exists()
    in_approval.refresh_from_db()
    assert in_approval.status == Round.Status.APPROVAL
    with django_capture_on_commit_callbacks(execute=True):
        decisions_approve_all(
            round_=in_approval, decided_by=colleague, versions=shown_versions(in_approval)
        )
    assert in_approval.status == Round.Status.AGREED  # the caller's copy is told too
    assert not Consensus.objects.exclude(state=Consensus.State.APPROVED).exists()
    assert AuditEvent.objects.filter(action="Round agreed").count() == 1
    assert AuditEvent.objects.filter(action="1 approved").get().detail == "2 approval(s)"
    assert {m.subject for m in mail.outbox} == {f"{in_approval.name} is agreed"}


def test_approve_all_refuses_anyone_but_a_steering_member(cast, in_approval):
    for person in (cast.facilitator, cast.member, cast.viewer, cast.outsider):
        with pytest.raises(PermissionDenied):
            decisions_approve_all(
                round_=in_approval, decided_by=person, versions=shown_versions(in_approval)
            )
    assert not Decision.objects.exists()


def test_approve_all_refuses_proposals_the_page_did_not_show(cast, in_approval):
    """A change returned and proposed again after the page was read is not approved unseen:
    nothing is approved."""
    colleague = second_steering_member(cast.system)
    Round.objects.filter(pk=in_approval.pk).update(quorum=2)
    in_approval.refresh_from_db()
    shown = shown_versions(in_approval)
    return_change(in_approval, "4", colleague)
    propose(in_approval, "4", cast.facilitator, number=2)
    with pytest.raises(ValidationError) as refused:
        decisions_approve_all(round_=in_approval, decided_by=cast.steering, versions=shown)
    assert refused.value.messages == [PROPOSALS_CHANGED]
    assert not Decision.objects.filter(decided_by=cast.steering).exists()


def test_approve_all_with_nothing_left_to_decide_is_refused(cast, in_approval):
    for code in codes(in_approval)[:-1]:
        approve(in_approval, code, cast.steering)
    return_change(in_approval, "9", cast.steering)
    with pytest.raises(ValidationError) as refused:
        decisions_approve_all(round_=in_approval, decided_by=cast.steering, versions={})
    assert refused.value.messages == [NOTHING_TO_APPROVE]


# --- The pages -----------------------------------------------------------------------------


def test_the_summary_lists_each_waiting_change_with_what_to_notice(
    client, cast, frameworks, open_round
):
    # Change 5 was Mature in 2019/20 (on the 2017 edition, over the crosswalk); now proposed at
    # Established. Change 2 is split; change 3 has a dissent.
    open_round.previous_round = agreed_earlier(cast, frameworks["mtoc-2017"], {"5": 4})
    open_round.save()
    to_approval(open_round, cast)
    set_level(open_round, cast.partner, "2", 1)
    set_level(open_round, cast.other_partner, "2", 5)
    Dissent.objects.create(
        consensus=Consensus.objects.get(change__code="3"), partner=cast.partner, note="Too high"
    )
    approve_all = url(open_round, "approve_all")
    client.force_login(cast.steering)
    approval = client.get(url(open_round, "approval")).content.decode()
    assert f'href="{approve_all}"' in approval and "Approve all 9 remaining changes" in approval
    response = client.get(approve_all)
    assert response.status_code == 200
    rows = {row.change.code: row for row in response.context["waiting"]}
    assert list(rows) == codes(open_round)
    assert rows["5"].flags == ["Below the previous agreed level (4 Mature)"]
    assert rows["2"].flags == ["Split agreement"]
    assert rows["3"].flags == ["Dissent recorded (1)"]
    assert rows["1"].flags == []
    page = response.content.decode()
    assert "Approve all your remaining changes" in page
    assert "9 proposals are waiting for your decision" in page
    assert "4 Mature" in page and "3 Established" in page
    assert 'type="checkbox"' in page


def test_more_than_half_the_returns_missing_flags_every_change(client, cast, in_approval):

    for n in range(2):
        PartnerReturn.objects.create(
            round=in_approval,
            partner=PartnerFactory(system=cast.system, name=f"Late {n}"),
            missing_at_reveal=True,
        )
    PartnerReturn.objects.filter(round=in_approval, partner=cast.other_partner).update(
        missing_at_reveal=True
    )
    client.force_login(cast.steering)
    response = client.get(url(in_approval, "approve_all"))
    assert all(
        "3 of 4 returns missing at the reveal" in row.flags for row in response.context["waiting"]
    )
    assert "3 of 4 returns were missing at the reveal" in response.content.decode()


def test_approving_all_needs_the_confirmation(client, cast, in_approval):
    client.force_login(cast.steering)
    data = {f"version_{code}": "1" for code in codes(in_approval)}
    response = client.post(url(in_approval, "approve_all"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Error: " in page
    assert page.count("Confirm that you approve every change listed") == 2  # summary and field
    assert not Decision.objects.exists()


def test_a_confirmed_approve_all_approves_the_rest_and_agrees_the_round(client, cast, in_approval):
    client.force_login(cast.steering)
    client.post(url(in_approval, "decide", "1"), {"approve": ""})
    data = {f"version_{code}": "1" for code in codes(in_approval)[1:]} | {"confirm": "on"}
    response = client.post(url(in_approval, "approve_all"), data)
    assert response.status_code == 302
    assert response["Location"] == url(in_approval, "agreed")
    assert messages_of(response)[-1] == "Every change is approved: the round is agreed."
    in_approval.refresh_from_db()
    assert in_approval.status == Round.Status.AGREED


def test_a_confirmed_approve_all_below_the_quorum_says_how_many_were_approved(
    client, cast, in_approval
):
    Round.objects.filter(pk=in_approval.pk).update(quorum=2)
    second_steering_member(cast.system)
    client.force_login(cast.steering)
    data = {f"version_{code}": "1" for code in codes(in_approval)} | {"confirm": "on"}
    response = client.post(url(in_approval, "approve_all"), data)
    assert response["Location"] == url(in_approval, "approval")
    assert messages_of(response)[-1] == "You approved 9 changes."
    page = client.get(url(in_approval, "approve_all")).content.decode()
    assert "Nothing is waiting for your decision" in page
    assert "Approve all" not in client.get(url(in_approval, "approval")).content.decode()


def test_a_stale_approve_all_approves_nothing_and_says_why(client, cast, in_approval):
    client.force_login(cast.steering)
    data = {f"version_{code}": "1" for code in codes(in_approval)[:-1]} | {"confirm": "on"}
    response = client.post(url(in_approval, "approve_all"), data)  # change 9 not shown
    assert response["Location"] == url(in_approval, "approve_all")
    assert messages_of(response)[-1] == PROPOSALS_CHANGED
    assert not Decision.objects.exists()


def test_only_steering_members_reach_the_summary(client, cast, in_approval):
    for person in (cast.facilitator, cast.member):
        client.force_login(person)
        assert client.get(url(in_approval, "approve_all")).status_code == 403
        assert client.post(url(in_approval, "approve_all"), {"confirm": "on"}).status_code == 403
    assert not Decision.objects.exists()
