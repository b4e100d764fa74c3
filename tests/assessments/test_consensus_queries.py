"""The review, change review, approval and agreed pages run as many queries for 15 partners
as for 3, whatever the number of ratings, comments, dissents and decisions."""

import pytest

from assessments.models import Comment, Consensus, Decision, Dissent, Round
from tests.assessments.helpers import (
    approve,
    codes,
    second_steering_member,
    to_approval,
    url,
)
from tests.helpers import add_rated_partners

pytestmark = pytest.mark.django_db


def add_partners(round_, count: int, *, first: int = 0) -> None:
    """`count` more partners, each with a member, a full set of ratings, a dissent on every
    proposal and a comment on change 1."""
    consensus = list(Consensus.objects.filter(round=round_))
    added = add_rated_partners(round_, count, first=first, partner_type="icb")
    for n, (partner, member) in enumerate(added, start=first):
        for proposal in consensus:
            Dissent.objects.create(consensus=proposal, partner=partner, note=f"Extra {n} dissents")
        Comment.objects.create(
            round=round_, change=consensus[0].change, author=member, text=f"From extra {n}"
        )


def at_3_partners(round_) -> None:
    """The cast's two partners and one more."""
    add_partners(round_, 1)


def grow_to_15_partners(round_, cast) -> None:
    """Twelve more partners, and a second steering member's decisions."""
    add_partners(round_, 12, first=1)
    consensus = list(Consensus.objects.filter(round=round_))
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
        pytest.param("member", "review", 6, id="review page as a member"),
        pytest.param("facilitator", "review", 6, id="review page as the facilitator"),
        # The change review page: one more for the system's local measures of the change.
        pytest.param("member", "review_change", 9, id="change review page as a member"),
        # The approval pages: the proposals, decisions and dissents, and who returned a change.
        pytest.param("steering", "approval", 8, id="approval page as a steering member"),
        pytest.param("steering", "approve_all", 9, id="approve-all summary page"),
        pytest.param("steering", "audit", 10, id="audit page as a steering member"),
    ],
)
def test_a_consensus_page_runs_as_many_queries_for_15_partners_as_for_3(
    client, cast, open_round, django_assert_max_num_queries, viewer, page_name, bound
):
    Round.objects.filter(pk=open_round.pk).update(quorum=3)  # stays in approval throughout
    to_approval(open_round, cast)
    at_3_partners(open_round)
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
    grow_to_15_partners(open_round, cast)
    with django_assert_max_num_queries(count):
        response = client.get(path)
    assert response.status_code == 200
    if page_name == "approve_all":
        assert "Dissent recorded (13)" in response.content.decode()  # the 13 extra partners
    elif page_name != "audit":
        assert "Extra 12" in response.content.decode()


def test_the_agreed_page_runs_as_many_queries_for_15_partners_as_for_3(
    client, cast, open_round, django_assert_max_num_queries
):
    to_approval(open_round, cast)
    client.force_login(cast.viewer)
    for code in codes(open_round):
        approve(open_round, code, cast.steering)
    at_3_partners(open_round)
    path = url(open_round, "agreed")
    assert client.get(path).status_code == 200
    with django_assert_max_num_queries(21) as few:
        client.get(path)
    grow_to_15_partners(open_round, cast)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(path).status_code == 200
