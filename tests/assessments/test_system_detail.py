import pytest

from assessments.services import invitation_create
from tests.helpers import add_partners

pytestmark = pytest.mark.django_db

URL = "/systems/testshire/"

SEES_SYSTEM = ["member", "other_member", "facilitator", "steering", "viewer"]
OUTSIDERS = ["outsider", "nobody"]


@pytest.mark.parametrize("role", SEES_SYSTEM)
def test_people_with_a_role_in_the_system_or_its_region_see_it(client, cast, role):
    client.force_login(cast.roles()[role])
    response = client.get(URL)
    assert response.status_code == 200
    assert "Testshire Hospitals" in response.content.decode()


@pytest.mark.parametrize("role", OUTSIDERS)
def test_people_outside_the_system_get_not_found(client, cast, role):
    client.force_login(cast.roles()[role])
    assert client.get(URL).status_code == 404


def test_a_site_administrator_without_a_role_uses_the_admin_not_the_system_page(client, cast):
    client.force_login(cast.admin)
    assert client.get(URL).status_code == 404


def test_only_the_facilitator_sees_the_invite_button_and_invitations(client, cast):
    invitation_create(
        system=cast.system,
        email="new@test.example",
        role="member",
        partner=cast.partner,
        invited_by=cast.facilitator,
    )
    for role, person in cast.roles().items():
        if role not in SEES_SYSTEM:
            continue
        client.force_login(person)
        page = client.get(URL).content.decode()
        assert ("Invite someone" in page) is (role == "facilitator"), role
        assert ("new@test.example" in page) is (role == "facilitator"), role


def test_a_regional_viewer_sees_partners_but_not_their_people(client, cast):
    client.force_login(cast.viewer)
    page = client.get(URL).content.decode()
    assert "Testshire Council" in page
    assert "member@test.example" not in page


def test_members_see_who_belongs_to_each_partner(client, cast):
    client.force_login(cast.other_member)
    page = client.get(URL).content.decode()
    assert "member@test.example" in page
    assert "Fay Facilitator" in page


def test_the_system_page_runs_as_many_queries_for_15_partners_as_for_3(
    client, cast, django_assert_max_num_queries
):
    add_partners(cast.system, 1)  # the cast's two partners and one more
    client.force_login(cast.facilitator)
    client.get(URL)  # warm the session
    with django_assert_max_num_queries(12) as few:
        client.get(URL)
    add_partners(cast.system, 12, first=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "Extra 12" in client.get(URL).content.decode()
