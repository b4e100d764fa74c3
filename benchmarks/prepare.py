"""Getting the database and the static files ready before anything is measured."""

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

from benchmarks import national
from benchmarks.server import server_environment


def prepare_database(
    *, systems: int, seed: int, say: Callable[[str], None]
) -> tuple[int, float | None]:
    """Migrate, load frameworks and case studies, and seed national data when absent.
    Returns how many national systems there are, and how long seeding took (None when the
    data was already there)."""
    with open(os.devnull, "w") as quiet:
        call_command("migrate", interactive=False, verbosity=0, stdout=quiet)
        call_command("load_frameworks", verbosity=0, stdout=quiet)
        try:
            call_command("load_casestudies", verbosity=0, stdout=quiet)
        except Exception as error:  # noqa: BLE001 - the library is optional for the benchmark
            say(f"Case studies not loaded ({error}); pages show none.")
    if national.national_present():
        count = national.national_systems().exclude(slug=national.REFERENCE_SLUG).count()
        say(f"National data present: {count} systems.")
        if count != systems:
            say(f"Note: {systems} systems were asked for; measuring the {count} present.")
        return count, None
    say(f"Seeding national data: {systems} systems (seed {seed})...")
    result = national.seed_national(
        systems=systems, seed=seed, progress=lambda text: say(f"  {text}")
    )
    say(f"Seeded in {result.seconds:.1f} s.")
    return systems, result.seconds


def static_up_to_date() -> bool:
    """The manifest is newer than every static source file."""
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        return False
    built = manifest.stat().st_mtime
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            if os.path.getmtime(storage.path(path)) > built:
                return False
    return True


def collect_static(say: Callable[[str], None]) -> None:
    if static_up_to_date():
        say("Static files are up to date.")
        return
    say("Collecting static files...")
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=settings.BASE_DIR,
        env=server_environment(),
        check=True,
    )
