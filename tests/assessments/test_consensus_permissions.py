"""Who may open each page of review, consensus and approval, in each state of a round.

Outsiders (people of another system, and people with no role) get 404: they cannot learn a
round exists. People in the system who may not do something get 403. Only facilitators
propose; only steering members decide; a person holding both roles can do both. Regional
viewers read a round once it is agreed, never before.
"""

import pytest
from django.db import transaction
from django.urls import URLPattern

from assessments.consensus_services import round_submit_for_approval
from assessments.models import Comment, Consensus, Decision, Round
from assessments.urls import urlpatterns
from tests.assessments.helpers import (
    approve,
    both_roles,
    codes,
    proposal_form,
    propose_every_change,
    reveal,
    to_state,
    url,
)
from tests.factories import SystemRoleFactory, UserFactory

pytestmark = pytest.mark.django_db

STATES = ["rating", "review", "approval", "agreed"]
ROLES = [
    "member",
    "other_member",
    "facilitator",
    "steering",
    "both",
    "viewer",
    "outsider",
    "other_facilitator",
    "nobody",
    "admin",
    "anonymous",
]
PARTICIPANTS = {"member", "other_member", "facilitator", "steering", "both"}
NOT_FOUND = {"outsider", "other_facilitator", "nobody", "admin"}
FACILITATORS = {"facilitator", "both"}
STEERING = {"steering", "both"}

# What each request is: (method, url name, extra url arguments).
REQUESTS = {
    "reveal": ("get", "reveal", ()),
    "review": ("get", "review", ()),
    "review_change": ("get", "review_change", ("1",)),
    "comment": ("post", "review_change", ("1",)),
    "comment_edit": ("get", "comment_edit", ("COMMENT",)),
    "propose": ("get", "propose", ("1",)),
    "workshop_attendance": ("get", "workshop_attendance", ()),
    "workshop": ("get", "workshop", ("1",)),
    "submit_for_approval": ("post", "submit_for_approval", ()),
    "approval": ("get", "approval", ()),
    "approve_all": ("get", "approve_all", ()),
    "decide": ("post", "decide", ("1",)),
    "agreed": ("get", "agreed", ()),
    "audit": ("get", "audit", ()),
}


def allowed(who: set, ok: int, state_ok: bool) -> dict:
    """`ok` for `who` when the state allows; 403 for every other participant."""
    return {role: ok if state_ok and role in who else 403 for role in PARTICIPANTS}


def expected(request: str, state: str) -> dict:
    """The status code each role gets, before the outsiders' 404 and the login redirect."""
    revealed = state != "rating"
    discussing = state in ("review", "approval")
    agreed = state == "agreed"
    codes = {
        "reveal": allowed(FACILITATORS, 200, state == "rating"),
        "review": allowed(PARTICIPANTS, 200, revealed),
        "review_change": allowed(PARTICIPANTS, 200, revealed),
        "comment": allowed(PARTICIPANTS, 302, discussing),
        "comment_edit": allowed({"member"}, 200, discussing),  # the author only
        "propose": allowed(FACILITATORS, 200, state == "review"),
        "workshop_attendance": allowed(FACILITATORS, 200, state == "review"),
        "workshop": allowed(FACILITATORS, 200, state == "review"),
        "submit_for_approval": allowed(FACILITATORS, 302, state == "review"),
        "approval": allowed(PARTICIPANTS, 200, revealed),
        "approve_all": allowed(STEERING, 200, state == "approval"),
        "decide": allowed(STEERING, 302, state == "approval"),
        # Not agreed yet: there is no agreed page (404) for those who may see the review.
        "agreed": allowed(PARTICIPANTS, 200 if agreed else 404, revealed),
        "audit": allowed(PARTICIPANTS, 200, True),
    }[request]
    # Regional viewers: nothing before agreement; the read-only pages once agreed.
    readable_when_agreed = {"review", "review_change", "approval", "agreed", "audit"}
    codes["viewer"] = 200 if agreed and request in readable_when_agreed else 403
    codes.update(dict.fromkeys(NOT_FOUND, 404))
    codes["anonymous"] = 302  # to the login page
    return codes


