"""E-mail goes through the task worker: queued once the step commits, tried again while the
mail server is down (waiting longer each time), and sent when it is back; never lost."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hicm_portal.email_tasks import BODY_NOT_KEPT, retry_delay, send_email, task_results_prune
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
    assert "Fay Facilitator has reopened Testshire Hospitals' return" in message.body
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


def stored_bodies() -> list[str]:
    return [
        result.args_kwargs["kwargs"]["body"]
        for result in DBTaskResult.objects.order_by("enqueued_at")
    ]


def reset_link_email() -> None:
    notify(
        to=["member@test.example"],
        subject="Reset your password",
        template="return_reopened",
        context={**REOPENED, "link": "http://testserver/reset/MQ/secret-token/"},
    )


@pytest.mark.django_db(transaction=True)
def test_a_sent_messages_body_is_not_kept_in_its_task_record(settings):
    """A body can hold a password reset link: once sent, its stored task keeps only who and
    what about."""
    with database_tasks():
        reset_link_email()
        assert "secret-token" in stored_bodies()[0]  # waiting: the worker needs it
        run_worker()
    [message] = mail.outbox
    assert "secret-token" in message.body
    [result] = DBTaskResult.objects.all()
    assert result.status == "SUCCESSFUL"
    assert result.args_kwargs["kwargs"]["body"] == BODY_NOT_KEPT
    assert result.args_kwargs["kwargs"]["subject"] == "Reset your password"
    assert result.args_kwargs["kwargs"]["to"] == ["member@test.example"]


@pytest.mark.django_db(transaction=True)
def test_a_failed_attempt_hands_the_body_to_the_next_and_keeps_none(settings):
    settings.EMAIL_BACKEND = FLAKY
    FlakyEmailBackend.failures_left = 1
    with database_tasks():
        reset_link_email()
        run_worker()
        assert attempts() == [(1, "FAILED"), (2, "READY")]
        assert stored_bodies()[0] == BODY_NOT_KEPT and "secret-token" in stored_bodies()[1]
        time_passes()
        run_worker()
    assert stored_bodies() == [BODY_NOT_KEPT, BODY_NOT_KEPT]
    assert "secret-token" in mail.outbox[0].body


@pytest.mark.django_db
def test_finished_task_results_are_deleted_after_a_week_and_waiting_ones_kept():
    now = timezone.now()

    def result(status: str, finished_days_ago: int | None) -> DBTaskResult:
        finished = None if finished_days_ago is None else now - timedelta(days=finished_days_ago)
        return DBTaskResult.objects.create(
            status=status,
            args_kwargs={"args": [], "kwargs": {"body": "a reset link"}},
            task_path="hicm_portal.email_tasks.send_email",
            backend_name="default",
            run_after=now,
            finished_at=finished,
        )

    old_sent, old_failed = result("SUCCESSFUL", 8), result("FAILED", 8)
    recent, waiting = result("SUCCESSFUL", 6), result("READY", None)
    DBTaskResult.objects.filter(pk=waiting.pk).update(enqueued_at=now - timedelta(days=30))
    assert task_results_prune(dry_run=True) == 2
    assert DBTaskResult.objects.count() == 4
    assert task_results_prune() == 2
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
    assert not DBTaskResult.objects.filter(pk__in=[old_sent.pk, old_failed.pk]).exists()


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
