"""Setting up a system from two files on one page: the partners file and the people file
previewed together, then written in one transaction, all or nothing, e-mails after."""

import io
from pathlib import Path

import openpyxl
import pytest
import tablib
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.demo import seed_demo
from assessments.models import (
    Invitation,
    Member,
    NationalViewer,
    Partner,
    RoleChange,
    System,
    SystemRole,
)
from assessments.resources import SystemResource
from hicm_portal.models import PendingUpload
from tests.factories import UserFactory
from tests.onboarding.helpers import (
    PEOPLE_HEADERS,
    SETUP_URL,
    confirm,
    offers_confirm,
    partners_file,
    people_file,
    preview,
    problems,
)

User = get_user_model()

pytestmark = pytest.mark.django_db

PARTNERS = [
    ["testshire", "Testshire Housing", "housing", "", ""],
    ["testshire", "Testshire Hospitals", "acute_trust", "RTH", ""],
]
PEOPLE = [
    ["hana@test.example", "Hana Home", "member", "testshire", "Testshire Housing", ""],
    ["hana@test.example", "Hana Home", "steering", "testshire", "", ""],
    ["nobody@test.example", "", "facilitator", "testshire", "", ""],
]


@pytest.fixture
def admin_client(client, cast):
    client.force_login(cast.admin)
    return client


def test_the_preview_shows_partners_people_roles_and_e_mails_and_writes_nothing(
    admin_client, cast, django_capture_on_commit_callbacks
):
    users_before = User.objects.count()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = preview(
            admin_client, partners=partners_file(*PARTNERS), people=people_file(*PEOPLE)
        )

    onboarding = response.context["onboarding"]
    assert [(line.name, line.action) for line in onboarding.partners] == [
        ("Testshire Housing", "New"),
        ("Testshire Hospitals", "Changed"),
    ]
    assert [(plan.email, plan.has_account, plan.email_sent) for plan in onboarding.people] == [
        ("hana@test.example", False, "Set-password link naming their roles"),
        ("nobody@test.example", True, "E-mail naming their new roles"),
    ]
    assert [role.description for role in onboarding.people[0].roles] == [
        "Partner member of Testshire Housing, in Testshire",
        "Steering committee member of Testshire",
    ]
    assert offers_confirm(response)
    # Nothing written, nobody told.
    assert callbacks == []
    assert mail.outbox == []
    assert User.objects.count() == users_before
    assert not Partner.objects.filter(name="Testshire Housing").exists()
    assert Partner.objects.get(name="Testshire Hospitals").ods_code == ""
    assert not RoleChange.objects.exists()
    assert not Invitation.objects.exists()


def test_confirming_writes_partners_people_and_roles_then_sends_the_e_mails(
    admin_client, cast, django_capture_on_commit_callbacks
):
    preview(admin_client, partners=partners_file(*PARTNERS), people=people_file(*PEOPLE))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = confirm(admin_client)

    assert response.url == "/admin/assessments/rolechange/"
    housing = Partner.objects.get(system=cast.system, name="Testshire Housing")
    assert Partner.objects.get(name="Testshire Hospitals").ods_code == "RTH"
    hana = User.objects.get(email="hana@test.example")
    assert Member.objects.filter(user=hana, partner=housing).exists()
    assert SystemRole.objects.filter(user=hana, system=cast.system, role="steering").exists()
    assert SystemRole.objects.filter(user=cast.nobody, role="facilitator").exists()
    assert RoleChange.objects.filter(by=cast.admin).count() == 3
    assert callbacks
    assert sorted(address for message in mail.outbox for address in message.to) == [
        "hana@test.example",
        "nobody@test.example",
    ]
    assert not PendingUpload.objects.exists()
    text = admin_client.get(response.url).content.decode()
    assert "Imported: 1 new partner, 3 roles given to 2 people; 2 people e-mailed." in text


def test_pressing_confirm_twice_imports_once(
    admin_client, cast, django_capture_on_commit_callbacks
):
    preview(admin_client, partners=partners_file(*PARTNERS), people=people_file(*PEOPLE))
    with django_capture_on_commit_callbacks(execute=True):
        confirm(admin_client)
        again = confirm(admin_client)

    assert again.url == SETUP_URL
    assert "There are no previewed files to import" in admin_client.get(SETUP_URL).content.decode()
    assert RoleChange.objects.filter(by=cast.admin).count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == ["hana@test.example", "nobody@test.example"]
    assert Partner.objects.filter(name="Testshire Housing").count() == 1


def test_a_bad_partner_row_refuses_both_files(
    admin_client, cast, django_capture_on_commit_callbacks
):
    users_before = User.objects.count()
    bad_partners = [*PARTNERS, ["testshire", "Testshire Hospice", "hospice", "", ""]]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = preview(
            admin_client, partners=partners_file(*bad_partners), people=people_file(*PEOPLE)
        )

    [problem] = problems(response)
    assert problem[:3] == ("partners", 4, "partner_type")
    assert problem[3].startswith("Enter a partner type, one of: ")
    assert not offers_confirm(response)
    assert callbacks == []
    assert not Partner.objects.filter(name__in=["Testshire Housing", "Testshire Hospice"]).exists()
    assert User.objects.count() == users_before
    assert not RoleChange.objects.exists()
    assert not PendingUpload.objects.exists()


