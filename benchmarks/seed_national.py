"""Create national-scale data: 150 systems in 9 regions at the portal's design size.

    python -m benchmarks.seed_national [--systems N] [--seed S] [--password P] [--dry-run]

Why: the portal is designed for one instance serving every system in England, and the
benchmark measures its pages against that much data (`make bench` seeds it by itself when
absent; this seeds it alone, on a migrated database with the frameworks loaded). The data is
deterministic for a seed, marked (`nat-` slugs, `@national.example` addresses) so the demo and
real systems are never touched, and built with bulk inserts in one transaction. Safe to run
again: when national data is present it changes nothing.
"""

import argparse
import os
import sys


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.seed_national",
        description="Create national-scale benchmark data (addresses: NAME@national.example), "
        "unless present.",
    )
    parser.add_argument("--systems", type=int, default=150, help="How many systems (150).")
    parser.add_argument(
        "--seed", type=int, default=1, help="Random seed: the same seed gives the same data."
    )
    parser.add_argument(
        "--password",
        help="Give every national person this password. Without it, one random password is "
        "printed once.",
    )
    parser.add_argument("--dry-run", action="store_true", help="Say whether data would be made.")
    return parser


def main(argv: list[str] | None = None, out=None) -> int:
    out = out or sys.stdout
    arguments = parser().parse_args(argv)
    if arguments.systems < 1:
        print("--systems must be at least 1.", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hicm_portal.settings")
    import django

    django.setup()
    from benchmarks import national

    if national.national_present():
        print(
            f"National data is already present ({national.national_systems().count()} systems, "
            "with the reference system); nothing was changed.",
            file=out,
        )
        return 0
    if arguments.dry_run:
        print(
            f"Would create {arguments.systems} national systems with seed {arguments.seed}.",
            file=out,
        )
        return 0
    result = national.seed_national(
        systems=arguments.systems,
        seed=arguments.seed,
        password=arguments.password,
        progress=lambda text: print(f"  {text}", file=out, flush=True),
    )
    print(
        f"Created {result.systems} national systems and the reference system "
        f"in {result.seconds:.1f} s.",
        file=out,
    )
    for label, count in sorted(result.counts.items()):
        print(f"  {label:48} {count:>9,}", file=out)
    if arguments.password is None:
        print(f"Password for every national account: {result.password}", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
