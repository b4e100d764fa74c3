"""A partner that had not submitted at the reveal keeps its draft ratings: nothing is deleted,
its members still read them, and the review marks the return as missing."""

import pytest
from django.urls import reverse

from assessments.consensus_services import round_reveal
from assessments.models import PartnerReturn, Rating
from tests.assessments.helpers import codes, submit
from tests.helpers import rate_everything

pytestmark = pytest.mark.django_db


def test_draft_ratings_of_a_return_missing_at_the_reveal_are_kept_and_shown(
    client, cast, open_round
):
    submit(open_round, cast.partner, cast.member)
    rate_everything(open_round, cast.other_partner, cast.other_member, rationale="Draft only")
    drafts = set(
        Rating.objects.filter(round=open_round, partner=cast.other_partner).values_list(
            "pk", "level_id", "rationale"
        )
    )
    assert len(drafts) == len(codes(open_round))

    round_reveal(round_=open_round, revealed_by=cast.facilitator, confirm_missing=True)

    kept = set(
        Rating.objects.filter(round=open_round, partner=cast.other_partner).values_list(
            "pk", "level_id", "rationale"
        )
    )
    assert kept == drafts
    partner_return = PartnerReturn.objects.get(round=open_round, partner=cast.other_partner)
    assert partner_return.missing_at_reveal and partner_return.submitted_at is None
    client.force_login(cast.other_member)
    first = codes(open_round)[0]
    page = client.get(
        reverse(
            "rating_edit",
            args=[open_round.public_id, cast.other_partner.public_id, first],
        )
    )
    assert page.status_code == 200
    assert "Draft only" in page.content.decode()
