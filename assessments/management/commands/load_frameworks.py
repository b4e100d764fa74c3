"""Load the framework library from YAML files.

Why: frameworks are data, never code. This command is how a new or corrected framework file
reaches the database, on every deploy and in `make run`. It is safe to run again and again:
equal or older versions change nothing, and a bad file changes nothing at all (every problem of
every file is named). The framework library's upload pages load through the same loader
(`assessments.framework_loader.document_load`).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assessments.framework_loader import FrameworkFileError, load_framework_files
from hicm_portal.yaml_files import DataFileError, yaml_paths


class Command(BaseCommand):
    help = "Load framework files (default: fixtures/frameworks/*.yaml). All or nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="*", help="YAML files or folders to load.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report, but write nothing."
        )

    def handle(self, *args, paths: list[str], dry_run: bool, **options) -> None:
        try:
            files = yaml_paths(paths, settings.BASE_DIR / "fixtures" / "frameworks")
        except DataFileError as error:
            raise CommandError(str(error)) from error
        if not files:
            raise CommandError("No framework files (*.yaml) found.")
        try:
            results = load_framework_files(files, dry_run=dry_run)
        except FrameworkFileError as error:
            raise CommandError(f"Nothing was loaded. {error}") from error
        for result in results:
            style = self.style.SUCCESS if result.outcome in ("created", "updated") else str
            self.stdout.write(style(result.message))
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
