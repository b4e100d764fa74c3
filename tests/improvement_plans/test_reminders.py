"""`send_reminders`: owners hear of actions due within 7 days once per due date; each lead
partner's members get a weekly digest of their overdue actions, once per ISO week."""

import io
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from improvement_plans.models import Action, ActionReminderSent, OverdueDigestSent
from tests.factories import MemberFactory, UserFactory
from tests.improvement_plans.helpers import make_action

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)  # a Wednesday, ISO week 2026-W48


def remind(today: date, *args) -> str:
    out = io.StringIO()
    call_command("send_reminders", "--today", today.isoformat(), *args, stdout=out)
    return out.getvalue()


def sent(subject_part: str = "") -> list[tuple[str, str]]:
    return sorted(
        (address, message.subject)
        for message in mail.outbox
        for address in message.to
        if subject_part in message.subject
    )


@pytest.fixture
def due_soon(cast, owner, agreed):
    def action(title, days, status=Action.Status.IN_PROGRESS, **fields):
        return make_action(
            agreed,
            title=title,
            lead_partner=fields.pop("lead_partner", cast.partner),
            owner=fields.pop("owner", owner),
            start=TODAY - timedelta(days=30),
            due=TODAY + timedelta(days=days),
            status=status,
            **fields,
        )

    return {
        "today": action("Due today", 0),
        "in a week": action("Due in a week", 7, status=Action.Status.NOT_STARTED),
        "too far": action("Due in eight days", 8),
        "done": action("Already done", 3, status=Action.Status.DONE),
        "cancelled": action("Called off", 3, status=Action.Status.CANCELLED),
        "member's": action("Member's task", 2, status=Action.Status.BLOCKED, owner=cast.member),
    }


def test_owners_are_reminded_of_open_actions_due_within_seven_days_once(
    cast, due_soon, django_capture_on_commit_callbacks
):
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            remind(TODAY)
    assert sent("Due ") == [
        ("member@test.example", "Due 27 November: Member's task"),
        ("owner@test.example", "Due 2 December: Due in a week"),
        ("owner@test.example", "Due 25 November: Due today"),
    ]
    body = next(m.body for m in mail.outbox if "Due in a week" in m.subject)
    assert body.startswith("Hello Olive")
    assert "is due on 2 December 2026. Its status is not started." in body
    assert f"/actions/{due_soon['in a week'].public_id}/" in body
    assert ActionReminderSent.objects.count() == 3


def test_running_again_on_later_days_does_not_repeat_a_reminder(
    cast, due_soon, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        remind(TODAY)
    first = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        output = remind(TODAY + timedelta(days=1))
    # Only "Due in eight days" is newly within 7 days ("Due today" is now overdue instead).
    later = [m.subject for m in mail.outbox[first:]]
    assert [s for s in later if s.startswith("Due ")] == ["Due 3 December: Due in eight days"]
    assert [s for s in later if "overdue" in s] == [
        "1 overdue improvement action for Testshire Hospitals"
    ]
    assert "(already reminded)" in output


def test_a_new_due_date_earns_a_new_reminder(cast, due_soon, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        remind(TODAY)
    action = due_soon["in a week"]
    action.due_date = TODAY + timedelta(days=5)
    action.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        remind(TODAY)
    assert [m.subject for m in mail.outbox] == ["Due 30 November: Due in a week"]


@pytest.fixture
def overdue(cast, owner, agreed):
    colleague = UserFactory(email="colleague@test.example", full_name="Col League")
    MemberFactory(user=colleague, partner=cast.partner)
    gone = UserFactory(email="gone@test.example", is_active=False)
    MemberFactory(user=gone, partner=cast.partner)

    def action(title, days, lead, status=Action.Status.IN_PROGRESS):
        return make_action(
            agreed,
            title=title,
            code="4",
            lead_partner=lead,
            owner=owner,
            start=TODAY - timedelta(days=90),
            due=TODAY + timedelta(days=days),
            status=status,
        )

    return [
        action("Late pathway", -10, cast.partner),
        action("Late rota", -1, cast.partner, status=Action.Status.BLOCKED),
        action("Late council work", -3, cast.other_partner, status=Action.Status.NOT_STARTED),
        action("Late but done", -5, cast.partner, status=Action.Status.DONE),
        action("Late but cancelled", -5, cast.other_partner, status=Action.Status.CANCELLED),
        action("Not late", 30, cast.partner),
    ]


def test_the_lead_partners_members_get_a_weekly_digest_of_overdue_actions(
    cast, overdue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        output = remind(TODAY)
    digests = [m for m in mail.outbox if "overdue" in m.subject]
    assert sent("overdue") == [
        ("colleague@test.example", "2 overdue improvement actions for Testshire Hospitals"),
        ("member@test.example", "2 overdue improvement actions for Testshire Hospitals"),
        ("other@test.example", "1 overdue improvement action for Testshire Council"),
        ("owner@test.example", "1 overdue improvement action for Testshire Council"),
    ]
    hospitals = next(m for m in digests if m.to == ["member@test.example"])
    assert "Late pathway (change 4), due 15 November 2026, owner Olive Owner, in progress" in (
        hospitals.body
    )
    assert "Late rota (change 4), due 24 November 2026" in hospitals.body
    assert hospitals.body.index("Late pathway") < hospitals.body.index("Late rota")
    for absent in ("Late council work", "Late but done", "Late but cancelled", "Not late"):
        assert absent not in hospitals.body
    assert f"/actions/{overdue[0].public_id}/" in hospitals.body
    assert "Testshire Hospitals: 2 overdue action(s)" in output
    assert OverdueDigestSent.objects.filter(week="2026-W48").count() == 2


def test_the_digest_goes_once_per_iso_week(cast, overdue, django_capture_on_commit_callbacks):
    monday, sunday, next_monday = date(2026, 11, 23), date(2026, 11, 29), date(2026, 11, 30)
    for day in (monday, TODAY, sunday):
        with django_capture_on_commit_callbacks(execute=True):
            output = remind(day)
    assert len(sent("overdue")) == 4
    assert "(digest already sent this week)" in output
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        remind(next_monday)
    assert len(sent("overdue")) == 4
    assert OverdueDigestSent.objects.filter(week="2026-W49").count() == 2


def test_a_dry_run_sends_and_records_nothing(
    cast, due_soon, overdue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        output = remind(TODAY, "--dry-run")
    assert mail.outbox == []
    assert not ActionReminderSent.objects.exists()
    assert not OverdueDigestSent.objects.exists()
    assert "Would send 3." in output  # actions due within 7 days
    assert "'Due in a week' due 2026-12-02" in output
    assert "Testshire Council: 1 overdue action(s)" in output
    # A real run afterwards still sends everything.
    with django_capture_on_commit_callbacks(execute=True):
        remind(TODAY)
    assert len(sent("Due ")) == 3 and len(sent("overdue")) == 4


def test_a_bad_date_is_refused():
    with pytest.raises(CommandError, match="--today must be a date"):
        remind_text("30/11/2026")


def remind_text(today: str) -> None:
    call_command("send_reminders", "--today", today, stdout=io.StringIO())
