"""The review, change review, approval and agreed pages run a bounded number of queries,
whatever the number of partners, ratings, comments, dissents and decisions."""

import pytest

from assessments.models import Comment, Consensus, Decision, Dissent, PartnerReturn, Round
from tests.assessments.test_consensus_support import (
    approve,
    codes,
    second_steering_member,
    to_approval,
    url,
)
from tests.conftest import rate_everything
from tests.factories import MemberFactory, PartnerFactory

pytestmark = pytest.mark.django_db


def grow(round_, cast, extra: int = 6) -> None:
    """Add `extra` partners, each with a member, a full set of ratings, a dissent on every
    proposal and a comment on change 1; and a second steering member's decisions."""
    status = round_.status
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.RATING)
    round_.refresh_from_db()
    consensus = list(Consensus.objects.filter(round=round_))
    for n in range(extra):
        partner = PartnerFactory(system=cast.system, name=f"Extra {n}", partner_type="icb")
        PartnerReturn.objects.create(round=round_, partner=partner)
        member = MemberFactory(partner=partner).user
        rate_everything(round_, partner, member, level_number=1 + n % 5)
        PartnerReturn.objects.filter(round=round_, partner=partner).update(
            submitted_at=round_.opened_at
        )
        for proposal in consensus:
            Dissent.objects.create(consensus=proposal, partner=partner, note=f"Extra {n} dissents")
        Comment.objects.create(
            round=round_, change=consensus[0].change, author=member, text=f"From extra {n}"
        )
    Round.objects.filter(pk=round_.pk).update(status=status)
    round_.refresh_from_db()
    colleague = second_steering_member(cast.system)
    for proposal in consensus[1:]:
        Decision.objects.create(
            consensus=proposal,
            proposal_version=proposal.version,
            decided_by=colleague,
            kind="approve",
        )


@pytest.mark.parametrize(
    "viewer,page_name,bound",
    [
        ("member", "review", 14),
        ("facilitator", "review", 14),
        ("member", "review_change", 18),
        ("steering", "approval", 16),
        ("steering", "audit", 10),
    ],
)
def test_a_consensus_page_runs_a_bounded_number_of_queries_whatever_the_partners(
    client, cast, open_round, django_assert_max_num_queries, viewer, page_name, bound
):
    Round.objects.filter(pk=open_round.pk).update(quorum=3)  # stays in approval throughout
    to_approval(open_round, cast)
    client.force_login(cast.roles()[viewer])
    path = (
        url(open_round, page_name, "1")
        if page_name == "review_change"
        else url(open_round, page_name)
    )
    assert client.get(path).status_code == 200
    with django_assert_max_num_queries(bound) as few:
        client.get(path)
    count = len(few.captured_queries)
    grow(open_round, cast)
    with django_assert_max_num_queries(count):
        response = client.get(path)
    assert response.status_code == 200
    if page_name != "audit":
        assert "Extra 5" in response.content.decode()


def test_the_agreed_page_runs_a_bounded_number_of_queries_whatever_the_partners(
    client, cast, open_round, django_assert_max_num_queries
):
    to_approval(open_round, cast)
    client.force_login(cast.viewer)
    for code in codes(open_round):
        approve(open_round, code, cast.steering)
    path = url(open_round, "agreed")
    assert client.get(path).status_code == 200
    with django_assert_max_num_queries(21) as few:
        client.get(path)
    grow(open_round, cast)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(path).status_code == 200
