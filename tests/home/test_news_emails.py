"""The news e-mails of issue 13: a return submitted, a BCF return issued, progress posted on an
action. Each goes to exactly the people it concerns, never to the person who did it."""

import pytest
from django.urls import reverse

from assessments.models import PartnerReturn, SystemRole
from assessments.round_services import return_submit
from improvement_plans.return_services import return_issue
from improvement_plans.services import progress_post
from tests.factories import MemberFactory, UserFactory
from tests.helpers import rate_everything
from tests.improvement_plans.helpers import agreed_round, make_action, make_owner

pytestmark = pytest.mark.django_db


def recipients(outbox) -> list[str]:
    return sorted(address for message in outbox for address in message.to)


def to(outbox, address):
    (message,) = [message for message in outbox if message.to == [address]]
    return message


@pytest.fixture
def colleague(cast):
    """A second member of `cast.partner`."""
    user = UserFactory(email="colleague@test.example", full_name="Col League")
    MemberFactory(user=user, partner=cast.partner)
    return user


def test_a_submitted_return_is_told_to_the_partners_other_members_and_the_facilitators(
    cast, open_round, colleague, mailoutbox, django_capture_on_commit_callbacks
):
    rate_everything(open_round, cast.partner, cast.member)
    partner_return = PartnerReturn.objects.get(round=open_round, partner=cast.partner)
    with django_capture_on_commit_callbacks(execute=True):
        return_submit(partner_return=partner_return, submitted_by=cast.member)

    assert recipients(mailoutbox) == ["colleague@test.example", "facilitator@test.example"]
    assert {m.subject for m in mailoutbox} == {
        "Testshire Hospitals has submitted its 2026/27 Q3 return"
    }
    member_mail = to(mailoutbox, "colleague@test.example").body
    assert "Mina Member has submitted the return of Testshire Hospitals" in member_mail
    assert reverse("return_tasks", args=[open_round.public_id, cast.partner.public_id]) in (
        member_mail
    )
    facilitator_mail = to(mailoutbox, "facilitator@test.example").body
    assert "1 of 2 partners has now submitted" in facilitator_mail
    assert reverse("round_detail", args=[open_round.public_id]) in facilitator_mail
    # Blind rating: the facilitator learns that it came in, not what was rated.
    assert "Seen in practice" not in facilitator_mail
    assert "Established" not in facilitator_mail


def test_an_issued_bcf_return_is_told_to_steering_partner_members_and_the_regions_viewers(
    cast, frameworks, mailoutbox, django_capture_on_commit_callbacks
):
    round_ = agreed_round(cast.system, frameworks["mtoc-2020"], planner=cast.facilitator)
    # The facilitator who issues it is told nothing, even as a steering member too.
    SystemRole.objects.create(user=cast.facilitator, system=cast.system, role="steering")
    with django_capture_on_commit_callbacks(execute=True):
        issued = return_issue(round_=round_, issued_by=cast.facilitator)

    told = [m for m in mailoutbox if "BCF return" in m.subject]
    assert recipients(told) == [
        "member@test.example",
        "other@test.example",
        "steering@test.example",
        "viewer@test.example",
    ]
    message = told[0]
    assert message.subject == "Version 1 of the Testshire BCF return for 2025/26 is issued"
    assert f"on {issued.issued_at:%-d %B %Y}" in message.body
    assert reverse("return_page", args=[round_.public_id]) in message.body


@pytest.fixture
def action(cast, frameworks):
    round_ = agreed_round(cast.system, frameworks["mtoc-2020"], planner=cast.facilitator)
    owner = make_owner(cast.other_partner)
    return make_action(round_, lead_partner=cast.partner, owner=owner, title="Discharge hub")


def test_progress_is_told_to_the_owner_and_the_lead_partner_but_not_its_author(
    cast, action, colleague, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        progress_post(
            action=action, author=cast.member, note="Hub staff recruited", new_status="in_progress"
        )

    assert recipients(mailoutbox) == ["colleague@test.example", "owner@test.example"]
    message = to(mailoutbox, "owner@test.example")
    assert message.subject == "Progress on Discharge hub"
    assert "Mina Member has posted progress" in message.body
    assert "Hub staff recruited" in message.body
    assert "Status: in progress." in message.body
    assert reverse("action_detail", args=[action.public_id]) in message.body


def test_progress_by_the_owner_is_told_to_the_lead_partner_alone(
    cast, action, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        progress_post(action=action, author=action.owner, note="Rota agreed")
    assert recipients(mailoutbox) == ["member@test.example"]
