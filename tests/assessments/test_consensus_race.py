"""Two steering members approving at the same moment, on a real database with row locks
(PostgreSQL): the round is agreed exactly once; two first proposals make one proposal."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from assessments.consensus_services import (
    ALREADY_DECIDED,
    LOCKED,
    ProposalConflict,
    ProposalInput,
    consensus_propose,
    decision_record,
    decisions_approve_all,
)
from assessments.models import AuditEvent, Change, Consensus, Decision, Round
from tests.assessments.helpers import (
    codes,
    level,
    reveal,
    second_facilitator,
    second_steering_member,
)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"
)


def at_the_quorum_boundary(round_, cast, approvers) -> Change:
    """The round in approval with a quorum of 2: every change approved by two steering members,
    except the last, which has one approval. Built directly with the models."""
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.APPROVAL, quorum=2)
    established = level(round_, 3)
    *first, last = codes(round_)
    for code in [*first, last]:
        consensus = Consensus.objects.create(
            round=round_,
            change=round_.framework.changes.get(code=code),
            level=established,
            planned_level=established,
            state=Consensus.State.PROPOSED if code == last else Consensus.State.APPROVED,
            version=1,
            proposed_by=cast.facilitator,
        )
        for approver in approvers if code != last else approvers[:1]:
            Decision.objects.create(
                consensus=consensus, proposal_version=1, decided_by=approver, kind="approve"
            )
    return round_.framework.changes.get(code=last)


def race(round_, change, deciders) -> list[str]:
    """Each person approves `change` from their own thread, all at once."""
    barrier = threading.Barrier(len(deciders))
    outcomes: list[str] = []

    def decide(user):
        try:
            own_round = Round.objects.get(pk=round_.pk)  # each thread its own copy
            barrier.wait()
            decision_record(round_=own_round, change=change, decided_by=user, kind="approve")
            outcomes.append("agreed" if own_round.is_agreed else "approved")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(user,)) for user in deciders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
@postgresql_only
def test_two_simultaneous_approvals_at_the_quorum_boundary_agree_the_round_once(cast, open_round):
    second = second_steering_member(cast.system)
    third = second_steering_member(cast.system, email="steering3@test.example", name="Tia Third")
    last = at_the_quorum_boundary(open_round, cast, [cast.steering, second])

    outcomes = race(open_round, last, [second, third])

    open_round.refresh_from_db()
    assert open_round.status == Round.Status.AGREED
    assert open_round.agreed_at is not None
    assert AuditEvent.objects.filter(round=open_round, action="Round agreed").count() == 1
    assert AuditEvent.objects.filter(action=f"{last.code} approved").count() == 1
    # The first approval to take the round's lock agrees the round; the other arrives after
    # agreement and is refused, so nothing changes once the round is agreed.
    assert sorted(outcomes) == sorted(["agreed", LOCKED])
    consensus = Consensus.objects.get(round=open_round, change=last)
    assert consensus.state == Consensus.State.APPROVED
    decisions = Decision.objects.filter(consensus=consensus, proposal_version=1, kind="approve")
    # Both approvals that make the quorum exist: the earlier one and the winner's.
    assert decisions.count() == 2
    assert cast.steering.pk in decisions.values_list("decided_by", flat=True)
    assert {second.pk, third.pk} & set(decisions.values_list("decided_by", flat=True))


@pytest.mark.django_db(transaction=True)
@postgresql_only
def test_an_approve_all_racing_a_single_approval_at_the_quorum_boundary_agrees_once(
    cast, open_round
):
    second = second_steering_member(cast.system)
    third = second_steering_member(cast.system, email="steering3@test.example", name="Tia Third")
    last = at_the_quorum_boundary(open_round, cast, [cast.steering, second])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve_all(user):
        try:
            own_round = Round.objects.get(pk=open_round.pk)
            barrier.wait()
            decisions_approve_all(round_=own_round, decided_by=user, versions={last.code: 1})
            outcomes.append("agreed" if own_round.is_agreed else "approved")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connections.close_all()

    def approve_one(user):
        try:
            own_round = Round.objects.get(pk=open_round.pk)
            barrier.wait()
            decision_record(round_=own_round, change=last, decided_by=user, kind="approve")
            outcomes.append("agreed" if own_round.is_agreed else "approved")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=approve_all, args=(second,)),
        threading.Thread(target=approve_one, args=(third,)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    open_round.refresh_from_db()
    assert open_round.status == Round.Status.AGREED
    assert sorted(outcomes) == sorted(["agreed", LOCKED])
    assert AuditEvent.objects.filter(round=open_round, action="Round agreed").count() == 1
    assert AuditEvent.objects.filter(action=f"{last.code} approved").count() == 1


@pytest.mark.django_db(transaction=True)
@postgresql_only
def test_a_double_click_records_one_decision(cast, open_round):
    second = second_steering_member(cast.system)
    last = at_the_quorum_boundary(open_round, cast, [cast.steering, second])
    Decision.objects.filter(consensus__change=last).delete()  # the last change: no approvals

    outcomes = race(open_round, last, [second, second])

    assert sorted(outcomes) == sorted(["approved", ALREADY_DECIDED])
    assert Decision.objects.filter(consensus__change=last).count() == 1
    open_round.refresh_from_db()
    assert open_round.status == Round.Status.APPROVAL


@pytest.mark.django_db(transaction=True)
@postgresql_only
def test_two_facilitators_first_proposals_at_once_make_one_proposal_and_one_conflict(
    cast, open_round
):
    reveal(open_round, cast)
    colleague = second_facilitator(cast.system)
    change = open_round.framework.changes.get(code="1")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def propose(user, number):
        try:
            own_round = Round.objects.get(pk=open_round.pk)
            barrier.wait()
            consensus_propose(
                round_=own_round,
                change=change,
                data=ProposalInput(
                    level=level(open_round, number),
                    rationale=f"{user.full_name}'s view",
                    planned_level=level(open_round, 4),
                    planned_by=timezone.localdate() + timedelta(days=100),
                ),
                proposed_by=user,
                expected_version=0,
                suggested=3,
            )
            outcomes.append("saved")
        except ProposalConflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=propose, args=(cast.facilitator, 3)),
        threading.Thread(target=propose, args=(colleague, 2)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "saved"]
    consensus = Consensus.objects.get(round=open_round, change=change)
    assert consensus.version == 1
    assert AuditEvent.objects.filter(action="Proposed 1").count() == 1
