"""Running an open round: a new closing date, a reminder now, cancelling, and reopening a
return with a reason (issue 13)."""

import io
from datetime import date, timedelta

import openpyxl
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from assessments import consensus_services, round_services
from assessments.models import AuditEvent, PartnerReturn, Rating, ReminderSent, Round
from assessments.round_services import RatingInput
from tests.factories import PartnerFactory
from tests.helpers import add_partners, query_count, rate_everything

pytestmark = pytest.mark.django_db

FAR_DATE = date(timezone.localdate().year + 2, 3, 31)


def round_url(round_, tail: str = "") -> str:
    return f"/rounds/{round_.public_id}/{tail}"


def return_url(round_, partner, tail: str = "") -> str:
    return f"/rounds/{round_.public_id}/partners/{partner.public_id}/{tail}"


def date_fields(day: date) -> dict:
    return {"closes_on_0": day.day, "closes_on_1": day.month, "closes_on_2": day.year}


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def submit(client, round_, partner, member) -> PartnerReturn:
    partner_return = rate_everything(round_, partner, member)
    client.force_login(member)
    client.post(return_url(round_, partner, "check/"))
    partner_return.refresh_from_db()
    return partner_return


def cancel(round_, cast) -> Round:
    return round_services.round_cancel(
        round_=round_, cancel_reason="The framework changed", cancelled_by=cast.facilitator
    )


# ---------------------------------------------------------------------------
# Changing the closing date


