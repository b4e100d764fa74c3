"""Only site administrators reach the system set-up pages; everybody else is sent to the
admin's sign-in page, and nothing they post is read or written."""

import pytest
from django.contrib.auth.models import Permission

from assessments.models import RoleChange
from assessments.onboarding_views import PERMISSIONS
from hicm_portal.models import PendingUpload
from tests.factories import UserFactory
from tests.onboarding.helpers import CONFIRM_URL, SETUP_URL, people_file

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["member", "facilitator", "steering", "viewer", "nobody"])
def test_people_who_are_not_site_administrators_are_sent_to_the_admin_sign_in(client, cast, who):
    client.force_login(cast.roles()[who])
    upload = people_file(["x@test.example", "", "national viewer", "", "", ""])

    for response in (
        client.get(SETUP_URL),
        client.post(SETUP_URL, {"people_file": upload}),
        client.post(CONFIRM_URL),
    ):
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")
    assert not PendingUpload.objects.exists()
    assert not RoleChange.objects.exists()


def test_someone_not_signed_in_is_sent_to_the_admin_sign_in(client, cast):
    for response in (client.get(SETUP_URL), client.post(CONFIRM_URL)):
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")


def test_a_site_administrator_who_may_not_add_partners_and_roles_is_refused(client, cast):
    staff = UserFactory(email="staff@test.example", is_staff=True)
    client.force_login(staff)

    assert client.get(SETUP_URL).status_code == 403
    assert client.post(CONFIRM_URL).status_code == 403


def test_a_site_administrator_given_the_admins_permissions_may_set_up_a_system(client, cast):
    staff = UserFactory(email="staff@test.example", is_staff=True)
    codenames = [name.split(".")[1] for name in PERMISSIONS]
    staff.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client.force_login(staff)

    assert client.get(SETUP_URL).status_code == 200


def test_a_site_administrator_sees_the_page_and_the_links_to_it(client, cast):
    client.force_login(cast.admin)

    page = client.get(SETUP_URL)

    assert page.status_code == 200
    text = page.content.decode()
    assert "Set up a system: partners, people and roles" in text
    assert "steering committee member, steering committee, steering" in text
    assert (
        'href="/admin/assessments/system/setup/"'
        in client.get("/admin/assessments/system/").content.decode()
    )
    assert (
        'href="/admin/assessments/system/setup/"'
        in client.get("/admin/assessments/member/").content.decode()
    )


def test_the_confirmation_takes_a_post_only(client, cast):
    client.force_login(cast.admin)

    assert client.get(CONFIRM_URL).status_code == 405
