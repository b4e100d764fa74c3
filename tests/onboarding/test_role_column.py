"""The people file's role column: each of the five roles, in the words an administrator may
write, granted through the role service (recorded, the person's roles read afresh), and the
problems of a row named by row and column, with nothing written."""

import pytest
from django.contrib.auth import get_user_model

from assessments.models import (
    Invitation,
    Member,
    NationalViewer,
    RegionalViewer,
    RoleChange,
    SystemRole,
)
from assessments.rules import roles_of
from tests.onboarding.helpers import (
    confirm,
    csv_file,
    offers_confirm,
    people_file,
    preview,
    problems,
)

User = get_user_model()

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, cast):
    client.force_login(cast.admin)
    return client


def import_people(client, *rows):
    response = preview(client, people=people_file(*rows))
    assert problems(response) == []
    confirm(client)
    return response


@pytest.mark.parametrize("word", ["Partner member", "partner_member", "MEMBER"])
def test_a_partner_member_row_makes_the_person_a_member_of_the_partner(admin_client, cast, word):
    import_people(
        admin_client, ["pat@test.example", "Pat New", word, "testshire", "Testshire Hospitals", ""]
    )

    person = User.objects.get(email="pat@test.example")
    assert Member.objects.filter(user=person, partner=cast.partner).exists()
    change = RoleChange.objects.get(person=person)
    assert (change.role, change.partner, change.system, change.by) == (
        "member",
        cast.partner,
        cast.system,
        cast.admin,
    )


@pytest.mark.parametrize(
    ("word", "role"),
    [
        ("Facilitator", "facilitator"),
        ("facilitator", "facilitator"),
        ("Steering committee member", "steering"),
        ("steering", "steering"),
        ("Steering-Committee", "steering"),
    ],
)
def test_a_facilitator_or_steering_row_gives_the_system_role(admin_client, cast, word, role):
    import_people(admin_client, ["sam@test.example", "Sam New", word, "testshire", "", ""])

    person = User.objects.get(email="sam@test.example")
    assert SystemRole.objects.filter(user=person, system=cast.system, role=role).exists()
    assert not Member.objects.filter(user=person).exists()
    assert RoleChange.objects.filter(person=person, role=role, by=cast.admin).count() == 1


@pytest.mark.parametrize("word", ["Regional viewer", "regional", "REGIONAL_VIEWER"])
def test_a_regional_viewer_row_gives_the_region_by_slug_or_name(admin_client, cast, word):
    region = cast.other_system.region
    import_people(admin_client, ["rae@test.example", "", word, "", "", region.name.upper()])

    person = User.objects.get(email="rae@test.example")
    assert RegionalViewer.objects.filter(user=person, region=region).exists()
    assert RoleChange.objects.get(person=person).region == region


@pytest.mark.parametrize("word", ["National viewer", "national"])
def test_a_national_viewer_row_needs_no_place(admin_client, cast, word):
    import_people(admin_client, ["nat@test.example", "Nat New", word, "", "", ""])

    person = User.objects.get(email="nat@test.example")
    assert NationalViewer.objects.filter(user=person).exists()
    assert RoleChange.objects.get(person=person).role == "national_viewer"


def test_a_person_on_several_rows_gets_each_role_and_their_roles_are_read_afresh(
    admin_client, cast
):
    version = cast.nobody.roles_version

    import_people(
        admin_client,
        ["nobody@test.example", "", "facilitator", "testshire", "", ""],
        ["nobody@test.example", "", "member", "testshire", "Testshire Council", ""],
        ["Nobody@Test.Example", "", "regional viewer", "", "", cast.system.region.slug],
    )

    cast.nobody.refresh_from_db()
    assert cast.nobody.roles_version > version
    assert set(RoleChange.objects.filter(person=cast.nobody).values_list("role", flat=True)) == {
        "facilitator",
        "member",
        "regional_viewer",
    }
    roles = roles_of(User.objects.get(pk=cast.nobody.pk))
    assert cast.system.pk in roles.facilitator_of
    assert cast.system.region_id in roles.viewer_of_regions


