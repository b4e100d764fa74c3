"""Agreed is frozen by the database too (issue 12, "refused ... by the database where it can"):
a write that goes round the services cannot change an approved consensus or a recorded
decision, while the services' own changes still go through (assessments migration 0009)."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from assessments import consensus_services
from assessments.models import Consensus, Decision, Round
from tests.factories import UserFactory
from tests.improvement_plans.helpers import agreed_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreed(cast, frameworks) -> Round:
    round_ = agreed_round(cast.system, frameworks["mtoc-2020"], planner=cast.facilitator)
    for consensus in Consensus.objects.filter(round=round_):
        Decision.objects.create(
            consensus=consensus,
            proposal_version=consensus.version,
            decided_by=cast.steering,
            kind=Decision.Kind.APPROVE,
        )
    return round_


def refused(rows, **fields) -> bool:
    try:
        with transaction.atomic():
            rows.update(**fields)
    except IntegrityError:
        return True
    return False


@pytest.mark.parametrize(
    "fields",
    [
        {"rationale": "Changed after agreement"},
        {"state": Consensus.State.PROPOSED},
        {"version": 7},
        {"challenges": "Rewritten"},
        {"approved_at": None},
    ],
)
def test_an_agreed_consensus_cannot_be_changed_past_the_services(agreed, fields):
    rows = Consensus.objects.filter(round=agreed, change__code="1")
    before = rows.values().get()
    assert refused(rows, **fields)
    assert rows.values().get() == before


def test_an_agreed_planned_date_or_level_cannot_be_changed_past_the_services(agreed):
    """The admin edit of issue 12 fault 9, as a plain update."""
    rows = Consensus.objects.filter(round=agreed, change__code="1")
    consensus = rows.get()
    assert refused(rows, planned_by=consensus.planned_by + timedelta(days=365))
    assert refused(rows, level=agreed.framework.levels.get(number=5))
    assert rows.get().planned_by == consensus.planned_by


def test_a_recorded_decision_cannot_be_changed(agreed):
    rows = Decision.objects.filter(consensus__round=agreed, consensus__change__code="1")
    assert refused(rows, kind=Decision.Kind.RETURN, reason="Changed my mind")
    assert refused(rows, proposal_version=9)
    assert rows.get().kind == Decision.Kind.APPROVE


def test_updating_nothing_frozen_still_works(cast, agreed):
    """Deleting the person who proposed empties `proposed_by`; a save of the same values is
    no change."""
    proposer = UserFactory(email="proposer@test.example")
    Consensus.objects.filter(round=agreed).update(proposed_by=proposer)
    proposer.delete()
    assert set(Consensus.objects.filter(round=agreed).values_list("proposed_by", flat=True)) == {
        None
    }
    consensus = Consensus.objects.get(round=agreed, change__code="1")
    consensus.save()


def test_a_proposal_approved_before_a_return_can_still_be_changed_in_review(cast, open_round):
    """The one way an approved consensus changes: its round returned to review, the facilitator
    proposes again (state back to proposed, version up)."""
    change = open_round.framework.changes.get(code="1")
    level = open_round.framework.levels.get(number=3)
    Round.objects.filter(pk=open_round.pk).update(status=Round.Status.REVIEW)
    open_round.refresh_from_db()
    Consensus.objects.create(
        round=open_round,
        change=change,
        level=level,
        planned_level=level,
        state=Consensus.State.APPROVED,
    )
    consensus = consensus_services.consensus_propose(
        round_=open_round,
        change=change,
        data=consensus_services.ProposalInput(
            level=level, rationale="Seen again", planned_level=level, planned_by=None
        ),
        proposed_by=cast.facilitator,
        expected_version=1,
        suggested=3,
    )
    assert (consensus.state, consensus.version) == (Consensus.State.PROPOSED, 2)
    assert Consensus.objects.get(pk=consensus.pk).rationale == "Seen again"
