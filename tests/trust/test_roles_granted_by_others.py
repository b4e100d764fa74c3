"""Issue 12, fault 1: roles are granted by someone else and seen by the people they affect.

Before, a facilitator could invite their own address into any partner (or onto the steering
committee): `invitation_create` saw an existing account and granted the role at once, so the
facilitator could read, reopen and rewrite that partner's blind ratings. Nobody else was told and
nothing was recorded; the admin's Member, SystemRole and RegionalViewer pages wrote roles
directly too. Now `role_grant` refuses a grant to oneself on every path into it, and every grant
and removal is a RoleChange, e-mailed to the people it affects and shown on the system's page
and on the person's account page.
"""

from datetime import timedelta

import pytest
import tablib
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments.models import (
    Invitation,
    Member,
    RegionalViewer,
    RoleChange,
    SystemRole,
    hash_token,
)
from assessments.resources import MemberResource
from assessments.rules import roles_of
from assessments.services import (
    ROLE_SELF_GRANT,
    invitation_accept,
    invitation_create,
    role_grant,
    role_remove,
)
from tests.factories import MemberFactory, SystemRoleFactory, UserFactory
from tests.helpers import add_partners, query_count

pytestmark = pytest.mark.django_db

INVITE_URL = "/systems/testshire/invitations/new/"
# What the admin's role forms asked for before they went through the services; posted with every
# admin form here, so that a form which still wrote the row directly would be valid.
CREATED_AT = {"created_at_0": "2026-01-05", "created_at_1": "09:30:00"}


@pytest.fixture
def second_facilitator(cast):
    """Another facilitator of `cast.system`: someone else who may grant `cast.facilitator` a
    role."""
    user = UserFactory(email="second@test.example", full_name="Sam Second")
    SystemRoleFactory(user=user, system=cast.system, role="facilitator")
    return user


def invite(client, inviter, *, email, role, partner=None):
    client.force_login(inviter)
    data = {"email": email, "full_name": "", "role": role, "partner": partner.pk if partner else ""}
    return client.post(INVITE_URL, data)


def sent_to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


# ---------------------------------------------------------------------------
# Nobody grants a role to themselves


