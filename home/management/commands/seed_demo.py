"""Create the demo system "Northshire" with its people, rounds and plan, so a newcomer can
try every role.

Why: `make run` should show a working portal straight away. Safe to run again: it completes
what is missing and leaves existing passwords alone unless --password is given. It lives in
the `home` app because it spans the assessments and improvement_plans apps.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from assessments.demo import DEMO_DOMAIN, SYSTEM, demo_address, seed_demo
from assessments.models import System
from improvement_plans.demo import seed_plan_demo
from regions.demo import seed_region_demo


class Command(BaseCommand):
    help = "Create the demo system Northshire and its users (addresses: NAME@northshire.example)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--password",
            help="Give every demo user this password. Without it, new users share one random "
            "password printed once, and existing users keep theirs.",
        )

    def handle(self, *args, password: str | None, **options) -> None:
        result = seed_demo(password=password)
        northshire = System.objects.get(slug=SYSTEM[1])
        result.notes += seed_plan_demo(northshire)
        # Five fictional systems beside Northshire, so the region's pages show distributions.
        administrator = get_user_model().objects.get(email=demo_address("admin"))
        result.notes += seed_region_demo(northshire.region, administrator)
        self.stdout.write(self.style.SUCCESS("Demo system Northshire is ready."))
        self.stdout.write(f"Every demo address is NAME@{DEMO_DOMAIN}. The accounts:")
        for address, what in result.accounts:
            self.stdout.write(f"  {address:42} {what}")
        for note in result.notes:
            self.stdout.write(note)
        if result.password:
            self.stdout.write(
                self.style.WARNING(f"Password for every demo account: {result.password}")
            )
            if password is None:
                self.stdout.write(
                    "It is shown only now. Run seed_demo --password P to set your own."
                )
        else:
            self.stdout.write(
                "The demo already existed, so passwords were not changed "
                "(run seed_demo --password P to set them)."
            )
        self.stdout.write(
            f"Log in at {settings.PORTAL_URL}/accounts/login/ as, for example, "
            f"facilitator@{DEMO_DOMAIN}."
        )
        if settings.SECOND_FACTOR_REQUIRED:
            self.stdout.write(
                "The site administrator, the facilitator and the regional and national viewers "
                "must set up an authenticator app the first time they log in: the portal shows a "
                "QR code to scan with one (or a setup key to type in). Partner members and the "
                "steering committee are not asked. To try the demo without an authenticator "
                "app, start it with SECOND_FACTOR_REQUIRED=0 make run."
            )
