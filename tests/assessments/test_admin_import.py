"""Admin CSV/XLSX import and export through django-import-export's two-step admin views.

Every import is posted to `/admin/assessments/<model>/import/`, which previews the rows and
writes nothing, and then confirmed by posting the confirm form's hidden fields to
`/admin/assessments/<model>/process_import/`. Test files are built in memory.
"""

import csv
import html
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.framework_loader import STANDARD_LEVELS
from assessments.models import Change, Descriptor, Invitation, Member, Partner, Region, System

User = get_user_model()

pytestmark = pytest.mark.django_db

CSV_CONTENT_TYPE = "text/csv"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---------------------------------------------------------------------------
# Helpers


def import_url(model: str) -> str:
    return f"/admin/assessments/{model}/import/"


def process_url(model: str) -> str:
    return f"/admin/assessments/{model}/process_import/"


def csv_bytes(rows: list[list[str]]) -> bytes:
    """A CSV file (first row the headers), quoted so that cells may hold new lines."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def format_value(client, model: str, title: str) -> str:
    """The value of the import form's format choice called `title` ("csv", "xlsx")."""
    response = client.get(import_url(model))
    assert response.status_code == 200
    choices = response.context["form"].fields["format"].choices
    return next(str(value) for value, label in choices if str(label).lower() == title)


def preview(client, model: str, content: bytes, *, title: str = "csv"):
    """Step one: upload the file. Renders the preview (or the errors) and writes nothing."""
    extension = {"csv": "csv", "xlsx": "xlsx"}[title]
    content_type = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}[title]
    upload = SimpleUploadedFile(f"import.{extension}", content, content_type=content_type)
    response = client.post(
        import_url(model),
        {"import_file": upload, "format": format_value(client, model, title), "resource": "0"},
    )
    assert response.status_code == 200
    return response


def confirm(client, model: str, preview_response):
    """Step two: post the confirm form's hidden fields back, as the Confirm button does."""
    confirm_form = preview_response.context["confirm_form"]
    assert confirm_form is not None, "the preview offered no confirm form"
    data = {name: value for name, value in confirm_form.initial.items() if value is not None}
    response = client.post(process_url(model), data)
    assert response.status_code == 302
    assert response.url == f"/admin/assessments/{model}/"
    return response


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def offers_confirm(response) -> bool:
    return bool(response.context.get("confirm_form")) or "Confirm import" in page_text(response)


@pytest.fixture
def staff_client(client, cast):
    client.force_login(cast.admin)
    return client


# ---------------------------------------------------------------------------
# 1. Regions, systems and partners


def test_a_region_import_previews_and_writes_nothing_until_confirmed(staff_client):
    content = csv_bytes(
        [["name", "slug"], ["North East", "north-east"], ["South West", "south-west"]]
    )

    response = preview(staff_client, "region", content)

    assert offers_confirm(response)
    assert "North East" in page_text(response)
    assert not Region.objects.filter(slug__in=["north-east", "south-west"]).exists()

    confirm(staff_client, "region", response)

    assert dict(
        Region.objects.filter(slug__in=["north-east", "south-west"]).values_list("slug", "name")
    ) == {"north-east": "North East", "south-west": "South West"}


def test_a_system_import_previews_and_writes_nothing_until_confirmed(staff_client, cast):
    region = cast.system.region.slug
    content = csv_bytes(
        [
            ["name", "slug", "region"],
            ["Northshire", "northshire", region],
            ["Southshire", "southshire", region],
        ]
    )

    response = preview(staff_client, "system", content)

    assert offers_confirm(response)
    assert not System.objects.filter(slug__in=["northshire", "southshire"]).exists()

    confirm(staff_client, "system", response)

    systems = System.objects.filter(slug__in=["northshire", "southshire"])
    assert sorted(systems.values_list("name", flat=True)) == ["Northshire", "Southshire"]
    assert {s.region_id for s in systems} == {cast.system.region_id}