def test_a_facilitator_inviting_their_own_address_into_a_partner_is_refused(
    client, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(
            client,
            cast.facilitator,
            email="Facilitator@Test.Example",
            role="member",
            partner=cast.partner,
        )

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [ROLE_SELF_GRANT]
    assert "You cannot give yourself a role" in response.content.decode()
    assert not Member.objects.filter(user=cast.facilitator).exists()
    assert cast.partner.pk not in {
        pid for pids in roles_of(cast.facilitator).partner_ids_by_system.values() for pid in pids
    }
    assert not RoleChange.objects.exists()
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_a_facilitator_cannot_give_themselves_the_steering_role(
    client, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, cast.facilitator, email=cast.facilitator.email, role="steering")

    assert response.context["form"].errors["email"] == [ROLE_SELF_GRANT]
    assert not SystemRole.objects.filter(user=cast.facilitator, role="steering").exists()
    assert not RoleChange.objects.exists()
    assert mail.outbox == []


def test_role_grant_refuses_every_grant_to_oneself(cast):
    for role, place in [
        ("member", {"system": cast.system, "partner": cast.partner}),
        ("steering", {"system": cast.system}),
        ("facilitator", {"system": cast.other_system}),
        ("regional_viewer", {"region": cast.other_system.region}),
    ]:
        with pytest.raises(ValidationError) as refused:
            role_grant(user=cast.facilitator, role=role, granted_by=cast.facilitator, **place)
        assert refused.value.messages == [ROLE_SELF_GRANT]
    assert not Member.objects.filter(user=cast.facilitator).exists()
    assert SystemRole.objects.filter(user=cast.facilitator).count() == 1
    assert not RegionalViewer.objects.filter(user=cast.facilitator).exists()
    assert not RoleChange.objects.exists()


def test_a_person_who_logs_in_without_a_password_cannot_invite_their_own_address(cast):
    # Single sign-on accounts have no usable password: they would get a link, not the role.
    cast.facilitator.set_unusable_password()
    cast.facilitator.save()
    with pytest.raises(ValidationError) as refused:
        invitation_create(
            system=cast.system,
            email=cast.facilitator.email,
            role="member",
            partner=cast.partner,
            invited_by=cast.facilitator,
        )
    assert refused.value.message_dict == {"email": [ROLE_SELF_GRANT]}
    assert not Invitation.objects.exists()


def test_an_invitation_accepted_by_its_own_inviter_grants_nothing(cast):
    token = "a-token-that-is-long-enough-to-look-real"
    Invitation.objects.create(
        email=cast.facilitator.email,
        system=cast.system,
        partner=cast.partner,
        role="member",
        token_hash=hash_token(token),
        invited_by=cast.facilitator,
        expires_at=timezone.now() + timedelta(days=1),
    )
    with pytest.raises(ValidationError) as refused:
        invitation_accept(token=token, password="a-long-and-unusual-passphrase")
    assert refused.value.messages == [ROLE_SELF_GRANT]
    assert not Member.objects.filter(user=cast.facilitator).exists()
    assert Invitation.objects.get().accepted_at is None


def test_another_facilitator_can_make_a_facilitator_a_member_and_they_keep_both_roles(
    client, cast, second_facilitator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(
            client,
            second_facilitator,
            email=cast.facilitator.email,
            role="member",
            partner=cast.partner,
        )

    assert response.status_code == 302
    assert Member.objects.filter(user=cast.facilitator, partner=cast.partner).exists()
    assert SystemRole.objects.filter(user=cast.facilitator, role="facilitator").exists()
    change = RoleChange.objects.get()
    assert (change.person, change.role, change.partner, change.kind, change.by) == (
        cast.facilitator,
        "member",
        cast.partner,
        "granted",
        second_facilitator,
    )
    client.force_login(cast.facilitator)
    home = client.get("/").content.decode()
    assert "Facilitator" in home
    assert "Member of Testshire Hospitals" in home


# ---------------------------------------------------------------------------
# Every grant is recorded and told to the people it affects


def test_a_grant_is_recorded_and_told_to_the_partner_and_the_person(
    cast, django_capture_on_commit_callbacks
):
    colleague = MemberFactory(partner=cast.partner, user__email="colleague@test.example").user

    with django_capture_on_commit_callbacks(execute=True):
        outcome = invitation_create(
            system=cast.system,
            email=cast.nobody.email,
            role="member",
            partner=cast.partner,
            invited_by=cast.facilitator,
        )

    change = RoleChange.objects.get()
    assert outcome.changes == [change]
    assert (change.person, change.system, change.partner, change.kind, change.by) == (
        cast.nobody,
        cast.system,
        cast.partner,
        "granted",
        cast.facilitator,
    )
    # The partner's existing members, one message each; not the other partner's.
    for existing in (cast.member, colleague):
        [announcement] = sent_to(existing.email)
        assert "Noa Nobody (nobody@test.example) is now a member of Testshire Hospitals" in (
            announcement.body
        )
        assert "added by Fay Facilitator" in announcement.body
    assert sent_to(cast.other_member.email) == []
    [told] = sent_to(cast.nobody.email)
    assert "Partner member of Testshire, for Testshire Hospitals" in told.body
    assert "Fay Facilitator gave you this role" in told.body
    assert len(mail.outbox) == 3


def test_a_role_already_held_is_neither_recorded_again_nor_announced(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        changes = role_grant(
            user=cast.member,
            role="member",
            system=cast.system,
            partner=cast.partner,
            granted_by=cast.facilitator,
        )
    assert changes == []
    assert not RoleChange.objects.exists()
    assert mail.outbox == []


def test_accepting_an_invitation_records_the_inviter_as_granting_it(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outcome = invitation_create(
            system=cast.system,
            email="newcomer@test.example",
            role="member",
            partner=cast.partner,
            invited_by=cast.facilitator,
        )
    assert not RoleChange.objects.exists()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        user = invitation_accept(token=outcome.token, password="a-long-and-unusual-passphrase")

    change = RoleChange.objects.get()
    assert (change.person, change.partner, change.by) == (user, cast.partner, cast.facilitator)
    # The partner's member is told; the newcomer was told by the invitation they accepted.
    assert [message.to for message in mail.outbox] == [[cast.member.email]]


# ---------------------------------------------------------------------------
# The admin grants and removes through the services


def test_a_site_administrator_adds_a_member_in_the_admin_through_the_service(
    client, cast, django_capture_on_commit_callbacks
):
    client.force_login(cast.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/assessments/member/add/",
            {"user": cast.nobody.pk, "partner": cast.partner.pk, **CREATED_AT},
        )

    assert response.status_code == 302
    member = Member.objects.get(user=cast.nobody)
    assert member.partner == cast.partner
    change = RoleChange.objects.get()
    assert (change.person, change.role, change.partner, change.by) == (
        cast.nobody,
        "member",
        cast.partner,
        cast.admin,
    )
    assert len(sent_to(cast.nobody.email)) == 1
    assert len(sent_to(cast.member.email)) == 1


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        ("member", lambda cast: {"partner": cast.partner.pk}),
        ("systemrole", lambda cast: {"system": cast.system.pk, "role": "facilitator"}),
        ("regionalviewer", lambda cast: {"region": cast.system.region.pk}),
    ],
)
def test_the_admin_cannot_give_its_own_account_a_role(client, cast, model, fields):
    client.force_login(cast.admin)
    response = client.post(
        f"/admin/assessments/{model}/add/", {"user": cast.admin.pk, **fields(cast), **CREATED_AT}
    )

    assert response.status_code == 200
    assert ROLE_SELF_GRANT in response.content.decode()
    assert not Member.objects.filter(user=cast.admin).exists()
    assert not SystemRole.objects.filter(user=cast.admin).exists()
    assert not RegionalViewer.objects.filter(user=cast.admin).exists()
    assert not RoleChange.objects.exists()


def test_the_admin_adds_system_roles_and_regional_viewers_through_the_service(
    client, cast, django_capture_on_commit_callbacks
):
    client.force_login(cast.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/assessments/systemrole/add/",
            {"user": cast.nobody.pk, "system": cast.system.pk, "role": "steering", **CREATED_AT},
        )
        client.post(
            "/admin/assessments/regionalviewer/add/",
            {"user": cast.nobody.pk, "region": cast.other_system.region.pk, **CREATED_AT},
        )

    assert SystemRole.objects.filter(user=cast.nobody, system=cast.system, role="steering").exists()
    assert RegionalViewer.objects.filter(user=cast.nobody, region=cast.other_system.region).exists()
    assert set(RoleChange.objects.values_list("role", "system", "region", "by")) == {
        ("steering", cast.system.pk, None, cast.admin.pk),
        ("regional_viewer", None, cast.other_system.region.pk, cast.admin.pk),
    }
    assert len(sent_to(cast.nobody.email)) == 2


def test_a_removal_in_the_admin_is_recorded_and_told_to_the_person(
    client, cast, django_capture_on_commit_callbacks
):
    member = Member.objects.get(user=cast.member)
    client.force_login(cast.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/assessments/member/{member.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Member.objects.filter(user=cast.member).exists()
    change = RoleChange.objects.get()
    assert (change.person, change.role, change.partner, change.kind, change.by) == (
        cast.member,
        "member",
        cast.partner,
        "removed",
        cast.admin,
    )
    [told] = mail.outbox
    assert told.to == [cast.member.email]
    assert "Partner member of Testshire, for Testshire Hospitals, has been removed" in told.body
    assert "Ada Admin removed this role" in told.body


def test_removing_roles_in_bulk_in_the_admin_records_each(
    client, cast, django_capture_on_commit_callbacks
):
    client.force_login(cast.admin)
    roles = SystemRole.objects.filter(user__in=[cast.facilitator, cast.steering])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/assessments/systemrole/",
            {
                "action": "delete_selected",
                "_selected_action": [role.pk for role in roles],
                "post": "yes",
            },
        )

    assert response.status_code == 302
    assert not SystemRole.objects.filter(system=cast.system).exists()
    assert set(RoleChange.objects.values_list("person", "role", "kind")) == {
        (cast.facilitator.pk, "facilitator", "removed"),
        (cast.steering.pk, "steering", "removed"),
    }
    assert sorted(address for message in mail.outbox for address in message.to) == [
        cast.facilitator.email,
        cast.steering.email,
    ]


def test_a_role_is_not_edited_in_place_in_the_admin(client, cast):
    role = SystemRole.objects.get(user=cast.steering)
    client.force_login(cast.admin)
    client.post(
        f"/admin/assessments/systemrole/{role.pk}/change/",
        {"user": cast.admin.pk, "system": cast.system.pk, "role": "facilitator", **CREATED_AT},
    )
    role.refresh_from_db()
    assert (role.user, role.role) == (cast.steering, "steering")


# ---------------------------------------------------------------------------
# The member import grants through the service


def member_rows(*rows) -> tablib.Dataset:
    return tablib.Dataset(*rows, headers=["email", "full_name", "system", "partner"])


def test_the_member_import_records_each_grant(cast, django_capture_on_commit_callbacks):
    dataset = member_rows(
        ["nobody@test.example", "Noa Nobody", "testshire", "Testshire Council"],
        ["brand.new@test.example", "Bea New", "testshire", "Testshire Hospitals"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = MemberResource().import_data(
            dataset, dry_run=False, user=cast.admin, rollback_on_validation_errors=True
        )

    assert not result.has_errors() and not result.has_validation_errors()
    assert set(RoleChange.objects.values_list("person__email", "partner__name", "by")) == {
        ("nobody@test.example", "Testshire Council", cast.admin.pk),
        ("brand.new@test.example", "Testshire Hospitals", cast.admin.pk),
    }
    # Each partner's existing member hears who joined; the person who can log in is told of the
    # role, the new person gets the set-password link instead.
    assert len(sent_to(cast.other_member.email)) == 1
    assert len(sent_to(cast.member.email)) == 1
    assert "new role" in sent_to(cast.nobody.email)[0].subject
    [welcome] = sent_to("brand.new@test.example")
    assert "/invitations/" in welcome.body


def test_the_member_import_refuses_the_importers_own_address_and_writes_nothing(
    cast, django_capture_on_commit_callbacks
):
    dataset = member_rows(
        ["nobody@test.example", "Noa Nobody", "testshire", "Testshire Council"],
        ["admin@test.example", "Ada Admin", "testshire", "Testshire Hospitals"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = MemberResource().import_data(
            dataset, dry_run=False, user=cast.admin, rollback_on_validation_errors=True
        )

    assert [row.error.messages for row in result.invalid_rows] == [[ROLE_SELF_GRANT]]
    assert not Member.objects.filter(user__in=[cast.admin, cast.nobody]).exists()
    assert not RoleChange.objects.exists()
    assert mail.outbox == []


# ---------------------------------------------------------------------------
# Seen: the system's people and roles history, and the person's account page


def test_the_account_page_shows_the_persons_roles_and_every_change_to_them(
    client, cast, second_facilitator
):
    role_grant(
        user=cast.facilitator,
        role="member",
        system=cast.system,
        partner=cast.partner,
        granted_by=second_facilitator,
    )
    role_remove(
        user=cast.facilitator,
        role="member",
        partner=cast.partner,
        removed_by=cast.admin,
    )
    role_grant(
        user=cast.facilitator,
        role="steering",
        system=cast.system,
        granted_by=second_facilitator,
    )
    client.force_login(cast.facilitator)

    response = client.get("/account/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Your account" in page
    assert "facilitator@test.example" in page
    roles = [(held.role, held.place) for held in response.context["roles"]]
    assert roles == [
        ("Facilitator", "Testshire"),
        ("Steering committee member", "Testshire"),
    ]
    changes = [
        (change.kind, change.description, change.by) for change in response.context["role_changes"]
    ]
    assert changes == [
        ("granted", "Steering committee member of Testshire", second_facilitator),
        ("removed", "Partner member of Testshire Hospitals", cast.admin),
        ("granted", "Partner member of Testshire Hospitals", second_facilitator),
    ]
    assert "Sam Second" in page
    assert "Ada Admin" in page
    assert 'href="/account/"' in page, "linked from the service navigation"


def test_the_account_page_needs_a_login_and_shows_only_ones_own_changes(client, cast):
    role_grant(
        user=cast.nobody,
        role="member",
        system=cast.system,
        partner=cast.partner,
        granted_by=cast.facilitator,
    )
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    client.force_login(cast.member)
    assert client.get("/account/").context["role_changes"] == []


def test_the_account_page_runs_the_same_queries_for_many_roles_as_for_one(client, cast):
    client.force_login(cast.nobody)
    role_grant(
        user=cast.nobody,
        role="member",
        system=cast.system,
        partner=cast.partner,
        granted_by=cast.facilitator,
    )
    one = query_count(client, "/account/")
    for partner, _ in add_partners(cast.system, 5):
        role_grant(
            user=cast.nobody,
            role="member",
            system=cast.system,
            partner=partner,
            granted_by=cast.facilitator,
        )
        role_remove(user=cast.nobody, role="member", partner=partner, removed_by=cast.admin)
    assert query_count(client, "/account/") == one


def test_the_systems_facilitators_see_its_people_and_roles_history(client, cast):
    role_grant(
        user=cast.nobody,
        role="member",
        system=cast.system,
        partner=cast.partner,
        granted_by=cast.facilitator,
    )
    role_remove(user=cast.steering, role="steering", system=cast.system, removed_by=cast.admin)
    role_grant(
        user=cast.viewer,
        role="facilitator",
        system=cast.other_system,
        granted_by=cast.admin,
    )

    client.force_login(cast.facilitator)
    response = client.get("/systems/testshire/")
    history = [
        (change.person, change.kind, change.by)
        for change in response.context["people"]["role_changes"]
    ]
    assert history == [
        (cast.steering, "removed", cast.admin),
        (cast.nobody, "granted", cast.facilitator),
    ]
    page = response.content.decode()
    assert "People and roles history" in page
    assert "Noa Nobody" in page

    for person in (cast.member, cast.other_member):
        client.force_login(person)
        assert "People and roles history" not in client.get("/systems/testshire/").content.decode()
