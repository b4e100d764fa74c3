"""Agreed is frozen everywhere (issue 12 fault 9): every service refuses to change an agreed
round's ratings, consensus, decisions or workshop record, even for a site administrator, whose
permission checks always pass."""

import pytest
from django.core.exceptions import ValidationError

from assessments import consensus_services, round_services
from assessments.models import Consensus, Decision, PartnerReturn, Rating
from tests.improvement_plans.helpers import agreed_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreed(cast, frameworks):
    round_ = agreed_round(cast.system, frameworks["mtoc-2020"], planner=cast.facilitator)
    PartnerReturn.objects.create(round=round_, partner=cast.partner)
    return round_


def test_a_proposal_of_an_agreed_round_cannot_change(cast, agreed):
    consensus = Consensus.objects.get(round=agreed, change__code="1")
    with pytest.raises(ValidationError) as refused:
        consensus_services.consensus_propose(
            round_=agreed,
            change=consensus.change,
            data=consensus_services.ProposalInput(
                level=consensus.level,
                rationale="Changed afterwards",
                planned_level=consensus.planned_level,
                planned_by=consensus.planned_by,
            ),
            proposed_by=cast.admin,
            expected_version=consensus.version,
            suggested=None,
        )
    assert refused.value.messages == [consensus_services.NOT_REVIEW]
    consensus.refresh_from_db()
    assert consensus.rationale == ""


def test_an_agreed_round_takes_no_decision(cast, agreed):
    change = agreed.framework.changes.get(code="1")
    with pytest.raises(ValidationError) as refused:
        consensus_services.decision_record(
            round_=agreed,
            change=change,
            decided_by=cast.admin,
            kind=Decision.Kind.RETURN,
            reason="x",
        )
    assert refused.value.messages == [consensus_services.LOCKED]
    assert not Decision.objects.exists()


def test_an_agreed_rounds_workshop_record_cannot_change(cast, agreed):
    with pytest.raises(ValidationError):
        consensus_services.attendance_record(
            round_=agreed, recorded_by=cast.admin, attendees=[cast.member], note="Added later"
        )
    agreed.refresh_from_db()
    assert (agreed.attendance_note, agreed.attendees.count()) == ("", 0)


def test_an_agreed_rounds_ratings_cannot_change(cast, agreed):
    partner_return = PartnerReturn.objects.get(round=agreed, partner=cast.partner)
    with pytest.raises(ValidationError) as refused:
        round_services.rating_save(
            partner_return=partner_return,
            change=agreed.framework.changes.get(code="1"),
            data=round_services.RatingInput(
                level=agreed.framework.levels.get(number=5),
                rationale="Rated after agreement",
                evidence=[],
                confidence="high",
            ),
            saved_by=cast.admin,
            expected_version=0,
        )
    assert refused.value.messages == [round_services.RETURN_NOT_OPEN]
    assert not Rating.objects.exists()
