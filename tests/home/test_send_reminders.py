import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments.models import PartnerReturn, ReminderSent
from tests.helpers import rate_everything

pytestmark = pytest.mark.django_db


def remind(today, *args) -> str:
    out = io.StringIO()
    call_command("send_reminders", "--today", today.isoformat(), *args, stdout=out)
    return out.getvalue()


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_partners_due_within_three_days_are_reminded(
    cast, open_round, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        remind(open_round.closes_on - timedelta(days=3))
    assert recipients() == ["member@test.example", "other@test.example"]
    assert "in 3 days" in mail.outbox[0].body


def test_partners_not_yet_due_are_left_alone(cast, open_round, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        remind(open_round.closes_on - timedelta(days=4))
    assert mail.outbox == []


def test_overdue_partners_are_reminded_and_submitted_ones_are_not(
    client, cast, open_round, django_capture_on_commit_callbacks
):
    rate_everything(open_round, cast.partner, cast.member)
    client.force_login(cast.member)
    client.post(f"/rounds/{open_round.public_id}/partners/{cast.partner.public_id}/check/")
    with django_capture_on_commit_callbacks(execute=True):
        remind(open_round.closes_on + timedelta(days=2))
    assert recipients() == ["other@test.example"]
    assert mail.outbox[0].subject.startswith("Overdue")


def test_at_most_one_reminder_per_partner_per_day(
    cast, open_round, django_capture_on_commit_callbacks
):
    day = open_round.closes_on
    with django_capture_on_commit_callbacks(execute=True):
        remind(day)
        remind(day)
        remind(day)
    assert len(mail.outbox) == 2
    assert ReminderSent.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        remind(day + timedelta(days=1))
    assert len(mail.outbox) == 4


def test_a_dry_run_lists_who_would_be_reminded_and_sends_nothing(cast, open_round):
    output = remind(open_round.closes_on, "--dry-run")
    assert "Testshire Hospitals" in output and "Testshire Council" in output
    assert mail.outbox == []
    assert not ReminderSent.objects.exists()


def test_rounds_not_in_rating_get_no_reminders(
    cast, open_round, django_capture_on_commit_callbacks
):
    open_round.status = "review"
    open_round.save()
    with django_capture_on_commit_callbacks(execute=True):
        remind(open_round.closes_on)
    assert mail.outbox == []
    assert PartnerReturn.objects.count() == 2


def test_it_deletes_task_results_finished_over_a_week_ago(cast):
    """E-mail task results hold message bodies (issue 12): the hourly run prunes them."""
    now = timezone.now()
    for days in (8, 1):
        DBTaskResult.objects.create(
            status="SUCCESSFUL",
            args_kwargs={"args": [], "kwargs": {}},
            task_path="hicm_portal.email_tasks.send_email",
            backend_name="default",
            run_after=now,
            finished_at=now - timedelta(days=days),
        )
    assert "Task results finished over 7 days ago: would delete 1." in remind(
        timezone.localdate(), "--dry-run"
    )
    assert DBTaskResult.objects.count() == 2
    assert "Task results finished over 7 days ago: deleted 1." in remind(timezone.localdate())
    assert DBTaskResult.objects.get().finished_at > now - timedelta(days=2)
