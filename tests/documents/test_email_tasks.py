"""E-mail goes through the task worker: queued once the step commits, tried again while the
mail server is down (waiting longer each time), and sent when it is back; never lost."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hicm_portal.email_tasks import retry_delay, send_email
from hicm_portal.notify import notify
from tests.documents.helpers import FlakyEmailBackend, database_tasks, run_worker

FLAKY = "tests.documents.helpers.FlakyEmailBackend"
REOPENED = {
    "reopened_by": {"get_full_name": "Fay Facilitator"},
    "partner": "Testshire Hospitals",
    "round": {"name": "2026/27 Q3", "system": "Testshire"},
    "link": "http://testserver/rounds/1/",
}


def tell_member() -> None:
    notify(
        to=["member@test.example"],
        subject="Your return is open again",
        template="return_reopened",
        context=REOPENED,
    )


def attempts() -> list[tuple[int, str]]:
    """(attempt, status) of every send_email task, in the order they were queued."""
    return [
        (result.args_kwargs["kwargs"].get("attempt", 1), result.status)
        for result in DBTaskResult.objects.filter(
            task_path="hicm_portal.email_tasks.send_email"
        ).order_by("enqueued_at")
    ]


def time_passes() -> None:
    """The wait before the next attempt is over."""
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


@pytest.mark.django_db(transaction=True)
def test_mail_the_server_refuses_is_tried_again_later_and_finally_sent(settings):
    settings.EMAIL_BACKEND = FLAKY
    settings.EMAIL_RETRY_SECONDS = 60
    FlakyEmailBackend.failures_left = 2
    with database_tasks():
        tell_member()
        assert mail.outbox == [] and attempts() == [(1, "READY")]

        started = timezone.now()
        run_worker()
        assert mail.outbox == []
        assert attempts() == [(1, "FAILED"), (2, "READY")]
        waiting = DBTaskResult.objects.get(status="READY")
        assert waiting.run_after - started >= timedelta(seconds=60)
        run_worker()  # too soon: nothing is tried
        assert attempts() == [(1, "FAILED"), (2, "READY")]

        time_passes()
        run_worker()
        assert attempts() == [(1, "FAILED"), (2, "FAILED"), (3, "READY")]
        assert DBTaskResult.objects.get(status="READY").run_after - timezone.now() > timedelta(
            seconds=100
        )  # twice as long the second time

        time_passes()
        run_worker()
    assert attempts() == [(1, "FAILED"), (2, "FAILED"), (3, "SUCCESSFUL")]
    [message] = mail.outbox
    assert message.to == ["member@test.example"]
    assert message.subject == "Your return is open again"
    assert "Fay Facilitator has reopened Testshire Hospitals's return" in message.body
    failed = DBTaskResult.objects.filter(status="FAILED").first()
    assert failed.exception_class_path == "builtins.ConnectionRefusedError"


@pytest.mark.django_db(transaction=True)
def test_it_gives_up_after_the_last_attempt_and_keeps_the_record(settings):
    settings.EMAIL_BACKEND = FLAKY
    settings.EMAIL_MAX_ATTEMPTS = 2
    FlakyEmailBackend.failures_left = 5
    with database_tasks():
        tell_member()
        run_worker()
        time_passes()
        run_worker()
        time_passes()
        run_worker()
    assert attempts() == [(1, "FAILED"), (2, "FAILED")]
    assert mail.outbox == []


@pytest.mark.django_db
def test_nothing_is_queued_until_the_step_commits_and_nothing_if_it_rolls_back(
    django_capture_on_commit_callbacks,
):
    with database_tasks():
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            tell_member()
        assert not DBTaskResult.objects.exists()
        with django_capture_on_commit_callbacks(execute=True):
            tell_member()
        assert attempts() == [(1, "READY")]
        with pytest.raises(RuntimeError), transaction.atomic():
            tell_member()
            raise RuntimeError("the step is refused")
    assert len(callbacks) == 1 and attempts() == [(1, "READY")]


@pytest.mark.django_db
def test_without_a_worker_mail_is_sent_at_once_one_message_per_address(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            to=["one@test.example", "two@test.example", "one@test.example"],
            subject="Hello",
            template="return_reopened",
            context=REOPENED,
        )
    assert [message.to for message in mail.outbox] == [["one@test.example"], ["two@test.example"]]


def test_the_wait_doubles_up_to_an_hour(settings):
    settings.EMAIL_RETRY_SECONDS = 60
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 6, 7, 20)] == [
        60,
        120,
        240,
        1920,
        3600,
        3600,
    ]


def test_the_task_is_registered_under_its_module_path():
    assert send_email.module_path == "hicm_portal.email_tasks.send_email"
