"""What waits for each person, on their home page: each item links straight to the page that
does it, and the service navigation shows how many there are."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import consensus_services
from assessments.models import Consensus, PartnerReturn, Round
from assessments.services import role_grant
from improvement_plans import return_services
from improvement_plans.models import Action, IssuedReturn
from tests.assessments.helpers import (
    approve,
    codes,
    level,
    propose,
    propose_every_change,
    reveal,
    submit,
    to_approval,
)
from tests.factories import SystemFactory
from tests.helpers import add_partners, query_count
from tests.improvement_plans.helpers import make_action, make_owner
from tests.returns.helpers import plan_round

pytestmark = pytest.mark.django_db


def home(client, user) -> str:
    client.force_login(user)
    return client.get("/").content.decode()


def nav_count(count: int, words: str) -> str:
    return f'({count}<span class="govuk-visually-hidden"> {words} your attention</span>)'


def link(url: str, text: str) -> str:
    return f'<a class="govuk-link" href="{url}">{text}</a>'


# --- Steering committee members ------------------------------------------------------------


def test_a_steering_member_sees_how_many_proposals_await_their_decision(client, cast, open_round):
    to_approval(open_round, cast)
    waiting = len(codes(open_round))
    page = home(client, cast.steering)
    assert (
        link(
            reverse("approval", args=[open_round.public_id]),
            f"2026/27 Q3: {waiting} proposals await your decision",
        )
        in page
    )
    # The navigation counts things to do: one round to decide on.
    assert nav_count(1, "thing needs") in page


def test_a_decided_proposal_no_longer_waits_for_that_member(client, cast, open_round):
    open_round.quorum = 2
    open_round.save()
    to_approval(open_round, cast)
    first, *others = codes(open_round)
    approve(open_round, first, cast.steering)
    page = home(client, cast.steering)
    assert f"{len(others)} proposals await your decision" in page


def test_a_partner_member_is_not_asked_to_decide(client, cast, open_round):
    to_approval(open_round, cast)
    assert "await your decision" not in home(client, cast.member)


# --- Facilitators --------------------------------------------------------------------------


def test_the_facilitator_is_told_when_every_return_is_in_and_led_to_reveal(
    client, cast, open_round
):
    submit(open_round, cast.partner, cast.member)
    assert "1 of 2 returns submitted" in home(client, cast.facilitator)
    submit(open_round, cast.other_partner, cast.other_member)
    page = home(client, cast.facilitator)
    assert (
        link(
            reverse("reveal", args=[open_round.public_id]),
            "2026/27 Q3: all 2 returns are in – reveal the ratings",
        )
        in page
    )


def test_the_facilitator_is_led_to_submit_once_every_change_is_proposed(client, cast, open_round):
    reveal(open_round, cast)
    first, *_ = codes(open_round)
    propose_every_change(open_round, cast.facilitator, except_codes=[first])
    assert "submit them for approval" not in home(client, cast.facilitator)
    propose_every_change(open_round, cast.facilitator)
    page = home(client, cast.facilitator)
    assert (
        link(
            reverse("review", args=[open_round.public_id]),
            "2026/27 Q3: every change has a proposed level – submit them for approval",
        )
        in page
    )


def test_the_facilitator_sees_a_returned_proposal_with_its_reason(client, cast, open_round):
    to_approval(open_round, cast)
    first = codes(open_round)[0]
    consensus_services.decision_record(
        round_=open_round,
        change=open_round.framework.changes.get(code=first),
        decided_by=cast.steering,
        kind="return",
        reason="The evidence is from last year",
    )
    page = home(client, cast.facilitator)
    assert reverse("propose", args=[open_round.public_id, first]) in page
    assert f"change {first} was returned by {cast.steering.full_name}" in page
    assert "The evidence is from last year" in page
    assert "propose it again" in page
    propose(open_round, first, cast.facilitator)  # proposed again: no longer waiting
    assert "propose it again" not in home(client, cast.facilitator)


def test_the_facilitator_is_led_to_plan_and_issue_an_agreed_round(client, cast, frameworks):
    round_ = plan_round(cast, frameworks["mtoc-2020"])
    page = home(client, cast.facilitator)
    assert (
        link(
            reverse("plan", args=[round_.public_id]), "2025/26 is agreed: make its improvement plan"
        )
        in page
    )
    assert link(reverse("return_page", args=[round_.public_id]), "issue its BCF return") in page
    return_services.return_issue(round_=round_, issued_by=cast.facilitator)
    assert "make its improvement plan" not in home(client, cast.facilitator)


# --- Partner members and action owners -----------------------------------------------------


def test_a_partner_member_sees_their_return_and_its_due_date_as_a_date(client, cast, open_round):
    page = home(client, cast.member)
    closes = open_round.closes_on
    assert f"Rate 2026/27 Q3 for Testshire Hospitals by {closes.day} {closes:%B %Y}" in page
    assert closes.isoformat() not in page


def test_a_partner_member_sees_actions_their_partner_leads_or_contributes_to_when_due(
    client, cast, frameworks
):
    round_ = plan_round(cast, frameworks["mtoc-2020"])  # its action is due in 60 days
    today = timezone.localdate()
    owner = make_owner(cast.partner, email="o2@test.example")
    make_action(
        round_, title="Soon", lead_partner=cast.partner, owner=owner, due=today + timedelta(days=5)
    )
    make_action(
        round_, title="Late", lead_partner=cast.partner, owner=owner, due=today - timedelta(days=1)
    )
    joint = make_action(
        round_,
        title="Joint",
        lead_partner=cast.partner,
        owner=owner,
        due=today + timedelta(days=14),
    )
    joint.contributing_partners.add(cast.other_partner)
    url = reverse("system_actions", args=[cast.system.slug])
    assert link(
        url,
        "Your partner leads or contributes to 3 actions due within 14 days or overdue "
        "(2 due soon, 1 overdue)",
    ) in home(client, cast.member)
    assert "Your partner leads or contributes to 1 action due" in home(client, cast.other_member)


def test_an_owner_sees_their_own_actions_due_or_overdue(client, cast, frameworks):
    round_ = plan_round(cast, frameworks["mtoc-2020"])
    action = round_.plan_actions.get()
    action.due_date = timezone.localdate() - timedelta(days=3)
    action.save()
    page = home(client, cast.member)
    assert (
        link(
            reverse("my_actions"),
            "You own 1 action due within 14 days or overdue (0 due soon, 1 overdue)",
        )
        in page
    )


def test_finished_actions_do_not_wait(client, cast, frameworks):
    round_ = plan_round(cast, frameworks["mtoc-2020"])
    round_.plan_actions.update(
        due_date=timezone.localdate() - timedelta(days=3), status=Action.Status.DONE
    )
    assert (
        "action" not in home(client, cast.member).split("Needs your attention")[1].split("</dd>")[0]
    )


# --- Regional viewers ----------------------------------------------------------------------


def test_a_regional_viewer_sees_returns_newly_issued_in_their_region(client, cast, frameworks):
    round_ = plan_round(cast, frameworks["mtoc-2020"])
    return_services.return_issue(round_=round_, issued_by=cast.facilitator)
    older = plan_round(cast, frameworks["mtoc-2020"], name="2024/25")
    IssuedReturn.objects.create(
        round=older,
        version=1,
        data={},
        html="",
        pdf=b"",
        xlsx=b"",
        checksum="",
        issued_at=timezone.now() - timedelta(days=15),
    )
    today = timezone.localdate()
    page = home(client, cast.viewer)
    assert (
        link(
            reverse("return_page", args=[round_.public_id]),
            f"Version 1 of the BCF return for 2025/26 was issued on {today.day} {today:%B %Y}",
        )
        in page
    )
    assert "for 2024/25 was issued" not in page
    assert client.get(reverse("return_page", args=[round_.public_id])).status_code == 200


def test_nothing_waiting_says_so_and_the_navigation_shows_no_count(client, cast):
    page = home(client, cast.viewer)
    assert "Nothing at the moment." in page
    assert "your attention</span>" not in page


def test_the_navigation_counts_one_item_with_a_singular_explanation(client, cast, open_round):
    page = home(client, cast.member)
    assert nav_count(1, "thing needs") in page


# --- Query counts --------------------------------------------------------------------------


def add_waiting_system(cast, person: str, n: int, framework) -> None:
    """A system of the cast's region in which `person` holds their role, with something of
    every kind waiting: a round in approval, an agreed round, a returned proposal, actions due
    and a return just issued."""
    system = SystemFactory(region=cast.system.region, name=f"System {n}", slug=f"system-{n}")
    partners = [partner for partner, _ in add_partners(system, 2, first=10 * n)]
    user = cast.roles()[person]
    if person != "viewer":
        role_grant(
            user=user,
            role=person,
            system=system,
            partner=partners[0] if person == "member" else None,
            granted_by=cast.admin,
            tell_person=False,
        )
    today = timezone.localdate()
    now = timezone.now()

    def new_round(name: str, status: str) -> Round:
        return Round.objects.create(
            system=system,
            name=name,
            framework=framework,
            status=status,
            opens_on=today - timedelta(days=30),
            closes_on=today + timedelta(days=5),
            quorum=1,
            opened_at=now,
            agreed_at=now if status == Round.Status.AGREED else None,
        )

    rating = new_round("Rating", Round.Status.RATING)
    for partner in partners:
        PartnerReturn.objects.create(round=rating, partner=partner)
    in_approval = new_round("Approval", Round.Status.APPROVAL)
    for change in framework.changes.filter(archived=False):
        Consensus.objects.create(
            round=in_approval,
            change=change,
            level=level(in_approval, 3),
            state=Consensus.State.PROPOSED,
        )
    agreed = new_round("Agreed", Round.Status.AGREED)
    IssuedReturn.objects.create(
        round=agreed, version=1, data={}, html="", pdf=b"", xlsx=b"", checksum=""
    )
    for days in (-2, 3):
        make_action(
            agreed,
            title=f"Due in {days}",
            lead_partner=partners[0],
            owner=user,
            due=today + timedelta(days=days),
        )


@pytest.mark.parametrize("person", ["facilitator", "steering", "member", "viewer"])
def test_the_home_page_runs_as_many_queries_for_five_waiting_systems_as_for_one(
    client, cast, frameworks, person
):
    framework = frameworks["mtoc-2020"]
    add_waiting_system(cast, person, 1, framework)
    client.force_login(cast.roles()[person])
    client.get("/")
    before = query_count(client, "/")
    # Session, person, systems, partners, and one per kind of thing that may wait for this
    # role: seven for a facilitator (rounds three ways, returned proposals, partners, invitations)
    # with their own actions.
    assert before <= 11
    for n in range(2, 6):
        add_waiting_system(cast, person, n, framework)
    client.get("/")
    assert query_count(client, "/") <= before
    assert "System 5" in client.get("/").content.decode()
