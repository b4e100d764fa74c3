"""Write a backup of the portal to one file: `manage.py backup --output FILE`.

Why: the data must survive the loss of the database server. One command writes every table's
rows (history and audit trail included) and the stored documents into a zip that
`manage.py restore` loads into an empty database, on PostgreSQL or SQLite. The work is in
`hicm_portal.backups`; this shell only reads the options and reports.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hicm_portal.backups import BackupError, backed_up_models, backup_write


class Command(BaseCommand):
    help = "Write a backup of every table and stored document to a zip file."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output", required=True, help="The file to write (it must not exist yet)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be backed up; write nothing."
        )

    def handle(self, *args, output: str, dry_run: bool, verbosity: int, **options) -> None:
        path = Path(output)
        if dry_run:
            models = backed_up_models()
            rows = sum(model._base_manager.count() for model in models)
            self.stdout.write(f"Would back up {rows} rows in {len(models)} tables to {path}.")
            return

        def progress(text: str) -> None:
            if verbosity > 1:
                self.stdout.write(text)

        try:
            result = backup_write(path=path, progress=progress)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {result.rows} rows in {len(result.tables)} tables and "
                f"{result.files} stored files to {result.path} "
                f"({result.path.stat().st_size / 1_000_000:.1f} MB)."
            )
        )
        for name in result.missing_files:
            self.stderr.write(self.style.WARNING(f"Stored file missing, not backed up: {name}"))
