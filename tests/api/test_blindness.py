"""Blind rating through the API: while a round is in rating, a partner's ratings (levels,
rationale, evidence) reach nobody else by any API address: not another partner's members,
the facilitator, the steering committee, regional viewers nor anyone in another system."""

import pytest

from assessments.models import PartnerReturn
from assessments.round_services import RatingInput, rating_save
from tests.api.helpers import api, token_for
from tests.assessments.helpers import reveal

pytestmark = pytest.mark.django_db

MARKER = "SECRET-HOSPITALS-RATIONALE"


def _rate(round_, partner, user) -> None:
    partner_return = PartnerReturn.objects.select_related("round", "partner").get(
        round=round_, partner=partner
    )
    level = round_.framework.levels.get(number=5)
    for change in round_.framework.changes.filter(archived=False):
        rating_save(
            partner_return=partner_return,
            change=change,
            data=RatingInput(
                level=level,
                rationale=f"{MARKER} {change.code}",
                evidence=[{"title": MARKER, "url": f"https://example.org/{MARKER}"}],
                confidence="high",
            ),
            saved_by=user,
            expected_version=0,
        )


def _addresses(cast, round_) -> list[str]:
    """Every address of the API that could speak of the round, its system or its region."""
    return [
        api("rounds"),
        api("round", round_.public_id),
        api("ratings", round_.public_id),
        api("agreed_levels", round_.public_id),
        api("plan", round_.public_id),
        api("round_returns", round_.public_id),
        api("systems"),
        api("system", cast.system.slug),
        api("system_rounds", cast.system.slug),
        api("actions"),
        api("regions"),
        api("region_summary", cast.system.region.slug),
        api("national_summary"),
        api("frameworks"),
        api("framework", round_.framework.key),
    ]


def test_a_partners_ratings_in_rating_reach_nobody_else(client, cast, open_round):
    _rate(open_round, cast.partner, cast.member)
    others = [
        cast.other_member,
        cast.facilitator,
        cast.steering,
        cast.viewer,
        cast.outsider,
        cast.nobody,
        cast.admin,
    ]
    for person in others:
        plain = token_for(person)
        for address in _addresses(cast, open_round):
            response = client.get(address, HTTP_AUTHORIZATION=f"Bearer {plain}")
            assert response.status_code in (200, 400, 403, 404), (person, address)
            assert MARKER not in response.content.decode(), (person, address)


def test_a_member_reads_their_own_partners_ratings_while_rating(client, cast, open_round):
    _rate(open_round, cast.partner, cast.member)
    response = client.get(
        api("ratings", open_round.public_id), HTTP_AUTHORIZATION=f"Bearer {token_for(cast.member)}"
    )
    assert response.status_code == 200
    ratings = response.json()
    assert {r["partner"] for r in ratings} == {str(cast.partner.public_id)}
    assert all(MARKER in r["rationale"] and r["level"]["number"] == 5 for r in ratings)


def test_before_the_reveal_others_who_see_the_round_are_refused_its_ratings(
    client, cast, open_round
):
    _rate(open_round, cast.partner, cast.member)
    for person in (cast.other_member, cast.facilitator, cast.steering):
        response = client.get(
            api("ratings", open_round.public_id), HTTP_AUTHORIZATION=f"Bearer {token_for(person)}"
        )
        if person == cast.other_member:
            # Their own partner has rated nothing yet: an empty list, nobody else's.
            assert response.status_code == 200 and response.json() == []
        else:
            assert response.status_code == 403


def test_after_the_reveal_everyone_in_the_review_reads_every_partners_ratings(
    client, cast, open_round
):
    reveal(open_round, cast, level_number=2, other_level_number=4)
    for person in (cast.other_member, cast.facilitator, cast.steering):
        response = client.get(
            api("ratings", open_round.public_id), HTTP_AUTHORIZATION=f"Bearer {token_for(person)}"
        )
        assert response.status_code == 200
        partners = {r["partner_name"]: r["level"]["number"] for r in response.json()}
        assert partners == {"Testshire Hospitals": 2, "Testshire Council": 4}
    # A regional viewer reads them once the round is agreed, not before.
    viewer = client.get(
        api("ratings", open_round.public_id), HTTP_AUTHORIZATION=f"Bearer {token_for(cast.viewer)}"
    )
    assert viewer.status_code == 403