def test_a_partner_import_previews_and_writes_nothing_until_confirmed(staff_client, cast):
    content = csv_bytes(
        [
            ["system", "name", "partner_type"],
            ["testshire", "Testshire Community Care", "community_trust"],
            ["testshire", "Testshire Housing", "housing"],
            ["elsewhere", "Elsewhere Council", "local_authority"],
        ]
    )
    before = Partner.objects.count()

    response = preview(staff_client, "partner", content)

    assert offers_confirm(response)
    assert Partner.objects.count() == before

    confirm(staff_client, "partner", response)

    assert Partner.objects.count() == before + 3
    assert set(
        Partner.objects.filter(
            name__in=["Testshire Community Care", "Testshire Housing", "Elsewhere Council"]
        ).values_list("system__slug", "name", "partner_type")
    ) == {
        ("testshire", "Testshire Community Care", "community_trust"),
        ("testshire", "Testshire Housing", "housing"),
        ("elsewhere", "Elsewhere Council", "local_authority"),
    }


# ---------------------------------------------------------------------------
# 2. Members: preview, confirm, and the set-password e-mail


MEMBER_ROWS = [
    ["email", "full_name", "system", "partner"],
    ["new.one@test.example", "Nia One", "testshire", "Testshire Hospitals"],
    ["New.Two@Test.Example", "Ned Two", "testshire", "Testshire Council"],
    # Already has an account with a usable password: membership, but no set-password e-mail.
    ["nobody@test.example", "Noa Nobody", "testshire", "Testshire Council"],
]
NEW_PEOPLE = {"new.one@test.example", "new.two@test.example"}


def assert_member_import_confirmed(cast, callbacks) -> None:
    assert callbacks, "the welcome e-mails should wait for the transaction to commit"
    one = User.objects.get(email="new.one@test.example")
    two = User.objects.get(email="new.two@test.example")
    assert one.full_name == "Nia One"
    assert two.full_name == "Ned Two"
    assert not one.has_usable_password()
    assert not two.has_usable_password()
    assert Member.objects.filter(user=one, partner=cast.partner).exists()
    assert Member.objects.filter(user=two, partner=cast.other_partner).exists()
    assert Member.objects.filter(user=cast.nobody, partner=cast.other_partner).exists()
    assert cast.nobody.has_usable_password()

    # Exactly one set-password e-mail to each new person. Each grant is also told to the people
    # it affects (issue 12, fault 1): the partners' members who can log in hear who joined, and
    # the person who could already log in hears of the role.
    welcomes = [message for message in mail.outbox if "/invitations/" in message.body]
    assert sorted(address for message in welcomes for address in message.to) == sorted(NEW_PEOPLE)
    for message in welcomes:
        assert "Ada Admin has invited you" in message.body
    told = sorted(
        address for message in mail.outbox if message not in welcomes for address in message.to
    )
    assert told == sorted(
        [cast.member.email, cast.other_member.email, cast.other_member.email, cast.nobody.email]
    )
    assert set(Invitation.objects.filter(role="member").values_list("email", "partner__name")) == {
        ("new.one@test.example", "Testshire Hospitals"),
        ("new.two@test.example", "Testshire Council"),
    }


def assert_member_preview_wrote_nothing(cast, callbacks, members_before: int) -> None:
    assert callbacks == []
    assert mail.outbox == []
    assert not User.objects.filter(email__in=NEW_PEOPLE).exists()
    assert Member.objects.count() == members_before
    assert not Member.objects.filter(user=cast.nobody).exists()
    assert not Invitation.objects.exists()


def test_a_member_import_previews_and_writes_nothing_until_confirmed(
    staff_client, cast, django_capture_on_commit_callbacks
):
    members_before = Member.objects.count()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = preview(staff_client, "member", csv_bytes(MEMBER_ROWS))

    assert offers_confirm(response)
    assert "new.one@test.example" in page_text(response)
    assert_member_preview_wrote_nothing(cast, callbacks, members_before)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        confirm(staff_client, "member", response)

    assert Member.objects.count() == members_before + 3
    assert_member_import_confirmed(cast, callbacks)


