import pytest

from tests.factories import PartnerFactory, SystemFactory, SystemRoleFactory

pytestmark = pytest.mark.django_db


def test_the_home_page_lists_a_persons_systems_and_roles(client, cast):
    client.force_login(cast.facilitator)
    page = client.get("/").content.decode()
    assert "Testshire" in page
    assert "Facilitator" in page
    assert "Elsewhere" not in page


def test_the_facilitator_is_told_which_partners_have_nobody(client, cast):
    PartnerFactory(system=cast.system, name="Empty Partner")
    client.force_login(cast.facilitator)
    page = client.get("/").content.decode()
    assert "1 partner has nobody to rate for it: invite someone" in page


def test_a_regional_viewer_sees_every_system_of_their_region(client, cast):
    SystemFactory(name="Neighbourshire", slug="neighbourshire", region=cast.system.region)
    client.force_login(cast.viewer)
    page = client.get("/").content.decode()
    assert "Testshire" in page and "Neighbourshire" in page
    assert "Elsewhere" not in page


def test_a_person_with_no_role_is_told_what_to_do_next(client, cast):
    client.force_login(cast.nobody)
    page = client.get("/").content.decode()
    assert "You have not been added to a health and care system yet" in page
    assert "nobody@test.example" in page


def test_the_home_page_query_count_does_not_grow_with_systems(
    client, cast, django_assert_max_num_queries
):
    client.force_login(cast.facilitator)
    client.get("/")
    with django_assert_max_num_queries(12) as baseline:
        client.get("/")
    baseline_count = len(baseline.captured_queries)
    for n in range(5):
        system = SystemFactory(region=cast.system.region)
        SystemRoleFactory(user=cast.facilitator, system=system)
        PartnerFactory(system=system, name=f"Partner {n}")
    with django_assert_max_num_queries(baseline_count):
        client.get("/")
