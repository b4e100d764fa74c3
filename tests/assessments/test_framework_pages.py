import pytest

from assessments.framework_content import framework_edited
from assessments.models import Descriptor

pytestmark = pytest.mark.django_db


def test_every_logged_in_person_can_list_the_frameworks(client, cast, frameworks):
    client.force_login(cast.nobody)
    page = client.get("/frameworks/").content.decode()
    for title in ("Managing transfers of care", "Optimal Handed Care", "preventable admissions"):
        assert title in page
    assert "Incomplete" in page


def test_a_framework_page_shows_its_changes_and_levels(client, cast, frameworks):
    client.force_login(cast.member)
    page = client.get("/frameworks/mtoc-2020/").content.decode()
    assert "9. Housing and related services" in page
    assert "Not yet established" in page and "Exemplary" in page
    assert "Managing transfers of care (2017" in page  # the crosswalk's predecessor


def test_a_change_page_shows_generic_levels_when_there_are_no_descriptors(client, cast, frameworks):
    client.force_login(cast.member)
    page = client.get("/frameworks/mtoc-2020/changes/1/").content.decode()
    assert "Early discharge planning" in page
    assert "Processes are typically undocumented" in page
    assert "the general definition of each level is shown" in page
    assert "Next" in page and "Monitoring and responding" in page


def test_a_change_page_shows_a_descriptor_where_one_is_loaded(client, cast, frameworks):
    change = frameworks["mtoc-2020"].changes.get(code="1")
    Descriptor.objects.create(
        change=change, level=frameworks["mtoc-2020"].levels.get(number=3), text="Cell three"
    )
    framework_edited(change.framework_id)  # as the admin and the wording import do
    client.force_login(cast.member)
    page = client.get("/frameworks/mtoc-2020/changes/1/").content.decode()
    assert "Cell three" in page
    assert "(general definition)" in page  # the other four levels say so


def test_a_change_page_lists_numbered_actions_with_their_points(client, cast, frameworks):
    client.force_login(cast.member)
    page = client.get("/frameworks/ohc-2025/changes/F/").content.decode()
    for code in ("F1", "F2", "F3", "F4", "F5"):
        assert code in page
    assert "This can be achieved by" in page


def test_unknown_frameworks_and_changes_are_not_found(client, cast, frameworks):
    client.force_login(cast.member)
    assert client.get("/frameworks/nope/").status_code == 404
    assert client.get("/frameworks/mtoc-2020/changes/99/").status_code == 404


@pytest.mark.parametrize(
    ("path", "limit"),
    [
        ("/frameworks/", 5),
        ("/frameworks/mtoc-2020/", 9),
        ("/frameworks/ohc-2025/", 9),
        ("/frameworks/mtoc-2020/changes/1/", 11),
        ("/frameworks/ohc-2025/changes/A/", 11),
    ],
)
def test_framework_pages_run_a_bounded_number_of_queries(
    client, cast, frameworks, path, limit, django_assert_max_num_queries
):
    client.force_login(cast.member)
    with django_assert_max_num_queries(limit):
        assert client.get(path).status_code == 200
