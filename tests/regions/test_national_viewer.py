"""The national viewer (issue 15, "The nation"): the BCF national team and the Department read
every region's agreed rounds, read-only, and nothing of a round before agreement — the same
rule as regional viewers. The role is granted and removed like every other: by someone else,
recorded and e-mailed."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from rules.permissions import permissions

from assessments.demo import demo_address, seed_demo
from assessments.models import NationalViewer, PartnerReturn, RoleChange, Round, System
from assessments.rules import can_view_round, can_view_system, roles_of
from assessments.services import person_delete, role_grant, role_remove
from tests.factories import UserFactory
from tests.regions.national_helpers import agreed_round, national_viewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def framework(frameworks):
    return frameworks["mtoc-2020"]


def rounds_in_every_state(system, framework, facilitator) -> dict:
    today = "2026-01-01"
    return {
        state: Round.objects.create(
            system=system,
            name=f"Round {state}",
            framework=framework,
            status=state,
            opens_on=today,
            closes_on=today,
            quorum=1,
            created_by=facilitator,
        )
        for state in Round.Status.values
    }


# ---------------------------------------------------------------------------
# What a national viewer sees


def test_a_national_viewer_holds_the_role_in_their_roles():
    person = national_viewer()
    roles = roles_of(person)
    assert roles.national
    assert not roles.viewer_of_regions and not roles.facilitator_of


def test_roles_are_still_read_in_one_query(cast, django_assert_num_queries):
    person = national_viewer(email=cast.viewer.email)  # a regional viewer too
    fresh = type(person).objects.get(pk=person.pk)
    with django_assert_num_queries(1):
        roles = roles_of(fresh)
    assert roles.national and roles.viewer_of_regions == {cast.system.region_id}


def test_a_national_viewer_sees_every_system_of_every_region(cast):
    person = national_viewer()
    assert set(System.objects.visible_to(person)) == set(System.objects.all())
    assert can_view_system(person, cast.system) and can_view_system(person, cast.other_system)


def test_a_national_viewer_sees_agreed_rounds_only_in_every_region(cast, framework):
    person = national_viewer()
    here = rounds_in_every_state(cast.system, framework, cast.facilitator)
    there = rounds_in_every_state(cast.other_system, framework, cast.facilitator)
    seen = set(Round.objects.visible_to(person))
    assert seen == {here["agreed"], there["agreed"]}
    for round_ in (*here.values(), *there.values()):
        assert can_view_round(person, round_) == (round_.status == "agreed"), round_.name


@pytest.mark.parametrize(
    ("state", "status"),
    [
        ("draft", 404),
        ("rating", 403),
        ("review", 403),
        ("approval", 403),
        ("cancelled", 403),
        ("agreed", 200),
    ],
)
def test_a_round_page_answers_a_national_viewer_as_a_regional_viewer(
    client, cast, framework, state, status
):
    round_ = rounds_in_every_state(cast.other_system, framework, cast.facilitator)[state]
    client.force_login(national_viewer())
    assert client.get(reverse("round_detail", args=[round_.public_id])).status_code == status


def test_no_partner_return_of_a_round_before_agreement(cast, framework):
    rounds = rounds_in_every_state(cast.system, framework, cast.facilitator)
    for round_ in rounds.values():
        PartnerReturn.objects.create(round=round_, partner=cast.partner)
    visible = PartnerReturn.objects.visible_to(national_viewer())
    assert {r.round.status for r in visible} == {"agreed"}


def test_a_recorded_round_counts_as_agreed(cast, framework):
    round_ = agreed_round(cast.other_system, framework, {}, actor=cast.admin)
    assert round_.recorded_afterwards
    assert Round.objects.visible_to(national_viewer()).filter(pk=round_.pk).exists()


# ---------------------------------------------------------------------------
# Read-only: nothing a regional viewer cannot do


def test_a_national_viewer_may_do_nothing_a_regional_viewer_of_the_region_cannot(cast, framework):
    person = national_viewer()
    rounds = rounds_in_every_state(cast.system, framework, cast.facilitator)
    returns = [PartnerReturn.objects.create(round=r, partner=cast.partner) for r in rounds.values()]
    objects = [None, cast.system, *rounds.values(), *returns]
    more = []
    checked = 0
    # What the role is for: reading every region's pages and the nation's.
    for name in sorted(set(permissions) - {"regions.view_nation", "regions.view_region"}):
        for obj in objects:
            try:
                national = person.has_perm(name, obj)
                regional = cast.viewer.has_perm(name, obj)
            except (AttributeError, TypeError):  # a permission about another kind of thing
                continue
            checked += 1
            if national and not regional:
                more.append(f"{name} on {obj!r}")
    assert checked > 100
    assert more == []


def test_a_national_viewer_is_not_a_participant_anywhere(cast):
    person = national_viewer()
    for perm in ("view_people", "invite_people", "add_round", "name_system"):
        assert not person.has_perm(f"assessments.{perm}", cast.system), perm


# ---------------------------------------------------------------------------
# Granting and removing the role


def test_granting_the_role_is_recorded_and_e_mailed(cast, django_capture_on_commit_callbacks):
    person = UserFactory(email="nat@test.example", full_name="Nat National")
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        changes = role_grant(user=person, role="national_viewer", granted_by=cast.admin)
    assert [(c.role, c.kind, c.by) for c in changes] == [("national_viewer", "granted", cast.admin)]
    record = RoleChange.objects.get(person=person)
    assert record.description == "National viewer"
    assert record.system is None and record.region is None
    assert NationalViewer.objects.filter(user=person).exists()
    assert roles_of(person).national
    assert [m.to for m in mail.outbox] == [["nat@test.example"]]
    assert "National viewer of every region" in mail.outbox[0].body


def test_granting_it_again_changes_nothing(cast):
    person = national_viewer()
    assert role_grant(user=person, role="national_viewer", granted_by=cast.admin) == []
    assert not RoleChange.objects.filter(person=person).exists()


def test_nobody_grants_the_role_to_themselves(cast):
    with pytest.raises(ValidationError):
        role_grant(user=cast.admin, role="national_viewer", granted_by=cast.admin)
    assert not NationalViewer.objects.filter(user=cast.admin).exists()


def test_removing_the_role_is_recorded_and_e_mailed(cast, django_capture_on_commit_callbacks):
    person = national_viewer()
    roles_of(person)
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        change = role_remove(user=person, role="national_viewer", removed_by=cast.admin)
    assert (change.role, change.kind, change.by) == ("national_viewer", "removed", cast.admin)
    assert not NationalViewer.objects.filter(user=person).exists()
    assert not roles_of(person).national
    assert not Round.objects.visible_to(person).exists()
    assert [m.to for m in mail.outbox] == [[person.email]]
    assert "National viewer of every region" in mail.outbox[0].body
    assert role_remove(user=person, role="national_viewer", removed_by=cast.admin) is None


def test_deleting_a_person_removes_the_role_first(cast):
    person = national_viewer()
    email = person.email
    person_delete(user=person, deleted_by=cast.admin)
    record = RoleChange.objects.get(person_email=email)
    assert (record.role, record.kind) == ("national_viewer", "removed")


def test_the_admin_grants_and_removes_through_the_services(client, cast):
    person = UserFactory(email="nat@test.example", full_name="Nat National")
    client.force_login(cast.admin)
    response = client.post(reverse("admin:assessments_nationalviewer_add"), {"user": person.pk})
    assert response.status_code == 302
    viewer = NationalViewer.objects.get(user=person)
    assert RoleChange.objects.filter(person=person, kind="granted", by=cast.admin).exists()
    response = client.post(
        reverse("admin:assessments_nationalviewer_delete", args=[viewer.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not NationalViewer.objects.exists()
    assert RoleChange.objects.filter(person=person, kind="removed", by=cast.admin).exists()


def test_the_admin_refuses_the_role_to_oneself(client, cast):
    client.force_login(cast.admin)
    response = client.post(reverse("admin:assessments_nationalviewer_add"), {"user": cast.admin.pk})
    assert response.status_code == 200
    assert "You cannot give yourself a role" in response.content.decode()
    assert not NationalViewer.objects.exists()


# ---------------------------------------------------------------------------
# Their pages


def test_the_account_page_lists_the_role(client):
    person = national_viewer()
    client.force_login(person)
    page = client.get(reverse("accounts:account")).content.decode()
    assert "National viewer" in page and "Every region" in page


def test_the_home_page_links_to_the_nation_and_lists_no_system_cards(client, cast):
    person = national_viewer()
    client.force_login(person)
    response = client.get(reverse("home"))
    page = response.content.decode()
    assert reverse("national") in page
    assert response.context["cards"] == []
    assert "You have not been added to a health and care system yet" not in page


def test_others_home_pages_have_no_link_to_the_nation(client, cast):
    for person in (cast.viewer, cast.facilitator, cast.admin):
        client.force_login(person)
        assert reverse("national") not in client.get(reverse("home")).content.decode()


def test_the_demo_has_a_national_viewer():
    seed_demo(password="demo-password-1")
    person = NationalViewer.objects.get().user
    assert person.email == demo_address("national-viewer")