def test_a_bad_people_row_refuses_the_partners_too(admin_client, cast):
    response = preview(
        admin_client,
        partners=partners_file(*PARTNERS),
        people=people_file(*PEOPLE, ["x@test.example", "", "member", "testshire", "Nowhere", ""]),
    )

    assert [(f, row, column) for f, row, column, _ in problems(response)] == [
        ("people", 5, "partner")
    ]
    assert not Partner.objects.filter(name="Testshire Housing").exists()


def test_a_people_row_cannot_name_a_partner_that_is_neither_in_the_portal_nor_the_file(
    admin_client, cast
):
    response = preview(admin_client, people=people_file(*PEOPLE))

    assert [(f, row, column) for f, row, column, _ in problems(response)] == [
        ("people", 2, "partner")
    ]


def test_a_confirmation_that_no_longer_passes_writes_nothing_and_says_why(
    admin_client, cast, django_capture_on_commit_callbacks
):
    preview(admin_client, partners=partners_file(*PARTNERS), people=people_file(*PEOPLE))
    # Meanwhile someone changes the slug the files name the system by.
    cast.system.slug = "testshire-renamed"
    cast.system.save()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = confirm(admin_client)

    assert response.url == SETUP_URL
    assert callbacks == []
    assert mail.outbox == []
    assert not Partner.objects.filter(name="Testshire Housing").exists()
    assert not User.objects.filter(email="hana@test.example").exists()
    assert not RoleChange.objects.exists()
    text = admin_client.get(SETUP_URL).content.decode()
    assert "Nothing was imported" in text
    assert "Partners file, row 2, column system" in text


def test_a_confirmation_with_no_preview_imports_nothing(admin_client, cast):
    response = confirm(admin_client)

    assert response.url == SETUP_URL
    assert "There are no previewed files to import" in admin_client.get(SETUP_URL).content.decode()


def test_another_administrators_preview_cannot_be_confirmed(client, admin_client, cast):
    preview(admin_client, partners=partners_file(*PARTNERS))
    other = UserFactory(email="admin2@test.example", is_staff=True, is_superuser=True)
    pending = PendingUpload.objects.get()
    client.force_login(other)
    session = client.session
    session["system-setup-preview"] = str(pending.pk)
    session.save()

    confirm(client)

    assert not Partner.objects.filter(name="Testshire Housing").exists()


def test_the_people_file_may_be_a_spreadsheet(admin_client, cast):
    workbook = openpyxl.Workbook()
    workbook.active.append(PEOPLE_HEADERS)
    workbook.active.append(["Nat@Test.Example", "Nat New", "National Viewer", None, None, None])
    content = io.BytesIO()
    workbook.save(content)
    upload = SimpleUploadedFile(
        "people.xlsx",
        content.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )

    response = preview(admin_client, people=upload)
    confirm(admin_client)

    assert problems(response) == []
    assert NationalViewer.objects.filter(user__email="nat@test.example").exists()


def test_a_file_that_is_not_a_spreadsheet_is_refused_on_its_field(admin_client, cast):
    upload = SimpleUploadedFile("people.pdf", b"%PDF-1.4", content_type="application/pdf")

    response = admin_client.post(SETUP_URL, {"people_file": upload})

    assert response.status_code == 200
    assert "people_file" in response.context["form"].errors
    assert "onboarding" not in response.context


def test_the_form_asks_for_at_least_one_file(admin_client, cast):
    response = admin_client.post(SETUP_URL, {})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Select a partners file, a people file or both"
    ]


# ---------------------------------------------------------------------------
# The example files


def test_the_example_files_set_up_a_new_system_in_the_demo(
    client, frameworks, django_capture_on_commit_callbacks
):
    seed_demo(password="a-demo-password-1")
    imports = Path(settings.BASE_DIR) / "fixtures" / "imports"
    system_rows = tablib.Dataset().load((imports / "onboarding-system.csv").read_text(), "csv")
    assert not SystemResource().import_data(system_rows, dry_run=False).has_errors()
    admin = User.objects.get(is_superuser=True)
    client.force_login(admin)

    def upload(name: str) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, (imports / name).read_bytes(), content_type="text/csv")

    response = preview(
        client,
        partners=upload("onboarding-partners.csv"),
        people=upload("onboarding-people.csv"),
    )
    assert problems(response) == []
    with django_capture_on_commit_callbacks(execute=True):
        confirm(client)

    rivermouth = System.objects.get(slug="rivermouth")
    assert rivermouth.partners.count() == 6
    assert SystemRole.objects.filter(system=rivermouth).count() == 3
    assert Member.objects.filter(partner__system=rivermouth).count() == 10
    lines = (imports / "onboarding-people.csv").read_text().splitlines()[1:]
    people = {line.split(",")[0] for line in lines}
    assert {address for message in mail.outbox for address in message.to} >= people
    assert all(address.endswith(("@example.org", "@example.com")) for address in people)