def test_a_member_import_sends_no_e_mail_for_a_membership_that_already_exists(
    staff_client, cast, django_capture_on_commit_callbacks
):
    content = csv_bytes(
        [
            ["email", "full_name", "system", "partner"],
            ["member@test.example", "Mina Member", "testshire", "Testshire Hospitals"],
        ]
    )
    members_before = Member.objects.count()

    response = preview(staff_client, "member", content)
    with django_capture_on_commit_callbacks(execute=True):
        confirm(staff_client, "member", response)

    assert Member.objects.count() == members_before
    assert mail.outbox == []


def test_a_new_person_in_two_partners_gets_one_set_password_e_mail(
    staff_client, cast, django_capture_on_commit_callbacks
):
    content = csv_bytes(
        [
            ["email", "full_name", "system", "partner"],
            ["twice@test.example", "Tam Twice", "testshire", "Testshire Hospitals"],
            ["twice@test.example", "Tam Twice", "testshire", "Testshire Council"],
        ]
    )

    response = preview(staff_client, "member", content)
    with django_capture_on_commit_callbacks(execute=True):
        confirm(staff_client, "member", response)

    assert set(
        Member.objects.filter(user__email="twice@test.example").values_list(
            "partner__name", flat=True
        )
    ) == {"Testshire Hospitals", "Testshire Council"}
    # One set-password e-mail; the two partners' members are told who joined (issue 12).
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        ["twice@test.example", cast.member.email, cast.other_member.email]
    )
    [welcome] = [message for message in mail.outbox if message.to == ["twice@test.example"]]
    assert "/invitations/" in welcome.body
    invitations = Invitation.objects.filter(email="twice@test.example")
    assert [i.status for i in invitations] == ["Pending"]


# ---------------------------------------------------------------------------
# 3. Errors per row


def test_a_member_import_with_bad_rows_shows_every_error_and_writes_nothing(
    staff_client, cast, django_capture_on_commit_callbacks
):
    content = csv_bytes(
        [
            ["email", "full_name", "system", "partner"],
            ["valid.person@test.example", "Val Id", "testshire", "Testshire Hospitals"],
            ["lost.person@test.example", "Lou Lost", "testshire", "Nowhere Trust"],
            ["not-an-email", "Bea Bad", "testshire", "Testshire Hospitals"],
        ]
    )
    users_before = User.objects.count()
    members_before = Member.objects.count()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = preview(staff_client, "member", content)

    text = page_text(response)
    assert "Line number: 2 - System 'testshire' has no partner called 'Nowhere Trust'" in text
    assert (
        "Line number: 3 - Enter an email address in the correct format, like name@example.org"
        in text
    )
    assert "Line number: 1 " not in text
    assert not offers_confirm(response)
    assert callbacks == []
    assert mail.outbox == []
    assert User.objects.count() == users_before
    assert not User.objects.filter(email="valid.person@test.example").exists()
    assert not User.objects.filter(email="lost.person@test.example").exists()
    assert Member.objects.count() == members_before


def test_a_confirmed_import_that_no_longer_validates_writes_nothing_and_says_why(staff_client):
    content = csv_bytes(
        [["name", "slug"], ["North East", "north-east"], ["South West", "south-west"]]
    )
    response = preview(staff_client, "region", content)
    # Between the preview and the confirmation someone else takes the name "North East".
    Region.objects.create(name="North East", slug="ne")

    redirect = confirm(staff_client, "region", response)

    assert not Region.objects.filter(slug__in=["north-east", "south-west"]).exists()
    text = page_text(staff_client.get(redirect.url))
    assert "Nothing was imported" in text
    assert "row 1:" in text
    assert "Import finished" not in text


