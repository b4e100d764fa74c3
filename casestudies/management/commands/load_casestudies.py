"""Load the practice library's case studies from YAML files.

Why: the portal ships with worked examples, so that the "practice from elsewhere" beside each
change is useful from the first day. Case studies are data, never code; this command is how
they reach the database, in `make run` and on deploy. It is safe to run again and again: a
case study already loaded (by slug) is left as it is, unless --update is given, and a bad file
changes nothing at all. Run it after load_frameworks: case studies name the changes they show.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casestudies.loader import CaseStudyFileError, load_case_study_files
from hicm_portal.yaml_files import DataFileError, yaml_paths


class Command(BaseCommand):
    help = "Load case study files (default: fixtures/casestudies/*.yaml). All or nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="*", help="YAML files or folders to load.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report, but write nothing."
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="Replace case studies already loaded with the files' content.",
        )

    def handle(self, *args, paths: list[str], dry_run: bool, update: bool, **options) -> None:
        try:
            files = yaml_paths(paths, settings.BASE_DIR / "fixtures" / "casestudies")
        except DataFileError as error:
            raise CommandError(str(error)) from error
        if not files:
            raise CommandError("No case study files (*.yaml) found.")
        try:
            results = load_case_study_files(files, dry_run=dry_run, update=update)
        except CaseStudyFileError as error:
            raise CommandError(f"Nothing was loaded. {error}") from error
        counts = dict.fromkeys(("created", "updated", "unchanged"), 0)
        for result in results:
            counts[result.outcome] += 1
            if options["verbosity"] > 1:
                self.stdout.write(result.message)
        self.stdout.write(
            self.style.SUCCESS(
                f"Case studies: {counts['created']} created, {counts['updated']} updated, "
                f"{counts['unchanged']} already loaded and left as they are."
            )
        )
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