def test_a_role_held_already_is_shown_as_such_and_not_recorded_again(admin_client, cast):
    response = preview(
        admin_client,
        people=people_file(["facilitator@test.example", "", "facilitator", "testshire", "", ""]),
    )

    [plan] = response.context["onboarding"].people
    assert [role.held_already for role in plan.roles] == [True]
    confirm(admin_client)
    assert not RoleChange.objects.exists()


# ---------------------------------------------------------------------------
# Problems: by row and column, and nothing written


def assert_nothing_written(users_before: int) -> None:
    assert User.objects.count() == users_before
    assert not RoleChange.objects.exists()
    assert not Invitation.objects.exists()


def test_bad_rows_are_each_named_by_row_and_column_and_nothing_is_written(
    admin_client, cast, django_capture_on_commit_callbacks
):
    users_before = User.objects.count()
    rows = [
        ["good@test.example", "Good Row", "facilitator", "testshire", "", ""],
        ["boss@test.example", "", "boss", "testshire", "", ""],
        ["rae@test.example", "", "regional viewer", "", "", ""],
        ["lost@test.example", "", "member", "testshire", "Nowhere Trust", ""],
        ["not-an-address", "", "national viewer", "", "", ""],
        ["fay@test.example", "", "facilitator", "testshire", "Testshire Hospitals", ""],
        ["nat@test.example", "", "national", "testshire", "", ""],
        ["far@test.example", "", "steering", "nowhere", "", ""],
        ["reg@test.example", "", "regional", "", "", "atlantis"],
    ]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = preview(admin_client, people=people_file(*rows))

    found = {(row, column): message for _, row, column, message in problems(response)}
    assert set(found) == {
        (3, "role"),
        (4, "region"),
        (5, "partner"),
        (6, "email"),
        (7, "partner"),
        (8, "system"),
        (9, "system"),
        (10, "region"),
    }
    assert found[3, "role"].startswith("Enter a role: partner member, facilitator")
    assert found[4, "region"] == "Enter the region of a regional viewer"
    assert found[5, "partner"] == "System 'testshire' has no partner called 'Nowhere Trust'"
    assert found[8, "system"] == "Leave system empty for a national viewer"
    assert found[9, "system"].startswith("There is no system 'nowhere'")
    assert not offers_confirm(response)
    text = response.content.decode()
    assert "Correct the files and upload them again" in text
    assert "Nowhere Trust" in text
    assert callbacks == []
    assert_nothing_written(users_before)


def test_a_file_without_a_role_column_is_refused_as_a_whole(admin_client, cast):
    response = preview(
        admin_client,
        people=csv_file([["email", "system"], ["x@test.example", "testshire"]], "people.csv"),
    )

    assert problems(response) == [
        ("people", None, "role", "The file has no role column: its first row must name the columns")
    ]
    assert not User.objects.filter(email="x@test.example").exists()


def test_the_importers_own_address_is_refused_on_its_row(admin_client, cast):
    users_before = User.objects.count()

    response = preview(
        admin_client,
        people=people_file(
            ["good@test.example", "", "facilitator", "testshire", "", ""],
            ["admin@test.example", "", "national viewer", "", "", ""],
        ),
    )

    assert [(row, column) for _, row, column, _ in problems(response)] == [(3, "email")]
    assert not offers_confirm(response)
    assert_nothing_written(users_before)


def test_a_row_repeated_is_a_problem(admin_client, cast):
    response = preview(
        admin_client,
        people=people_file(
            ["sam@test.example", "", "steering", "testshire", "", ""],
            ["sam@test.example", "", "Steering committee member", "TESTSHIRE", "", ""],
        ),
    )

    assert problems(response) == [
        ("people", 3, "", "Row 2 already gives this person this role: remove one of the two rows")
    ]