def test_a_confirmed_member_import_whose_partner_has_gone_writes_nothing_and_sends_nothing(
    staff_client, cast, django_capture_on_commit_callbacks
):
    members_before = Member.objects.count()
    response = preview(staff_client, "member", csv_bytes(MEMBER_ROWS))
    cast.other_partner.name = "Testshire County Council"
    cast.other_partner.save()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        redirect = confirm(staff_client, "member", response)

    assert callbacks == []
    assert mail.outbox == []
    assert not User.objects.filter(email__in=NEW_PEOPLE).exists()
    assert Member.objects.count() == members_before
    text = page_text(staff_client.get(redirect.url))
    assert "Nothing was imported" in text
    assert "System 'testshire' has no partner called 'Testshire Council'" in text


def test_the_process_import_step_refuses_a_file_it_was_not_given(staff_client):
    response = staff_client.post(process_url("member"), {"format": "0"})

    assert response.status_code == 200
    assert "import_file_name" in response.context["errors"]


# ---------------------------------------------------------------------------
# 4. XLSX


def test_a_member_import_from_an_xlsx_file_previews_then_writes_on_confirm(
    staff_client, cast, django_capture_on_commit_callbacks
):
    members_before = Member.objects.count()
    content = xlsx_bytes(MEMBER_ROWS)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = preview(staff_client, "member", content, title="xlsx")

    assert offers_confirm(response)
    assert_member_preview_wrote_nothing(cast, callbacks, members_before)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        confirm(staff_client, "member", response)

    assert Member.objects.count() == members_before + 3
    assert_member_import_confirmed(cast, callbacks)


# ---------------------------------------------------------------------------
# 5. Partner types


def test_a_partner_import_with_an_unknown_partner_type_is_refused_with_the_valid_types(
    staff_client, cast
):
    content = csv_bytes(
        [
            ["system", "name", "partner_type"],
            ["testshire", "Testshire Housing", "housing"],
            ["testshire", "Testshire Hospice", "hospice"],
        ]
    )
    before = Partner.objects.count()

    response = preview(staff_client, "partner", content)

    text = page_text(response)
    assert not offers_confirm(response)
    assert "Enter a partner type, one of: " in text
    for choice in Partner.Type:
        assert choice.value in text
    assert Partner.objects.count() == before
    assert not Partner.objects.filter(name__in=["Testshire Housing", "Testshire Hospice"]).exists()


# ---------------------------------------------------------------------------
# 6. Official wording for existing changes


WORDING_HEADERS = [
    "framework",
    "code",
    "title",
    "summary",
    "i_statement",
    "we_statement",
    "tips",
    "level_1",
    "level_2",
    "level_3",
    "level_4",
    "level_5",
]


def wording_row(code: str, **values) -> list[str]:
    row = {"framework": "mtoc-2020", "code": code, **values}
    return [row.get(name, "") for name in WORDING_HEADERS]


CHANGE_1 = wording_row(
    "1",
    title="Early discharge planning",
    summary="Planning for discharge starts at admission.",
    i_statement="I know when I am expected to go home.",
    we_statement="We plan discharge from the day of admission.",
    tips="Agree an expected date of discharge early.\nReview it every day.\n",
    level_1="No expected date of discharge is set.",
    level_2="Expected dates are set on some wards.",
    level_3="Expected dates are set and reviewed on every ward.",
)


def test_a_change_wording_import_updates_statements_tips_and_descriptors_on_confirm(
    staff_client, frameworks
):
    change = Change.objects.get(framework__key="mtoc-2020", code="1")
    changes_before = Change.objects.count()

    response = preview(staff_client, "change", csv_bytes([WORDING_HEADERS, CHANGE_1]))

    assert offers_confirm(response)
    change.refresh_from_db()
    assert change.i_statement == ""
    assert change.we_statement == ""
    assert change.tips == []
    assert not Descriptor.objects.filter(change=change).exists()

    confirm(staff_client, "change", response)

    change.refresh_from_db()
    assert Change.objects.count() == changes_before
    assert change.title == "Early discharge planning"
    assert change.summary == "Planning for discharge starts at admission."
    assert change.i_statement == "I know when I am expected to go home."
    assert change.we_statement == "We plan discharge from the day of admission."
    assert change.tips == ["Agree an expected date of discharge early.", "Review it every day."]
    assert dict(Descriptor.objects.filter(change=change).values_list("level__number", "text")) == {
        1: "No expected date of discharge is set.",
        2: "Expected dates are set on some wards.",
        3: "Expected dates are set and reviewed on every ward.",
    }
    assert all(
        d.level.framework_id == change.framework_id
        for d in Descriptor.objects.filter(change=change)
    )


