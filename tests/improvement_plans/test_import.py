"""Importing actions from a spreadsheet: a preview that writes nothing, then a confirmed
import that writes every row or none."""

import io
from datetime import date, timedelta

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assessments.models import AuditEvent
from hicm_portal import uploads
from improvement_plans.models import Action
from tests.factories import PartnerFactory
from tests.improvement_plans.helpers import agreed_round, plan_url

pytestmark = pytest.mark.django_db

HEADER = ["change", "title", "description", "target_level", "lead_partner", "owner",
          "start_date", "due_date", "status"]  # fmt: skip
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def good_rows(cast, owner) -> list[list]:
    today = timezone.localdate()
    return [
        ["1", "Discharge hub", "One number", "4", "Testshire Hospitals", "owner@test.example",
         today, today + timedelta(days=90), "Not started"],
        ["4", "Home first pathway", "", "Mature", "testshire council", "MEMBER@test.example",
         today - timedelta(days=10), today + timedelta(days=200), "in_progress"],
    ]  # fmt: skip


def as_text(value) -> str:
    return value.strftime("%d/%m/%Y") if isinstance(value, date) else str(value)


def csv_file(rows, name="actions.csv") -> SimpleUploadedFile:
    lines = [",".join(HEADER)] + [",".join(as_text(v) for v in row) for row in rows]
    return SimpleUploadedFile(name, ("\ufeff" + "\n".join(lines)).encode(), content_type="text/csv")


