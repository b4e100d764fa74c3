"""E-mail the reminders the portal owes people, once each however often it runs.

- partners whose return is due within 3 days or overdue (at most one a day per partner, by
  the rule a facilitator's "Send a reminder now" shares: `round_services.return_remind`);
- owners of improvement actions due within 7 days (once per action and due date);
- a weekly digest of overdue actions to the members of each lead partner (once a week);
- to each person who chose one e-mail a day, the news held for them before today, in one
  e-mail (`hicm_portal.notify.digests_send`; once a day, as the news of a day is sent by the
  first run of the next).

Then it deletes the task worker's results that finished over a week ago
(`hicm_portal.email_tasks.task_results_prune`): they pile up otherwise, and being already
scheduled, this needs no job of its own.

It lives in the `home` app because it spans the assessments and improvement_plans apps.
Run it from cron, for example hourly:

    0 * * * *  cd /srv/hicm && .venv/bin/python manage.py send_reminders
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from assessments.round_services import reminders_send
from hicm_portal.email_tasks import KEEP_FINISHED_TASKS, task_results_prune
from hicm_portal.notify import digests_send
from improvement_plans.services import action_reminders_send, overdue_digest_send


class Command(BaseCommand):
    help = (
        "Send due-return reminders, due-action reminders, the weekly overdue digest and the "
        "daily e-mails of news; "
        "delete task results finished over a week ago."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List, but send nothing.")
        parser.add_argument("--today", help="Act as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, dry_run: bool, today: str | None, **options) -> None:
        try:
            day = date.fromisoformat(today) if today else None
        except ValueError as error:
            raise CommandError("--today must be a date like 2026-11-30") from error
        verb = "Would send" if dry_run else "Sent"
        for title, function in (
            ("Returns due", reminders_send),
            ("Actions due within 7 days", action_reminders_send),
            ("Weekly overdue digest", overdue_digest_send),
            ("Daily e-mails of news held back", digests_send),
        ):
            lines = function(today=day, dry_run=dry_run)
            self.stdout.write(f"{title}:")
            for line in lines:
                self.stdout.write(f"  {line}")
            self.stdout.write(f"  {verb} {len(lines)}.")
        pruned = task_results_prune(dry_run=dry_run)
        self.stdout.write(
            f"Task results finished over {KEEP_FINISHED_TASKS.days} days ago: "
            f"{'would delete' if dry_run else 'deleted'} {pruned}."
        )