def test_the_facilitator_changes_the_closing_date_and_the_partners_are_told_the_new_date(
    client, cast, open_round, django_capture_on_commit_callbacks
):
    client.force_login(cast.facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(round_url(open_round, "closing-date/"), date_fields(FAR_DATE))
    assert response["Location"] == round_url(open_round)
    open_round.refresh_from_db()
    assert open_round.closes_on == FAR_DATE
    assert recipients() == ["member@test.example", "other@test.example"]
    assert f"31 March {FAR_DATE.year}" in mail.outbox[0].subject
    assert f"to 31 March {FAR_DATE.year}" in mail.outbox[0].body
    assert AuditEvent.objects.filter(round=open_round, action="Changed the closing date").exists()
    page = client.get(round_url(open_round)).content.decode()
    assert f"returns due 31 March {FAR_DATE.year}" in page


def test_a_closing_date_in_the_past_is_refused_and_nobody_is_told(
    client, cast, open_round, django_capture_on_commit_callbacks
):
    client.force_login(cast.facilitator)
    yesterday = timezone.localdate() - timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(round_url(open_round, "closing-date/"), date_fields(yesterday))
    assert response.context["form"].errors["closes_on"] == [
        "The closing date must be today or in the future"
    ]
    assert "Error:" in response.content.decode()
    open_round.refresh_from_db()
    assert open_round.closes_on != yesterday
    assert mail.outbox == []


def test_an_empty_closing_date_asks_for_one(client, cast, open_round):
    client.force_login(cast.facilitator)
    response = client.post(round_url(open_round, "closing-date/"), {})
    assert response.context["form"].errors["closes_on"] == ["Enter the new closing date"]


@pytest.mark.parametrize(
    ("role", "status"),
    [("member", 403), ("steering", 403), ("viewer", 403), ("outsider", 404)],
)
def test_only_the_facilitator_may_run_the_round(client, cast, open_round, role, status):
    client.force_login(cast.roles()[role])
    for tail in ("closing-date/", "remind/", "cancel/"):
        assert client.get(round_url(open_round, tail)).status_code == status
        assert client.post(round_url(open_round, tail), date_fields(FAR_DATE)).status_code == status
    open_round.refresh_from_db()
    assert open_round.is_rating and open_round.closes_on != FAR_DATE


def test_the_round_page_offers_the_facilitator_to_run_the_round_and_nobody_else(
    client, cast, open_round
):
    client.force_login(cast.facilitator)
    page = client.get(round_url(open_round)).content.decode()
    assert "Change the closing date" in page and "Send a reminder now" in page
    assert "Cancel the round" in page
    for tail in ("closing-date/", "remind/", "cancel/"):
        assert client.get(round_url(open_round, tail)).status_code == 200
    client.force_login(cast.member)
    page = client.get(round_url(open_round)).content.decode()
    assert "Change the closing date" not in page and "Cancel the round" not in page


# ---------------------------------------------------------------------------
# A reminder now


def test_the_reminder_page_says_whom_it_will_remind_and_who_was_reminded_today(
    client, cast, open_round, django_capture_on_commit_callbacks
):
    submitted_partner = PartnerFactory(system=cast.system, name="Testshire Homes")
    PartnerReturn.objects.create(round=open_round, partner=submitted_partner)
    PartnerReturn.objects.filter(round=open_round, partner=submitted_partner).update(
        submitted_at=timezone.now()
    )
    other_return = PartnerReturn.objects.get(round=open_round, partner=cast.other_partner)
    ReminderSent.objects.create(partner_return=other_return, sent_on=timezone.localdate())
    client.force_login(cast.facilitator)
    response = client.get(round_url(open_round, "remind/"))
    plan = response.context["plan"]
    assert plan.to_remind == [cast.partner]
    assert plan.reminded_today == [cast.other_partner]
    page = response.content.decode()
    assert "Already reminded today" in page and "Send 1 reminder" in page
    assert "Testshire Homes" not in page
    assert mail.outbox == []  # nothing is sent on GET


def test_a_reminder_now_reminds_partners_not_submitted_and_says_who_was_skipped(
    client, cast, open_round, django_capture_on_commit_callbacks
):
    other_return = PartnerReturn.objects.get(round=open_round, partner=cast.other_partner)
    ReminderSent.objects.create(partner_return=other_return, sent_on=timezone.localdate())
    client.force_login(cast.facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(round_url(open_round, "remind/"), follow=True)
    assert recipients() == ["member@test.example"]
    assert "Reminder: your 2026/27 Q3 return is due" in mail.outbox[0].subject
    assert (
        "1 partner reminded. Skipped because already reminded today: Testshire Council."
        in response.content.decode()
    )
    assert ReminderSent.objects.filter(partner_return__round=open_round).count() == 2
    assert AuditEvent.objects.filter(round=open_round, action="Sent a reminder now").exists()


def test_a_reminder_now_and_the_daily_reminders_send_one_reminder_a_day_between_them(
    client, cast, open_round, django_capture_on_commit_callbacks
):
    day = open_round.closes_on  # due today, so the daily run would remind too
    with django_capture_on_commit_callbacks(execute=True):
        round_services.round_remind_now(round_=open_round, reminded_by=cast.facilitator, today=day)
        output = io.StringIO()
        call_command("send_reminders", "--today", day.isoformat(), stdout=output)
        again = round_services.round_remind_now(
            round_=open_round, reminded_by=cast.facilitator, today=day
        )
    assert recipients() == ["member@test.example", "other@test.example"]
    assert again.to_remind == []
    assert again.reminded_today == [cast.other_partner, cast.partner]


def test_submitted_partners_are_not_reminded_now(
    client, cast, open_round, django_capture_on_commit_callbacks
):
    submit(client, open_round, cast.partner, cast.member)
    mail.outbox.clear()
    client.force_login(cast.facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(round_url(open_round, "remind/"))
    assert recipients() == ["other@test.example"]


def test_the_reminder_page_runs_as_many_queries_for_many_partners_as_for_few(
    client, cast, open_round
):
    client.force_login(cast.facilitator)
    query_count(client, round_url(open_round, "remind/"))  # the person's roles are now cached
    few = query_count(client, round_url(open_round, "remind/"))
    for partner, _member in add_partners(cast.system, 12):
        PartnerReturn.objects.create(round=open_round, partner=partner)
    assert query_count(client, round_url(open_round, "remind/")) == few


# ---------------------------------------------------------------------------
# Cancelling


def test_cancelling_needs_a_reason(client, cast, open_round):
    client.force_login(cast.facilitator)
    response = client.post(round_url(open_round, "cancel/"), {"cancel_reason": "  "})
    assert response.context["form"].errors["cancel_reason"] == [
        "Enter why you are cancelling the round"
    ]
    open_round.refresh_from_db()
    assert open_round.is_rating


def test_a_cancelled_round_stays_read_only_with_its_reason_and_everyone_taking_part_is_told(
    client, cast, open_round, django_capture_on_commit_callbacks
):
    client.force_login(cast.facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            round_url(open_round, "cancel/"), {"cancel_reason": "The framework changed"}
        )
    assert response["Location"] == round_url(open_round)
    open_round.refresh_from_db()
    assert open_round.is_cancelled and open_round.cancelled_by == cast.facilitator
    assert recipients() == ["member@test.example", "other@test.example", "steering@test.example"]
    assert "The framework changed" in mail.outbox[0].body
    assert AuditEvent.objects.filter(
        round=open_round, action="Cancelled the round", detail="The framework changed"
    ).exists()
    for person in (cast.member, cast.steering, cast.facilitator):
        client.force_login(person)
        page = client.get(round_url(open_round)).content.decode()
        assert "Cancelled" in page and "The framework changed" in page
        assert "Cancel the round" not in page and "Change the closing date" not in page
        rounds = client.get("/systems/testshire/rounds/").content.decode()
        assert "Cancelled" in rounds and "The framework changed" in rounds
    assert client.get(round_url(open_round, "audit/")).status_code == 200


def test_a_cancelled_round_is_visible_to_the_same_people_as_before(client, cast, open_round):
    before = {
        role: client.get(round_url(open_round)).status_code
        for role, person in cast.roles().items()
        if not client.force_login(person)
    }
    cancel(open_round, cast)
    after = {
        role: client.get(round_url(open_round)).status_code
        for role, person in cast.roles().items()
        if not client.force_login(person)
    }
    assert after == before
    assert before["member"] == 200 and before["outsider"] == 404


def test_a_draft_or_revealed_round_cannot_be_cancelled(client, cast, open_round):
    for status in (Round.Status.DRAFT, Round.Status.REVIEW):
        Round.objects.filter(pk=open_round.pk).update(status=status)
        open_round.refresh_from_db()
        with pytest.raises(ValidationError):
            cancel(open_round, cast)
    open_round.refresh_from_db()
    assert open_round.status == Round.Status.REVIEW


def test_a_cancelled_round_takes_no_more_ratings_or_changes(client, cast, open_round):
    partner_return = submit(client, open_round, cast.partner, cast.member)
    other_return = PartnerReturn.objects.select_related("round", "partner").get(
        round=open_round, partner=cast.other_partner
    )
    cancel(open_round, cast)
    open_round.refresh_from_db()
    other_return.round = open_round
    change = open_round.framework.changes.filter(archived=False).first()
    level = open_round.framework.levels.get(number=2)
    data = RatingInput(level=level, rationale="Late", evidence=[], confidence="low")
    refusals = (ValidationError, PermissionDenied)
    with pytest.raises(refusals):
        round_services.rating_save(
            partner_return=other_return,
            change=change,
            data=data,
            saved_by=cast.other_member,
            expected_version=0,
        )
    with pytest.raises(refusals):
        round_services.return_submit(partner_return=other_return, submitted_by=cast.other_member)
    partner_return.round = open_round
    with pytest.raises(refusals):
        round_services.return_reopen(
            partner_return=partner_return, reopened_by=cast.facilitator, reason="Fix it"
        )
    with pytest.raises(refusals):
        consensus_services.round_reveal(
            round_=open_round, revealed_by=cast.facilitator, confirm_missing=True
        )
    with pytest.raises(refusals):
        round_services.round_closing_date_change(
            round_=open_round, closes_on=FAR_DATE, changed_by=cast.facilitator
        )
    with pytest.raises(refusals):
        round_services.round_remind_now(round_=open_round, reminded_by=cast.facilitator)
    with pytest.raises(refusals):
        cancel(open_round, cast)
    assert not Rating.objects.filter(partner=cast.other_partner).exists()
    open_round.refresh_from_db()
    assert open_round.is_cancelled and open_round.revealed_at is None


def test_the_submit_service_refuses_a_round_cancelled_after_the_form_was_loaded(cast, open_round):
    partner_return = rate_everything(open_round, cast.partner, cast.member)
    Round.objects.filter(pk=open_round.pk).update(
        status=Round.Status.CANCELLED, cancelled_at=timezone.now(), cancel_reason="Stopped"
    )
    # The return was read while the round was in rating, as a request racing the cancel would.
    assert partner_return.round.is_rating
    with pytest.raises(ValidationError):
        round_services.return_submit(partner_return=partner_return, submitted_by=cast.member)
    partner_return.refresh_from_db()
    assert partner_return.submitted_at is None


def test_a_previewed_upload_is_not_saved_once_the_round_is_cancelled(client, cast, open_round):
    client.force_login(cast.member)
    content = client.get(return_url(open_round, cast.partner, "spreadsheet/")).content
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook["Return"]
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, 1).value:
            sheet.cell(row, 3).value = "Established"
            sheet.cell(row, 4).value = "Offline"
            sheet.cell(row, 6).value = "Medium"
    out = io.BytesIO()
    workbook.save(out)
    upload = SimpleUploadedFile("return.xlsx", out.getvalue())
    client.post(return_url(open_round, cast.partner, "upload/"), {"spreadsheet": upload})
    cancel(open_round, cast)
    response = client.post(return_url(open_round, cast.partner, "upload/confirm/"))
    assert response.status_code == 403
    assert not Rating.objects.exists()


def test_the_daily_reminders_leave_a_cancelled_round_alone(
    cast, open_round, django_capture_on_commit_callbacks
):
    cancel(open_round, cast)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "send_reminders", "--today", open_round.closes_on.isoformat(), stdout=io.StringIO()
        )
    assert mail.outbox == []


# ---------------------------------------------------------------------------
# Reopening a return with a reason


def test_reopening_a_return_asks_why_and_its_members_are_told_the_reason(
    client, cast, open_round, django_capture_on_commit_callbacks
):
    partner_return = submit(client, open_round, cast.partner, cast.member)
    mail.outbox.clear()
    client.force_login(cast.facilitator)
    page = client.get(round_url(open_round)).content.decode()
    assert return_url(open_round, cast.partner, "reopen/") in page
    assert client.get(return_url(open_round, cast.partner, "reopen/")).status_code == 200
    response = client.post(return_url(open_round, cast.partner, "reopen/"), {"reason": ""})
    assert response.context["form"].errors["reason"] == ["Enter why you are reopening the return"]
    partner_return.refresh_from_db()
    assert partner_return.is_submitted
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            return_url(open_round, cast.partner, "reopen/"),
            {"reason": "Change 3 rates the wrong service"},
        )
    assert response["Location"] == round_url(open_round)
    partner_return.refresh_from_db()
    assert not partner_return.is_submitted and partner_return.reopened_by == cast.facilitator
    assert recipients() == ["member@test.example"]
    assert "Why: Change 3 rates the wrong service" in mail.outbox[0].body
    assert AuditEvent.objects.filter(
        round=open_round, detail="Change 3 rates the wrong service"
    ).exists()


@pytest.mark.parametrize("role", ["member", "other_member", "steering"])
def test_only_the_facilitator_may_reopen_a_return(client, cast, open_round, role):
    partner_return = submit(client, open_round, cast.partner, cast.member)
    client.force_login(cast.roles()[role])
    url = return_url(open_round, cast.partner, "reopen/")
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "Because"}).status_code == 403
    partner_return.refresh_from_db()
    assert partner_return.is_submitted