def xlsx_file(rows, name="actions.xlsx") -> SimpleUploadedFile:
    """A workbook as Excel writes it: dates are date cells, codes may be numbers."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append([int(v) if isinstance(v, str) and v.isdigit() else v for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)


def upload(client, round_, spreadsheet):
    return client.post(plan_url(round_, "action_import"), {"spreadsheet": spreadsheet})


def confirm(client, round_):
    return client.post(plan_url(round_, "action_import_confirm"))


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("make_file", [csv_file, xlsx_file], ids=["csv", "xlsx"])
def test_good_rows_are_previewed_without_writing_then_imported_into_the_plan(
    client, cast, owner, agreed, make_file
):
    client.force_login(cast.facilitator)
    preview = upload(client, agreed, make_file(good_rows(cast, owner)))
    assert preview.status_code == 200
    assert preview.context["problems"] == []
    assert [row["title"] for row in preview.context["rows"]] == [
        "Discharge hub",
        "Home first pathway",
    ]
    html = preview.content.decode()
    assert "Check the actions to import" in html and "Import 2 actions" in html
    assert plan_url(agreed, "action_import_confirm") in html
    assert Action.objects.count() == 0

    response = confirm(client, agreed)
    assert response.status_code == 302
    assert response["Location"] == plan_url(agreed)
    assert message_texts(response) == ["2 actions imported."]
    today = timezone.localdate()
    hub, home_first = Action.objects.order_by("title")
    assert (hub.change.code, hub.lead_partner, hub.owner) == ("1", cast.partner, owner)
    assert (hub.target_level.number, hub.status) == (4, "not_started")
    assert (hub.start_date, hub.due_date) == (today, today + timedelta(days=90))
    assert (home_first.lead_partner, home_first.owner) == (cast.other_partner, cast.member)
    assert (home_first.target_level.name, home_first.status) == ("Mature", "in_progress")
    assert home_first.start_date == today - timedelta(days=10)
    for action in (hub, home_first):
        assert list(action.rounds.all()) == [agreed]
        assert (action.system, action.created_by) == (cast.system, cast.facilitator)
    plan = client.get(plan_url(agreed)).content.decode()
    assert "Discharge hub" in plan and "Home first pathway" in plan
    # The preview is used up: confirming again imports nothing more.
    again = confirm(client, agreed)
    assert again["Location"] == plan_url(agreed, "action_import")
    assert Action.objects.count() == 2


def test_every_bad_row_is_reported_with_its_number_and_nothing_can_be_confirmed(
    client, cast, owner, agreed
):
    today = timezone.localdate()
    good = good_rows(cast, owner)[0]
    rows = [
        good,
        ["99", *good[1:]],
        [good[0], "Unknown partner", "", "", "Nowhere Trust", *good[5:]],
        [*good[:5], "stranger@test.example", *good[6:]],
        [*good[:6], today, today - timedelta(days=1), "Not started"],
        [*good[:8], "Finished"],
        [*good[:5], "outsider@test.example", *good[6:]],
        [*good[:6], "31/02/2027", *good[7:]],
        [*good[:4], "Elsewhere Trust", *good[5:]],
    ]
    client.force_login(cast.facilitator)
    preview = upload(client, agreed, csv_file(rows))
    assert preview.status_code == 200
    problems = preview.context["problems"]
    assert problems == [
        "Row 2: This round's framework has no change '99'",
        "Row 3: This system has no partner called 'Nowhere Trust'",
        "Row 4: Nobody in this system's partners has the e-mail address 'stranger@test.example'",
        "Row 5: The due date must be the same as or after the start date",
        "Row 6: 'finished' is not a status; use one of Not started, In progress, Done, "
        "Blocked, Cancelled",
        "Row 7: Nobody in this system's partners has the e-mail address 'outsider@test.example'",
        "Row 8: Enter the start date as a real date, like 31/03/2027",
        "Row 9: This system has no partner called 'Elsewhere Trust'",
    ]
    html = preview.content.decode()
    for number in range(2, 10):
        assert f"Row {number}: " in html
    assert "Row 1: " not in html
    assert "Correct the spreadsheet and upload it again" in html
    assert "Nothing has been saved" in html
    assert plan_url(agreed, "action_import_confirm") not in html
    assert Action.objects.count() == 0
    refused = confirm(client, agreed)
    assert refused["Location"] == plan_url(agreed, "action_import")
    assert message_texts(refused) == [
        "There is no previewed spreadsheet to import. Upload it again."
    ]
    assert Action.objects.count() == 0


def test_a_row_with_several_problems_lists_them_all(client, cast, owner, agreed):
    client.force_login(cast.facilitator)
    row = ["Z", "", "", "9", "Nowhere Trust", "stranger@test.example", "", "soon", "Maybe"]
    problems = upload(client, agreed, csv_file([row])).context["problems"]
    assert len(problems) == 1
    problem = problems[0]
    assert problem.startswith("Row 1: ")
    for part in (
        "no change 'Z'",
        "'9' is not a level of this framework",
        "no partner called 'Nowhere Trust'",
        "Nobody in this system's partners has the e-mail address 'stranger@test.example'",
        "'maybe' is not a status",
        "Enter the start date",
        "Enter the due date as a real date",
    ):
        assert part in problem


@pytest.mark.parametrize(
    ("spreadsheet", "code"),
    [
        (
            SimpleUploadedFile("notes.txt", b"change,title\n1,Hub\n", content_type="text/plain"),
            "wrong_type",
        ),
        (
            SimpleUploadedFile("actions.xlsx", b"this is not a workbook", content_type=XLSX),
            "unreadable",
        ),
        (
            SimpleUploadedFile("actions.csv", b"\xff\xfe\x00bad", content_type="text/csv"),
            "unreadable",
        ),
    ],
    ids=["txt", "fake-xlsx", "not-utf8"],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused(client, cast, agreed, spreadsheet, code):
    client.force_login(cast.facilitator)
    response = upload(client, agreed, spreadsheet)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("spreadsheet", code)
    assert "<title>Error: " in response.content.decode()
    assert Action.objects.count() == 0
    assert confirm(client, agreed)["Location"] == plan_url(agreed, "action_import")


def test_a_txt_file_is_told_to_be_xlsx_or_csv(client, cast, agreed):
    client.force_login(cast.facilitator)
    response = upload(client, agreed, SimpleUploadedFile("notes.txt", b"x"))
    assert response.context["form"].errors["spreadsheet"] == [uploads.WRONG_TYPE]
    assert uploads.WRONG_TYPE == (
        "The selected file must be an Excel spreadsheet (.xlsx) or a CSV file (.csv)"
    )


def test_an_empty_spreadsheet_offers_nothing_to_confirm(client, cast, agreed):
    client.force_login(cast.facilitator)
    response = upload(client, agreed, csv_file([]))
    html = response.content.decode()
    assert "The spreadsheet has no actions" in html
    assert plan_url(agreed, "action_import_confirm") not in html


def test_the_confirmed_import_writes_every_row_or_none(client, cast, owner, agreed):
    hospice = PartnerFactory(system=cast.system, name="Testshire Hospice")
    rows = good_rows(cast, owner)
    rows.append(["2", "Hospice beds", "", "", "Testshire Hospice", "member@test.example",
                 *rows[0][6:]])  # fmt: skip
    client.force_login(cast.facilitator)
    preview = upload(client, agreed, xlsx_file(rows))
    assert preview.context["problems"] == []
    hospice.delete()  # between the preview and the confirmation
    response = confirm(client, agreed)
    assert response.status_code == 302
    assert response["Location"] == plan_url(agreed, "action_import")
    (message,) = message_texts(response)
    assert message.startswith("Nothing was imported: Row 3: ")
    assert "Testshire Hospice" in message
    assert Action.objects.count() == 0
    assert not Action.rounds.through.objects.exists()


def test_an_import_is_previewed_for_one_round_only(client, cast, owner, agreed, frameworks):
    other = agreed_round(cast.system, frameworks["mtoc-2020"], name="2024/25")
    client.force_login(cast.facilitator)
    upload(client, agreed, csv_file(good_rows(cast, owner)))
    assert confirm(client, other)["Location"] == plan_url(other, "action_import")
    assert Action.objects.count() == 0


def test_a_member_cannot_import(client, cast, owner, agreed):
    client.force_login(cast.member)
    response = upload(client, agreed, csv_file(good_rows(cast, owner)))
    assert response.status_code == 403
    assert Action.objects.count() == 0


def test_a_title_too_long_is_reported_on_its_row(client, cast, owner, agreed):
    rows = good_rows(cast, owner)
    rows[0][1] = "x" * 201
    rows.append(list(rows[1]))
    client.force_login(cast.facilitator)
    preview = upload(client, agreed, csv_file(rows))
    assert preview.context["problems"] == [
        "Row 1: Enter a title of at most 200 characters (it has 201)"
    ]
    assert Action.objects.count() == 0


def test_an_imported_action_is_audited_and_its_owner_emailed_as_the_form_does(
    client, cast, owner, agreed, django_capture_on_commit_callbacks
):
    client.force_login(cast.facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, agreed, csv_file(good_rows(cast, owner)))
    # The preview writes nothing: no audit entry, no e-mail.
    assert not AuditEvent.objects.filter(round=agreed).exists()
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        assert confirm(client, agreed).status_code == 302

    hub, home_first = Action.objects.order_by("title")
    events = AuditEvent.objects.filter(round=agreed).order_by("pk")
    assert [(e.actor, e.action, e.detail) for e in events] == [
        (cast.facilitator, "Added an action to the plan", "Change 1: Discharge hub"),
        (cast.facilitator, "Added an action to the plan", "Change 4: Home first pathway"),
    ]
    for action in (hub, home_first):
        (created,) = action.history.all()
        assert (created.history_type, created.history_user) == ("+", cast.facilitator)
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("member@test.example", "You own an improvement action: Home first pathway"),
        ("owner@test.example", "You own an improvement action: Discharge hub"),
    ]
    to_owner = next(m for m in mail.outbox if m.to == ["owner@test.example"])
    assert "Fay Facilitator has made you the owner" in to_owner.body
    assert f"/actions/{hub.public_id}/" in to_owner.body


def test_an_import_refused_on_confirmation_emails_nobody(
    client, cast, owner, agreed, django_capture_on_commit_callbacks
):
    hospice = PartnerFactory(system=cast.system, name="Testshire Hospice")
    rows = good_rows(cast, owner)
    rows.append(["2", "Hospice beds", "", "", "Testshire Hospice", "member@test.example",
                 *rows[0][6:]])  # fmt: skip
    client.force_login(cast.facilitator)
    upload(client, agreed, csv_file(rows))
    hospice.delete()
    with django_capture_on_commit_callbacks(execute=True):
        confirm(client, agreed)
    assert Action.objects.count() == 0
    assert not AuditEvent.objects.filter(round=agreed).exists()
    assert mail.outbox == []


def test_an_unknown_address_and_a_person_of_another_system_get_the_same_message(
    client, cast, owner, agreed
):
    good = good_rows(cast, owner)[0]
    rows = [
        [*good[:5], "stranger@test.example", *good[6:]],  # nobody has this address
        [*good[:5], "outsider@test.example", *good[6:]],  # a member of another system
    ]
    client.force_login(cast.facilitator)
    problems = upload(client, agreed, csv_file(rows)).context["problems"]
    unknown, outsider = (problem.split(": ", 1)[1] for problem in problems)
    assert unknown.replace("stranger", "X") == outsider.replace("outsider", "X")
    assert "Nobody has" not in unknown and "member" not in outsider.lower()
