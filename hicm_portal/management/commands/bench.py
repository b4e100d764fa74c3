"""Measure the key pages under gunicorn against national-scale data: `make bench`.

Why: the portal is designed for one instance serving every system in England, and DESIGN §8
sets budgets for it. This seeds the national data when absent (see `seed_national`), collects
static files, starts gunicorn with DEBUG off and two workers, drives each page with locust at a
fixed concurrency, and prints requests per second, p50/p95 latency, throughput against the
baseline page, SQL queries per request, the return PDF's render time and the workers' peak
memory; `--json` writes the same figures to a file. It stops everything it started, even when
interrupted. It runs on the configured database: SQLite by default, PostgreSQL with DATABASE_URL.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hicm_portal.bench import CONCURRENCY, Settings, format_report, report_json, run_bench


class Command(BaseCommand):
    help = "Benchmark the key pages under gunicorn against national-scale data."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", dest="json_path", help="Write the figures as JSON here.")
        parser.add_argument(
            "--quick",
            action="store_true",
            help="A smoke run: 3 systems when seeding, 1 s per page.",
        )
        parser.add_argument("--systems", type=int, help="Systems to seed when absent (150).")
        parser.add_argument("--seed", type=int, default=1, help="Seed for the national data.")
        parser.add_argument("--seconds", type=float, help="Seconds of load per page (10).")
        parser.add_argument(
            "--concurrency",
            type=int,
            default=CONCURRENCY,
            help=f"Concurrent users of the load generator ({CONCURRENCY}).",
        )
        parser.add_argument(
            "--strict", action="store_true", help="Exit with status 1 when a budget is missed."
        )

    def handle(self, *args, json_path, quick, systems, seed, seconds, concurrency, strict, **_):
        options = Settings.quick() if quick else Settings()
        options.seed = seed
        options.concurrency = concurrency
        if systems is not None:
            options.systems = systems
        if seconds is not None:
            options.seconds = seconds
        if options.systems < 1 or options.seconds <= 0 or options.concurrency < 1:
            raise CommandError("--systems, --seconds and --concurrency must be positive.")

        def say(text: str) -> None:
            self.stdout.write(text)
            self.stdout.flush()

        try:
            report = run_bench(options, say)
        except KeyboardInterrupt:
            self.stderr.write("Interrupted: everything the bench started has been stopped.")
            sys.exit(130)
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        self.stdout.write("")
        self.stdout.write(format_report(report))
        if json_path:
            path = Path(json_path)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(report_json(report))
            self.stdout.write(f"Figures written to {path}.")
        if strict and not report.budgets_met:
            raise CommandError("A budget was missed.")
