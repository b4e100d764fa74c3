"""Issue 12: the admin grants and removes no role past the role services.

Before, deleting a person, a partner, a system or a region in the admin deleted the roles held
there by cascade: no RoleChange, no e-mail. Ticking "site administrator" or "superuser" on a
person was recorded nowhere, and a site administrator could make their own account a
superuser. Now deletion removes every role through `role_remove` first, the record outlives
what it names, and site access goes through `site_access_set`.
"""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments.models import Member, RegionalViewer, RoleChange, SystemRole
from assessments.services import SITE_ACCESS_SELF_CHANGE, site_access_set
from hicm_portal.models import User
from tests.factories import (
    MemberFactory,
    RegionalViewerFactory,
    RegionFactory,
    SystemFactory,
    SystemRoleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def removals() -> set[tuple]:
    return set(
        RoleChange.objects.filter(kind="removed").values_list(
            "person_email", "role", "place_name", "by"
        )
    )


def told() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def delete_in_admin(client, model: str, obj) -> None:
    response = client.post(f"/admin/{model}/{obj.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302


def delete_selected_in_admin(client, model: str, objects) -> None:
    response = client.post(
        f"/admin/{model}/",
        {"action": "delete_selected", "_selected_action": [o.pk for o in objects], "post": "yes"},
    )
    assert response.status_code == 302


# ---------------------------------------------------------------------------
# Deleting in the admin removes each role through role_remove


def test_deleting_a_person_records_the_removal_of_every_role_they_held(
    client, cast, django_capture_on_commit_callbacks
):
    person = UserFactory(email="many@test.example", full_name="Max Many")
    MemberFactory(user=person, partner=cast.partner)
    SystemRoleFactory(user=person, system=cast.system, role="facilitator")
    RegionalViewerFactory(user=person, region=cast.other_system.region)
    client.force_login(cast.admin)

    with django_capture_on_commit_callbacks(execute=True):
        delete_in_admin(client, "hicm_portal/user", person)

    assert not User.objects.filter(email="many@test.example").exists()
    assert removals() == {
        ("many@test.example", "member", "Testshire Hospitals", cast.admin.pk),
        ("many@test.example", "facilitator", "Testshire", cast.admin.pk),
        ("many@test.example", "regional_viewer", cast.other_system.region.name, cast.admin.pk),
    }
    assert set(RoleChange.objects.values_list("person_name", "person", flat=False)) == {
        ("Max Many", None)
    }
    assert told() == ["many@test.example"] * 3


def test_deleting_people_in_bulk_records_each_removal(
    client, cast, django_capture_on_commit_callbacks
):
    client.force_login(cast.admin)
    with django_capture_on_commit_callbacks(execute=True):
        delete_selected_in_admin(client, "hicm_portal/user", [cast.member, cast.viewer])

    assert not User.objects.filter(pk__in=[cast.member.pk, cast.viewer.pk]).exists()
    assert removals() == {
        ("member@test.example", "member", "Testshire Hospitals", cast.admin.pk),
        ("viewer@test.example", "regional_viewer", cast.system.region.name, cast.admin.pk),
    }
    assert told() == ["member@test.example", "viewer@test.example"]


def test_deleting_a_partner_records_the_removal_of_each_member(
    client, cast, django_capture_on_commit_callbacks
):
    second = UserFactory(email="second@test.example")
    MemberFactory(user=second, partner=cast.partner)
    client.force_login(cast.admin)

    with django_capture_on_commit_callbacks(execute=True):
        delete_in_admin(client, "assessments/partner", cast.partner)

    assert not Member.objects.filter(partner_id=cast.partner.pk).exists()
    assert removals() == {
        ("member@test.example", "member", "Testshire Hospitals", cast.admin.pk),
        ("second@test.example", "member", "Testshire Hospitals", cast.admin.pk),
    }
    # The system's history still names the partner, now gone.
    page_rows = RoleChange.objects.filter(system=cast.system, partner=None)
    assert page_rows.count() == 2
    assert told() == ["member@test.example", "second@test.example"]


def test_deleting_partners_in_bulk_records_each_removal(
    client, cast, django_capture_on_commit_callbacks
):
    client.force_login(cast.admin)
    with django_capture_on_commit_callbacks(execute=True):
        delete_selected_in_admin(client, "assessments/partner", [cast.partner, cast.other_partner])
    assert removals() == {
        ("member@test.example", "member", "Testshire Hospitals", cast.admin.pk),
        ("other@test.example", "member", "Testshire Council", cast.admin.pk),
    }


def test_deleting_a_system_records_the_removal_of_its_system_roles(
    client, cast, django_capture_on_commit_callbacks
):
    system = SystemFactory(name="Newshire", slug="newshire")
    SystemRoleFactory(user=cast.facilitator, system=system, role="facilitator")
    SystemRoleFactory(user=cast.steering, system=system, role="steering")
    client.force_login(cast.admin)

    with django_capture_on_commit_callbacks(execute=True):
        delete_in_admin(client, "assessments/system", system)

    assert not SystemRole.objects.filter(system_id=system.pk).exists()
    assert removals() == {
        ("facilitator@test.example", "facilitator", "Newshire", cast.admin.pk),
        ("steering@test.example", "steering", "Newshire", cast.admin.pk),
    }
    assert told() == ["facilitator@test.example", "steering@test.example"]


def test_deleting_a_region_records_the_removal_of_its_regional_viewers(
    client, cast, django_capture_on_commit_callbacks
):
    region = RegionFactory(name="Far North", slug="far-north")
    RegionalViewerFactory(user=cast.viewer, region=region)
    client.force_login(cast.admin)

    with django_capture_on_commit_callbacks(execute=True):
        delete_in_admin(client, "assessments/region", region)

    assert not RegionalViewer.objects.filter(region_id=region.pk).exists()
    assert removals() == {("viewer@test.example", "regional_viewer", "Far North", cast.admin.pk)}
    assert told() == ["viewer@test.example"]


def test_a_partner_that_rated_is_still_protected_and_keeps_its_members(client, cast, open_round):
    client.force_login(cast.admin)
    response = client.post(f"/admin/assessments/partner/{cast.partner.pk}/delete/", {"post": "yes"})
    assert response.status_code == 200  # Django's "cannot delete" page
    assert Member.objects.filter(partner=cast.partner).exists()
    assert not RoleChange.objects.exists()


# ---------------------------------------------------------------------------
# Site administrator and superuser are role changes


def change_form(person, **access) -> dict:
    joined = timezone.localtime(person.date_joined)
    form = {
        "email": person.email,
        "full_name": person.full_name,
        "is_active": "on",
        "date_joined_0": joined.strftime("%d/%m/%Y"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
    }
    form.update({name: "on" for name, on in access.items() if on})
    return form


def test_making_someone_a_site_administrator_is_recorded_and_told(
    client, cast, django_capture_on_commit_callbacks
):
    client.force_login(cast.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/hicm_portal/user/{cast.nobody.pk}/change/",
            change_form(cast.nobody, is_staff=True, is_superuser=True),
        )
    assert response.status_code == 302
    cast.nobody.refresh_from_db()
    assert (cast.nobody.is_staff, cast.nobody.is_superuser) == (True, True)
    assert set(RoleChange.objects.values_list("person", "role", "kind", "by", "place_name")) == {
        (cast.nobody.pk, "site_administrator", "granted", cast.admin.pk, ""),
        (cast.nobody.pk, "superuser", "granted", cast.admin.pk, ""),
    }
    assert told() == ["nobody@test.example"] * 2
    assert "You now have a new role in" in mail.outbox[0].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/admin/hicm_portal/user/{cast.nobody.pk}/change/",
            change_form(cast.nobody, is_staff=True),
        )
    cast.nobody.refresh_from_db()
    assert (cast.nobody.is_staff, cast.nobody.is_superuser) == (True, False)
    assert RoleChange.objects.filter(kind="removed").get().role == "superuser"
    assert told() == ["nobody@test.example"]


def test_other_changes_to_a_person_record_no_role_change(client, cast):
    client.force_login(cast.admin)
    form = change_form(cast.nobody)
    form["full_name"] = "Noa Newname"
    assert client.post(f"/admin/hicm_portal/user/{cast.nobody.pk}/change/", form).status_code == 302
    cast.nobody.refresh_from_db()
    assert cast.nobody.full_name == "Noa Newname"
    assert not RoleChange.objects.exists()


def test_nobody_changes_their_own_site_access_in_the_admin(client, cast):
    client.force_login(cast.admin)
    url = f"/admin/hicm_portal/user/{cast.admin.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="is_staff"' not in page and 'name="is_superuser"' not in page  # read-only

    response = client.post(url, change_form(cast.admin))  # both boxes "unticked"
    assert response.status_code == 302
    cast.admin.refresh_from_db()
    assert (cast.admin.is_staff, cast.admin.is_superuser) == (True, True)
    assert not RoleChange.objects.exists()


def test_the_service_refuses_a_change_of_ones_own_site_access(cast):
    with pytest.raises(ValidationError) as refused:
        site_access_set(user=cast.admin, is_staff=True, is_superuser=False, changed_by=cast.admin)
    assert refused.value.messages == [SITE_ACCESS_SELF_CHANGE]
    cast.admin.refresh_from_db()
    assert cast.admin.is_superuser
    assert not RoleChange.objects.exists()


def test_nobody_deletes_their_own_account_in_the_admin(client, cast):
    client.force_login(cast.admin)
    response = client.post(f"/admin/hicm_portal/user/{cast.admin.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    response = client.post(
        "/admin/hicm_portal/user/",
        {
            "action": "delete_selected",
            "_selected_action": [cast.admin.pk, cast.nobody.pk],
            "post": "yes",
        },
    )
    assert response.status_code == 403
    assert User.objects.filter(pk__in=[cast.admin.pk, cast.nobody.pk]).count() == 2
