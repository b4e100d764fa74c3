"""The demo's round waiting for approval: a newcomer signing in as steering2 or steering3 finds
decisions to make, a returned change with its reason, and a warning below the previous level."""

import io

import pytest
from django.core.management import call_command

from assessments.demo import APPROVAL_ROUND, RETURN_REASON, RETURNED_CHANGE
from assessments.models import Consensus, Round
from hicm_portal.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_round() -> Round:
    call_command("load_frameworks", stdout=io.StringIO())
    call_command("seed_demo", "--password", "demo-password-1", stdout=io.StringIO())
    return Round.objects.get(system__slug="northshire", name=APPROVAL_ROUND)


def test_the_demo_has_a_round_in_approval_with_one_change_returned(demo_round):
    assert demo_round.status == Round.Status.APPROVAL
    states = dict(Consensus.objects.filter(round=demo_round).values_list("change__code", "state"))
    assert states[str(RETURNED_CHANGE)] == Consensus.State.RETURNED
    assert list(states.values()).count(Consensus.State.APPROVED) == 2
    assert list(states.values()).count(Consensus.State.PROPOSED) == 6


def test_steering2_and_steering3_have_decisions_to_make_and_see_the_return(client, demo_round):
    remaining = {}
    for name in ("steering1", "steering2", "steering3"):
        client.force_login(User.objects.get(email=f"{name}@northshire.example"))
        page = client.get(f"/rounds/{demo_round.public_id}/approval/")
        assert page.status_code == 200
        remaining[name] = len(page.context["waiting"])
        text = page.content.decode()
        assert "Returned by Steering Member 1" in text
        assert RETURN_REASON.replace("'", "&#x27;") in text
        assert "The proposed level is below the previous agreed level" in text
    assert remaining == {"steering1": 0, "steering2": 6, "steering3": 6}


def test_seeding_the_demo_again_leaves_the_round_as_it_is(demo_round):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert f"Round {APPROVAL_ROUND} already exists; left as it is." in out.getvalue()
    assert Round.objects.filter(name=APPROVAL_ROUND).count() == 1
