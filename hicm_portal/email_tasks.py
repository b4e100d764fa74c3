"""E-mail, sent by the task worker and tried again until the mail server takes it.

`hicm_portal.notify.notify` queues one `send_email` per recipient once the step that calls for it
commits. A mail server that is down, refuses the connection or refuses the message does not lose
it: the task queues itself again, waiting EMAIL_RETRY_SECONDS, then twice as long each time (at
most an hour), until EMAIL_MAX_ATTEMPTS attempts have failed. Every failed attempt is logged and
recorded as a failed task result (with the database backend, in the task results table, which
the admin lists), the last one as an error.

A body can hold a link that logs someone in (a password reset, an invitation), so the stored
task keeps it no longer than it needs it: once an attempt is over (sent, failed with the next
attempt queued, or given up), its record keeps the subject and the address but not the body.
`task_results_prune`, run by `send_reminders`, deletes finished task results after
KEEP_FINISHED_TASKS.

A backend that cannot delay a task (the immediate backend of development) tries again at once.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django_tasks import TaskContext, task, task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

MAX_RETRY_DELAY = timedelta(hours=1)
KEEP_FINISHED_TASKS = timedelta(days=7)
BODY_NOT_KEPT = "(not kept once the attempt was over)"


def retry_delay(attempt: int) -> timedelta:
    """How long to wait after failed attempt number `attempt` (1, 2, ...)."""
    delay = timedelta(seconds=settings.EMAIL_RETRY_SECONDS * 2 ** (attempt - 1))
    return min(delay, MAX_RETRY_DELAY)


def _forget_body(context: TaskContext) -> None:
    """Take the body out of this attempt's stored arguments (database backend only; the
    immediate backend stores nothing)."""
    result = context.task_result
    if not isinstance(task_backends[result.backend], DatabaseBackend):
        return
    stored = DBTaskResult.objects.filter(pk=result.id)
    arguments = stored.values_list("args_kwargs", flat=True).first()
    if arguments is not None:
        arguments["kwargs"]["body"] = BODY_NOT_KEPT
        stored.update(args_kwargs=arguments)


@task(takes_context=True)
def send_email(
    context: TaskContext,
    *,
    subject: str,
    body: str,
    to: list[str],
    from_email: str | None = None,
    attempt: int = 1,
) -> str:
    """Send one plain-text e-mail; on a mail server failure, queue the next attempt and fail
    this one (so the task's record keeps the error). Either way the record forgets the body."""
    message = EmailMessage(subject, body, from_email, to)
    try:
        message.send()
    except OSError as error:  # smtplib.SMTPException is an OSError, as are refused connections
        if attempt >= settings.EMAIL_MAX_ATTEMPTS:
            logger.error("Gave up e-mailing %s after %d attempts: %s", to, attempt, error)
            raise
        logger.warning(
            "E-mail to %s failed (attempt %d of %d): %s",
            to,
            attempt,
            settings.EMAIL_MAX_ATTEMPTS,
            error,
        )
        retry = send_email
        if retry.get_backend().supports_defer:
            retry = retry.using(run_after=timezone.now() + retry_delay(attempt))
        retry.enqueue(subject=subject, body=body, to=to, from_email=from_email, attempt=attempt + 1)
        raise
    finally:
        _forget_body(context)
    return f"sent to {', '.join(to)} (attempt {attempt})"


def task_results_prune(*, dry_run: bool = False) -> int:
    """Delete the task results (e-mails and document builds) that finished, sent or failed,
    more than KEEP_FINISHED_TASKS ago, and return how many there were (or would be, with
    `dry_run`). Waiting and running tasks are kept, however old."""
    finished = DBTaskResult.objects.finished().filter(
        finished_at__lt=timezone.now() - KEEP_FINISHED_TASKS
    )
    if dry_run:
        return finished.count()
    return finished.delete()[0]
