"""Create national-scale data: 150 systems in 9 regions at the portal's design size.

Why: the portal is designed for one instance serving every system in England, and `make bench`
measures its pages against that much data. The data is deterministic for a seed, marked
(`nat-` slugs, `@national.example` addresses) so the demo and real systems are never touched,
and built with bulk inserts in one transaction, so it takes minutes on SQLite or PostgreSQL.
Safe to run again: when national data is present it changes nothing.
"""

from django.core.management.base import BaseCommand, CommandError

from hicm_portal.national import DOMAIN, national_present, national_systems, seed_national


class Command(BaseCommand):
    help = f"Create national-scale benchmark data (addresses: NAME@{DOMAIN}), unless present."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--systems", type=int, default=150, help="How many systems (default 150)."
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="Random seed: the same seed gives the same data."
        )
        parser.add_argument(
            "--password",
            help="Give every national person this password. Without it, one random password "
            "is printed once.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say whether data would be created."
        )

    def handle(
        self, *args, systems: int, seed: int, password: str | None, dry_run: bool, **options
    ) -> None:
        if systems < 1:
            raise CommandError("--systems must be at least 1.")
        if national_present():
            self.stdout.write(
                f"National data is already present ({national_systems().count()} systems, "
                "with the reference system); nothing was changed."
            )
            return
        if dry_run:
            self.stdout.write(f"Would create {systems} national systems with seed {seed}.")
            return
        result = seed_national(
            systems=systems,
            seed=seed,
            password=password,
            progress=lambda text: self.stdout.write(f"  {text}"),
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {result.systems} national systems and the reference system "
                f"in {result.seconds:.1f} s."
            )
        )
        for label, count in sorted(result.counts.items()):
            self.stdout.write(f"  {label:48} {count:>9,}")
        if password is None:
            self.stdout.write(
                self.style.WARNING(f"Password for every national account: {result.password}")
            )
