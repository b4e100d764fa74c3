"""How long a national file of past returns takes to import, and how much memory it holds.

    python -m benchmarks.import_returns [--areas N] [--format xlsx|csv] [--seed S]
    make bench-import

Why: the issue's budget is a national file (150 areas × 8 changes, 1,200 level rows, with
investments) imported within a minute with bounded memory. This makes a scratch SQLite database
in a temporary folder (migrated, the frameworks loaded, one site administrator), writes such a
file there, then times reading and checking it (the preview) and importing it
(`--create-systems`, so every area's system is made from the reference list, as on a first
national import), as `manage.py import_returns` does, and prints the seconds; then
it reads the file again (finding nothing to change) with Python's allocations traced, and
prints the most it held, and the process's peak resident size. The levels are random, so the
folder, with its file and database, is deleted at the end. It never touches the configured
database.
"""

import argparse
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

CHANGES = 8  # the 2017 model's
FRAMEWORK = "mtoc-2017"
LEVEL_NAMES = ["Not yet established", "Plans in place", "Established", "Mature", "Exemplary"]
SOURCES = ["bcf", "ibcf", "dfg", "discharge", "other"]


def peak_mb() -> float:
    """The process's peak resident size so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def national_rows(areas: list[str], seed: int) -> tuple[list[list], list[list]]:
    """The levels and investments of one period for each area: random levels, a planned level
    at or above each, and two schemes an area, one allocated across two changes."""
    chance = random.Random(seed)
    levels, investments = [], []
    for code in areas:
        for change in range(1, CHANGES + 1):
            number = chance.randint(1, 5)
            planned = chance.randint(number, 5)
            levels.append(
                [
                    code,
                    "2019/20",
                    FRAMEWORK,
                    str(change),
                    LEVEL_NAMES[number - 1] if change % 2 else str(number),
                    LEVEL_NAMES[planned - 1],
                    "31 March 2020",
                    "12/09/2019",
                ]
            )
        first, second = chance.sample(range(1, CHANGES + 1), 2)
        amount = chance.randrange(50, 500) * 1000
        investments.append(
            [
                code,
                "2019/20",
                "Discharge to assess",
                chance.choice(SOURCES),
                f"£{amount:,}",
                f"{first};{second}",
                f"{amount - 20000:,};20,000",
            ]  # fmt: skip
        )
        investments.append([code, "2019/20", "Trusted assessors", "bcf", "75000", str(first), ""])
    return levels, investments


LEVEL_HEADINGS = [
    "area_code", "period", "framework", "change", "level", "planned_level", "planned_by",
    "agreed_on",
]  # fmt: skip
INVESTMENT_HEADINGS = [
    "area_code", "period", "scheme", "source", "amount", "changes", "allocation",
]  # fmt: skip


def write_file(folder: Path, file_format: str, levels: list, investments: list) -> Path:
    if file_format == "csv":
        import csv

        path = folder / "national.csv"
        with path.open("w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(LEVEL_HEADINGS)
            writer.writerows(levels)
        return path
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, headings, rows in (
        ("levels", LEVEL_HEADINGS, levels),
        ("investments", INVESTMENT_HEADINGS, investments),
    ):
        sheet = workbook.create_sheet(title)
        sheet.append(headings)
        for row in rows:
            sheet.append(row)
    path = folder / "national.xlsx"
    workbook.save(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.import_returns")
    parser.add_argument("--areas", type=int, default=150, help="Areas in the file (150).")
    parser.add_argument("--format", dest="file_format", choices=["xlsx", "csv"], default="xlsx")
    parser.add_argument("--seed", type=int, default=1, help="Seed for the levels (1).")
    arguments = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="hicm-import-bench-") as tmp:
        folder = Path(tmp)
        # A scratch database, whatever DATABASE_URL says; DEBUG off, so no query is kept.
        os.environ.update(
            DJANGO_SETTINGS_MODULE="hicm_portal.settings",
            DATABASE_URL=f"sqlite:///{folder / 'scratch.sqlite3'}",
            DEBUG="0",
            SECRET_KEY="import-bench-only-" + "0" * 50,
            ALLOWED_HOSTS="127.0.0.1",
        )
        import django

        django.setup()
        from django.core.management import call_command

        from assessments.areas import hwb_areas
        from hicm_portal.models import User
        from improvement_plans.history_import import past_returns_import, past_returns_read

        with open(os.devnull, "w") as quiet:
            call_command("migrate", interactive=False, verbosity=0, stdout=quiet)
            call_command("load_frameworks", verbosity=0, stdout=quiet)
        admin = User.objects.create_superuser(email="bench@import.example", password=None)
        areas = [area.code for area in hwb_areas()[: arguments.areas]]
        if len(areas) < arguments.areas:
            print(f"The reference list has {len(areas)} areas; using them all.")
        levels, investments = national_rows(areas, arguments.seed)
        path = write_file(folder, arguments.file_format, levels, investments)
        data = path.read_bytes()
        print(
            f"{path.name}: {len(areas)} areas, {len(levels):,} level rows, "
            f"{len(investments) if arguments.file_format == 'xlsx' else 0:,} investment rows, "
            f"{len(data) / 1024:,.0f} KB."
        )

        started = time.perf_counter()
        past_returns = past_returns_read(
            data=data, filename=path.name, actor=admin, systems=None, create_systems=True
        )
        read_seconds = time.perf_counter() - started
        if past_returns.has_problems:
            print("\n".join(past_returns.messages[:20]), file=sys.stderr)
            return 1
        imported = past_returns_import(actor=admin, past_returns=past_returns)
        total_seconds = time.perf_counter() - started
        print(
            f"Preview (read and check): {read_seconds:.1f} s; preview and import: "
            f"{total_seconds:.1f} s ({len(imported.rounds)} rounds, {len(imported.schemes)} "
            f"schemes, {imported.systems_created} systems created)."
        )
        # The same file again, now with Python's allocations traced (tracing slows it down, so
        # the import above was timed without it): everything is already in the portal.
        tracemalloc.start()
        started = time.perf_counter()
        again = past_returns_read(
            data=data, filename=path.name, actor=admin, systems=None, create_systems=True
        )
        again_seconds = time.perf_counter() - started
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"The same file again: {again_seconds:.1f} s (traced) to find "
            f"{'nothing to change' if again.changes_nothing else 'changes (unexpected)'}, "
            f"holding at most {traced_peak / 1024 / 1024:.1f} MB of Python objects."
        )
        print(f"Peak resident size of the whole process: {peak_mb():.0f} MB.")
        return 0 if total_seconds < 60 and again.changes_nothing else 1


if __name__ == "__main__":
    sys.exit(main())