def people(cast) -> dict:
    other_facilitator = UserFactory(email="elsewhere-facilitator@test.example")
    SystemRoleFactory(user=other_facilitator, system=cast.other_system, role="facilitator")
    return {
        **cast.roles(),
        "both": both_roles(cast.system),
        "other_facilitator": other_facilitator,
        "admin": cast.admin,
        "anonymous": None,
    }


def data_for(request: str, round_) -> dict:
    return {
        "comment": {"text": "A comment"},
        "decide": {"approve": ""},
        "propose": proposal_form(round_, level_number=3, planned_number=3),
    }.get(request, {})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", STATES)
def test_the_permission_matrix(client, cast, open_round, state, role):
    everyone = people(cast)
    to_state(open_round, cast, state)
    comment = Comment.objects.create(
        round=open_round,
        change=open_round.framework.changes.get(code="1"),
        author=cast.member,
        text="By the member",
    )
    user = everyone[role]
    if user is not None:
        client.force_login(user)
    wrong = []
    for request, (method, name, args) in REQUESTS.items():
        args = tuple(comment.public_id if a == "COMMENT" else a for a in args)
        path = url(open_round, name, *args)
        # Each request sees the round as the state left it: what it changes is rolled back.
        with transaction.atomic():
            response = getattr(client, method)(path, data_for(request, open_round))
            transaction.set_rollback(True)
        want = expected(request, state)[role]
        if response.status_code != want:
            wrong.append(f"{request}: {response.status_code}, expected {want}")
        if role == "anonymous":
            assert response["Location"].startswith("/accounts/login/"), request
    assert not wrong, f"{role} in {state}: " + "; ".join(wrong)


def test_the_matrix_covers_every_url_of_this_stage():
    consensus_names = {
        p.name
        for p in urlpatterns
        if isinstance(p, URLPattern) and p.callback.__module__ == "assessments.consensus_views"
    }
    assert consensus_names == {name for _method, name, _args in REQUESTS.values()}


def test_only_facilitators_propose_only_steering_members_decide_and_one_person_may_do_both(
    client, cast, open_round
):
    both = both_roles(cast.system)
    reveal(open_round, cast)
    data = proposal_form(open_round, level_number=3, planned_number=3)
    client.force_login(cast.steering)
    assert client.post(url(open_round, "propose", "1"), data).status_code == 403
    assert not Consensus.objects.exists()
    client.force_login(both)
    assert client.post(url(open_round, "propose", "1"), data).status_code == 302
    assert Consensus.objects.get().proposed_by == both
    propose_every_change(open_round, both)
    assert client.post(url(open_round, "submit_for_approval")).status_code == 302
    open_round.refresh_from_db()
    assert open_round.status == Round.Status.APPROVAL
    client.force_login(cast.facilitator)
    assert client.post(url(open_round, "decide", "1"), {"approve": ""}).status_code == 403
    assert not Decision.objects.exists()
    client.force_login(both)
    assert client.post(url(open_round, "decide", "1"), {"approve": ""}).status_code == 302
    assert Decision.objects.get().decided_by == both
    assert Consensus.objects.get(change__code="1").state == Consensus.State.APPROVED


def test_a_regional_viewer_reads_the_review_only_once_the_round_is_agreed(client, cast, open_round):
    client.force_login(cast.viewer)
    to_state(open_round, cast, "review")
    assert client.get(url(open_round, "review")).status_code == 403
    assert client.get(url(open_round, "review_change", "1")).status_code == 403
    propose_every_change(open_round, cast.facilitator)
    round_submit_for_approval(round_=open_round, submitted_by=cast.facilitator)
    assert client.get(url(open_round, "approval")).status_code == 403
    for code in codes(open_round):
        approve(open_round, code, cast.steering)
    review = client.get(url(open_round, "review"))
    assert review.status_code == 200
    assert "3 Established" in review.content.decode()
    assert client.get(url(open_round, "agreed")).status_code == 200
    # Read-only: no proposing, commenting or deciding links.
    page = review.content.decode()
    assert "/propose/" not in page and "Submit for approval" not in page
    change_page = client.get(url(open_round, "review_change", "1")).content.decode()
    assert "<textarea" not in change_page
