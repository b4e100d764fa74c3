"""Measure the portal against DESIGN §8's budgets at national scale: `make bench`.

    python -m benchmarks.run [--quick] [--strict] [--json FILE] [--systems N] ...

Why: the portal is designed for one instance serving every system in England. This seeds the
national data when absent (see `benchmarks.seed_national`), starts gunicorn with DEBUG off and
two workers, measures every key page built afresh (served alone, and under a fixed
concurrency) against the baseline page, plays a deadline day with locust, counts each page's
queries and times the return PDF; it prints a table with a PASS/MISS verdict per row and the
machine's load average at the start, and `--json` writes the same figures. `--strict` exits
with status 1 when a budget is missed. It stops everything it started, even when interrupted.
It runs on the configured database: SQLite unless DATABASE_URL is set.
"""

import argparse
import os
import sys
from pathlib import Path

from benchmarks.options import Options

EXIT_FAILED = 2
EXIT_INTERRUPTED = 130


def parser() -> argparse.ArgumentParser:
    defaults = Options()
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description="Measure the key pages under gunicorn against national-scale data.",
    )
    parser.add_argument("--json", dest="json_path", help="Write the figures as JSON here.")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="A smoke run: 3 systems when seeding, fewer samples, 15 s of deadline day.",
    )
    parser.add_argument(
        "--strict", action="store_true", help="Exit with status 1 when a budget is missed."
    )
    parser.add_argument(
        "--systems", type=int, help=f"Systems to seed when absent ({defaults.systems})."
    )
    parser.add_argument("--seed", type=int, help=f"Seed for the data ({defaults.seed}).")
    parser.add_argument(
        "--samples", type=int, help=f"Requests a page, served alone ({defaults.samples})."
    )
    parser.add_argument(
        "--seconds", type=int, help=f"Seconds of throughput a page ({defaults.seconds})."
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        help=f"Users asking at once for throughput ({defaults.concurrency}).",
    )
    parser.add_argument(
        "--deadline-seconds",
        type=int,
        help=f"Seconds of deadline day ({defaults.deadline_seconds}; --quick 15).",
    )
    return parser


def options_from(arguments: argparse.Namespace) -> Options:
    options = Options.quick() if arguments.quick else Options()
    for name in ("systems", "seed", "samples", "seconds", "concurrency", "deadline_seconds"):
        value = getattr(arguments, name)
        if value is not None:
            setattr(options, name, value)
    return options


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    options = options_from(arguments)
    if problems := options.problems():
        print("; ".join(problems), file=sys.stderr)
        return EXIT_FAILED

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hicm_portal.settings")
    import django

    django.setup()
    from benchmarks.measure import run_bench
    from benchmarks.report import exit_code, format_report, report_json

    def say(text: str) -> None:
        print(text, flush=True)

    try:
        report = run_bench(options, say)
    except KeyboardInterrupt:
        print("Interrupted: everything the benchmark started has been stopped.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except RuntimeError as error:
        print(f"The benchmark could not run: {error}", file=sys.stderr)
        return EXIT_FAILED
    print()
    print(format_report(report))
    if arguments.json_path:
        path = Path(arguments.json_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(report_json(report))
        print(f"Figures written to {path}.")
    code = exit_code(report, strict=arguments.strict)
    if code:
        print("A budget was missed (--strict).", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
