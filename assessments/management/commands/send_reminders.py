"""E-mail partners whose return is due within 3 days or overdue.

Why: facilitators should not have to chase returns by hand. Run it from cron as often as you
like (for example hourly): each partner gets at most one reminder a day per round.

    0 * * * *  cd /srv/hicm && .venv/bin/python manage.py send_reminders
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from assessments.round_services import reminders_send


class Command(BaseCommand):
    help = "E-mail partners whose return is due within 3 days or overdue (once a day at most)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List, but send nothing.")
        parser.add_argument("--today", help="Act as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, dry_run: bool, today: str | None, **options) -> None:
        try:
            day = date.fromisoformat(today) if today else None
        except ValueError as error:
            raise CommandError("--today must be a date like 2026-11-30") from error
        lines = reminders_send(today=day, dry_run=dry_run)
        for line in lines:
            self.stdout.write(line)
        verb = "Would remind" if dry_run else "Reminded"
        self.stdout.write(f"{verb} {len(lines)} partner return(s).")
