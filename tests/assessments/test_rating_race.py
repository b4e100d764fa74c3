"""Two people saving the same change at the same moment: exactly one save wins and the other
is told, on a real database with row locks (PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from assessments.models import PartnerReturn, Rating
from assessments.round_services import RatingConflict, RatingInput, rating_save
from tests.factories import MemberFactory


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL")
def test_two_simultaneous_first_saves_make_one_rating_and_one_conflict(cast, open_round):
    colleague = MemberFactory(partner=cast.partner).user
    partner_return = PartnerReturn.objects.select_related("round", "partner").get(
        round=open_round, partner=cast.partner
    )
    change = open_round.framework.changes.get(code="1")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(user, text):
        try:
            barrier.wait()
            rating_save(
                partner_return=partner_return,
                change=change,
                data=RatingInput(level=None, rationale=text, evidence=[], confidence=""),
                saved_by=user,
                expected_version=0,
            )
            outcomes.append("saved")
        except RatingConflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=(cast.member, "from the first")),
        threading.Thread(target=save, args=(colleague, "from the second")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "saved"]
    assert Rating.objects.count() == 1
    assert Rating.objects.get().version == 1