def test_a_change_wording_import_naming_an_unknown_change_writes_nothing(staff_client, frameworks):
    change = Change.objects.get(framework__key="mtoc-2020", code="1")
    changes_before = Change.objects.count()
    content = csv_bytes(
        [WORDING_HEADERS, CHANGE_1, wording_row("99", title="Not a change", level_1="Nothing")]
    )

    response = preview(staff_client, "change", content)

    text = page_text(response)
    assert not offers_confirm(response)
    assert "Framework 'mtoc-2020' has no change '99'; only existing changes can be updated" in text
    assert Change.objects.count() == changes_before
    assert not Change.objects.filter(framework__key="mtoc-2020", code="99").exists()
    change.refresh_from_db()
    assert change.i_statement == ""
    assert change.tips == []
    assert not Descriptor.objects.filter(change__framework__key="mtoc-2020").exists()


def test_the_change_page_shows_imported_descriptors_instead_of_the_level_definitions(
    staff_client, frameworks
):
    url = "/frameworks/mtoc-2020/changes/1/"
    before = page_text(staff_client.get(url))
    assert STANDARD_LEVELS[0]["definition"] in before
    assert "No expected date of discharge is set." not in before

    response = preview(staff_client, "change", csv_bytes([WORDING_HEADERS, CHANGE_1]))
    confirm(staff_client, "change", response)

    page = staff_client.get(url)
    assert page.status_code == 200
    text = page_text(page)
    assert "No expected date of discharge is set." in text
    assert "Expected dates are set on some wards." in text
    assert "Expected dates are set and reviewed on every ward." in text
    for level in STANDARD_LEVELS[:3]:
        assert level["definition"] not in text
    # Levels the file left blank keep the general definition, marked as such.
    assert STANDARD_LEVELS[3]["definition"] in text
    assert "(general definition)" in text
    assert "I know when I am expected to go home." in text
    assert "Review it every day." in text


# ---------------------------------------------------------------------------
# 7. Export


def test_members_export_as_csv_with_their_e_mail_and_partner(staff_client, cast):
    url = "/admin/assessments/member/export/"
    form = staff_client.get(url).context["form"]
    csv_format = next(
        str(value) for value, label in form.fields["format"].choices if str(label).lower() == "csv"
    )
    data = {"format": csv_format, "resource": "0"}
    data.update({name: "on" for name in form.fields if name.startswith("memberresource_")})

    response = staff_client.post(url, data)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {"email", "full_name", "system", "partner"} <= set(rows[0])
    exported = {(row["email"], row["system"], row["partner"]) for row in rows}
    assert ("member@test.example", "testshire", "Testshire Hospitals") in exported
    assert ("other@test.example", "testshire", "Testshire Council") in exported
    assert ("outsider@test.example", "elsewhere", "Elsewhere Trust") in exported
    assert len(rows) == Member.objects.count()


# ---------------------------------------------------------------------------
# 8. Only staff


@pytest.mark.parametrize("model", ["region", "system", "partner", "member", "change"])
def test_a_non_staff_user_cannot_reach_the_import_pages(client, cast, model):
    client.force_login(cast.member)

    for response in (
        client.get(import_url(model)),
        client.post(process_url(model), {}),
        client.get(f"/admin/assessments/{model}/export/"),
    ):
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")
