"""Import past BCF returns: each area and period of the file becomes a round recorded
afterwards, with its schemes in the round's plan.

Why: a system starting with the portal has years of High Impact Change Model levels in its
BCF plans and returns, and the national team holds them for every area. This loads such a file
(CSV, or .xlsx with a sheet `levels` and an optional sheet `investments`; README,
"Administration and imports") as the portal's import pages do, through the same services.

    manage.py import_returns returns.xlsx --dry-run
    manage.py import_returns returns.xlsx --create-systems --actor admin@example.org

The file is checked in full first; with --dry-run, or when it has any problem, nothing is
written and every problem is listed (the exit status is then 1). Otherwise everything is
written in one transaction. Rounds already in the portal with the same levels are skipped, so
importing a file again changes nothing. The rounds' audit trails name the site administrator
given with --actor; without it, the portal's only superuser, if it has exactly one.
"""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from hicm_portal.models import User
from improvement_plans.history_import import PastReturns, past_returns_import, past_returns_read

ACTOR_NEEDED = (
    "Name the site administrator who records the rounds with --actor EMAIL (the portal has "
    "{count} superusers, so it cannot choose one)."
)
ACTOR_UNKNOWN = "There is no active site administrator with the address {email}."


class Command(BaseCommand):
    help = "Import past BCF returns (levels and investments) as rounds recorded afterwards."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The .csv or .xlsx file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and say what it would do."
        )
        parser.add_argument(
            "--create-systems",
            action="store_true",
            help="Create a system for each area code no system has, from the reference list.",
        )
        parser.add_argument(
            "--actor",
            metavar="EMAIL",
            help="The site administrator recorded as importing (default: the only superuser).",
        )

    def handle(self, *args, file, dry_run, create_systems, actor, **options) -> None:
        person = self.actor(actor)
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        past_returns = past_returns_read(
            data=data,
            filename=path.name,
            actor=person,
            systems=None,
            create_systems=create_systems,
        )
        self.preview(past_returns)
        if past_returns.has_problems:
            raise CommandError(
                f"{len(past_returns.problems)} problem"
                f"{'s' if len(past_returns.problems) != 1 else ''}: nothing was imported."
            )
        if dry_run:
            self.stdout.write("Dry run: nothing was imported.")
            return
        try:
            imported = past_returns_import(actor=person, past_returns=past_returns)
        except (ValidationError, PermissionDenied) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            raise CommandError("Nothing was imported: " + " ".join(messages)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported: {len(imported.rounds)} rounds recorded afterwards "
                f"({imported.rounds_skipped} already in the portal), {len(imported.schemes)} "
                f"schemes added ({imported.schemes_skipped} already in the portal), "
                f"{imported.systems_created} systems created."
            )
        )

    def actor(self, email: str | None) -> User:
        """The site administrator named, or the only superuser."""
        active = User.objects.filter(is_active=True)
        if email:
            person = active.filter(email__iexact=email.strip(), is_staff=True).first()
            if person is None:
                raise CommandError(ACTOR_UNKNOWN.format(email=email))
            return person
        superusers = list(active.filter(is_superuser=True, is_staff=True)[:2])
        if len(superusers) != 1:
            raise CommandError(ACTOR_NEEDED.format(count="no" if not superusers else "several"))
        return superusers[0]

    def preview(self, past_returns: PastReturns) -> None:
        """Per round and scheme what would be done, then every problem."""
        write = self.stdout.write
        for place in past_returns.systems_to_create:
            write(f"Create system  {place.label} ({place.area.code}, {place.area.region_name})")
        for planned in past_returns.rounds:
            action = _action(planned, "Record round")
            write(f"{action:<30} {planned.label} ({len(planned.rows)} rows)")
        for scheme in past_returns.schemes:
            write(f"{_action(scheme, 'Add scheme'):<30} {scheme.label}")
        for problem in past_returns.problems:
            self.stderr.write(f"Problem: {problem}")


def _action(planned, doing: str) -> str:
    """What the import does with a round or scheme of the file."""
    if planned.has_problems:
        return "Has problems (see below)"
    return "Skip (already in the portal)" if planned.skipped else doing
