import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from assessments.models import Invitation, Member, SystemRole
from assessments.services import invitation_create
from hicm_portal.models import User
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

NEW_URL = "/systems/testshire/invitations/new/"
NEW_PASSWORD = "a-long-and-unusual-passphrase"


def invite(client, cast, **fields):
    client.force_login(cast.facilitator)
    data = {"email": "newcomer@test.example", "full_name": "New Comer", "role": "member"}
    data.update(fields)
    if "partner" not in fields:
        data["partner"] = cast.partner.pk
    return client.post(NEW_URL, data)


def link_from(message) -> str:
    return re.search(r"http://[^\s]+(/invitations/[^\s/]+/)", message.body).group(1)


def test_a_facilitator_invites_a_person_who_gets_a_link_by_email(
    client, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, cast)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["newcomer@test.example"]
    assert "Partner member, for Testshire Hospitals" in message.body
    assert "expires in 7 days" in message.body
    invitation = Invitation.objects.get()
    assert invitation.invited_by == cast.facilitator
    assert invitation.token_hash not in message.body, "only the hash is stored"


@pytest.mark.parametrize("role", ["member", "other_member", "steering", "viewer"])
def test_people_who_are_not_facilitators_may_not_invite(client, cast, role):
    client.force_login(cast.roles()[role])
    assert client.get(NEW_URL).status_code == 403
    assert client.post(NEW_URL, {"email": "x@test.example", "role": "member"}).status_code == 403
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("role", ["outsider", "nobody"])
def test_people_outside_the_system_get_not_found_for_the_invite_page(client, cast, role):
    client.force_login(cast.roles()[role])
    assert client.get(NEW_URL).status_code == 404


def test_the_invite_form_explains_each_mistake(client, cast):
    response = invite(client, cast, email="not-an-address", partner="", role="")
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["email"] == [
        "Enter an email address in the correct format, like name@example.org"
    ]
    assert form.errors["role"] == ["Select a role"]
    page = response.content.decode()
    assert "<title>Error: " in page
    assert "There is a problem" in page
    assert not Invitation.objects.exists()


def test_a_partner_member_invitation_needs_a_partner(client, cast):
    response = invite(client, cast, partner="")
    assert response.context["form"].errors["partner"] == ["Select a partner"]


def test_a_partner_of_another_system_is_refused(client, cast):
    response = invite(client, cast, partner=cast.outsider_partner.pk)
    assert response.context["form"].errors["partner"] == ["Select a partner of this system"]
    assert not Invitation.objects.exists()


def test_accepting_sets_the_password_grants_the_role_and_logs_in(
    client, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, cast)
    client.logout()
    link = link_from(mail.outbox[0])
    page = client.get(link)
    assert page.status_code == 200
    assert "newcomer@test.example" in page.content.decode()
    response = client.post(
        link, {"full_name": "New Comer", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    user = User.objects.get(email="newcomer@test.example")
    assert user.check_password(NEW_PASSWORD)
    assert Member.objects.filter(user=user, partner=cast.partner).exists()
    assert "Member of Testshire Hospitals" in client.get("/").content.decode()


def test_an_invitation_link_works_only_once(client, cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, cast)
    client.logout()
    link = link_from(mail.outbox[0])
    data = {"full_name": "New Comer", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    client.post(link, data)
    client.logout()
    again = client.get(link)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert (
        client.post(link, {**data, "password1": "x" * 12, "password2": "x" * 12}).status_code == 410
    )
    assert User.objects.get(email="newcomer@test.example").check_password(NEW_PASSWORD)


def test_an_invitation_link_expires_after_seven_days(
    client, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, cast)
    client.logout()
    invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(link_from(mail.outbox[0]))
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_the_set_password_form_refuses_weak_or_mismatched_passwords(
    client, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, cast)
    client.logout()
    link = link_from(mail.outbox[0])
    mismatch = client.post(
        link, {"full_name": "N", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"}
    )
    assert mismatch.context["form"].errors["password2"] == ["Passwords do not match"]
    weak = client.post(link, {"full_name": "N", "password1": "12345", "password2": "12345"})
    assert weak.context["form"].has_error("password1", "password_too_short")
    assert not User.objects.filter(email="newcomer@test.example").exists()
    assert Invitation.objects.get().accepted_at is None


def test_inviting_an_existing_user_just_adds_the_role(
    client, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, cast, email=cast.other_member.email, role="steering", partner="")
    assert not Invitation.objects.exists()
    assert SystemRole.objects.filter(user=cast.other_member, role="steering").exists()
    assert cast.other_member.check_password(TEST_PASSWORD)
    assert len(mail.outbox) == 1
    assert "Steering committee member of Testshire" in mail.outbox[0].body


def test_a_new_invitation_cancels_the_earlier_link(cast, django_capture_on_commit_callbacks):
    first = invitation_create(
        system=cast.system,
        email="twice@test.example",
        role="member",
        partner=cast.partner,
        invited_by=cast.facilitator,
    )
    second = invitation_create(
        system=cast.system,
        email="twice@test.example",
        role="member",
        partner=cast.partner,
        invited_by=cast.facilitator,
    )
    first.invitation.refresh_from_db()
    assert first.invitation.status == "Cancelled"
    assert second.invitation.status == "Pending"


def test_a_facilitator_can_resend_and_cancel_an_invitation(
    client, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, cast)
    invitation = Invitation.objects.get()
    base = f"/systems/testshire/invitations/{invitation.public_id}"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{base}/resend/").status_code == 302
    assert len(mail.outbox) == 2
    assert link_from(mail.outbox[0]) != link_from(mail.outbox[1])
    newest = Invitation.objects.order_by("-created_at").first()
    client.post(f"/systems/testshire/invitations/{newest.public_id}/cancel/")
    newest.refresh_from_db()
    assert newest.status == "Cancelled"
    client.logout()
    assert client.get(link_from(mail.outbox[1])).status_code == 410


def test_resend_and_cancel_are_post_only_and_for_facilitators(client, cast):
    outcome = invitation_create(
        system=cast.system,
        email="x@test.example",
        role="member",
        partner=cast.partner,
        invited_by=cast.facilitator,
    )
    base = f"/systems/testshire/invitations/{outcome.invitation.public_id}"
    client.force_login(cast.facilitator)
    assert client.get(f"{base}/cancel/").status_code == 405
    client.force_login(cast.member)
    assert client.post(f"{base}/cancel/").status_code == 403
    client.force_login(cast.outsider)
    assert client.post(f"{base}/cancel/").status_code == 404
    outcome.invitation.refresh_from_db()
    assert outcome.invitation.status == "Pending"
