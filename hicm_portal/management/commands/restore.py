"""Load a backup written by `manage.py backup`: `manage.py restore FILE`.

Why: a backup is only as good as its restore. This loads every row with its id, in one
transaction, into an empty database (`--force` deletes every row first), resets the sequences,
then checks each table's count and content against the backup's manifest; any difference rolls
it all back. It adds no history rows. `--dry-run` does everything and then rolls back, so a
backup can be tested on a scratch database. The work is in `hicm_portal.backups`.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hicm_portal.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup into an empty database, checked against its manifest."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The backup file (a zip written by manage.py backup).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Delete every row in the database first (without it, a database that holds "
            "any row is refused).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Load and check everything, then roll back: a test of the backup.",
        )

    def handle(
        self, *args, file: str, force: bool, dry_run: bool, verbosity: int, **options
    ) -> None:
        def progress(text: str) -> None:
            if verbosity > 1:
                self.stdout.write(text)

        try:
            result = backup_restore(
                path=Path(file), force=force, dry_run=dry_run, progress=progress
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        what = (
            f"{result.rows} rows in {result.tables} tables and {result.files} stored files "
            f"from the backup of {result.created_at}"
        )
        if result.dry_run:
            self.stdout.write(
                self.style.SUCCESS(f"Dry run: {what} load and match the manifest; rolled back.")
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Restored {what}; every table matches the manifest.")
            )
