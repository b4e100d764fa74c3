"""Print the per-change counts of agreed levels, for scheduled reporting: the same numbers as
the region and national summary pages (`regions.selectors.levels_summary`).

    manage.py levels_summary --framework mtoc-2020
    manage.py levels_summary --framework mtoc-2020 --region north-east --as-of 2025-03-31
    manage.py levels_summary --framework mtoc-2020 --period "2024/25" --crosswalk --format json

One row per change, in the framework's order, with the columns `change`, `title`, one per level
(named by the level's name: how many systems are at it), `established_or_better`, `median` and
`systems` (how many systems have an agreed or recorded level for the change). Every system, or
the region's; only agreed rounds (rounds recorded afterwards included) are counted.
"""

import json

import tablib
from django.core.management.base import BaseCommand, CommandError

from assessments.models import Framework, Region, System
from hicm_portal import spreadsheets
from hicm_portal.words import parse_date
from regions.selectors import levels_summary, summary_table


class Command(BaseCommand):
    help = "Print how many systems are at each level of each change (CSV or JSON)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--framework", required=True, help="The framework's key.")
        parser.add_argument("--region", help="A region's slug (default: every system).")
        when = parser.add_mutually_exclusive_group()
        when.add_argument(
            "--as-of", dest="as_of", help="Count rounds agreed on or before this date."
        )
        when.add_argument("--period", help="Count each system's agreed round of this name.")
        parser.add_argument(
            "--format", choices=["csv", "json"], default="csv", dest="output_format"
        )
        parser.add_argument(
            "--crosswalk",
            action="store_true",
            help="Carry levels agreed on earlier editions over the crosswalk.",
        )

    def handle(
        self, *args, framework, region, as_of, period, output_format, crosswalk, **options
    ) -> None:
        chosen = Framework.objects.filter(key=framework).first()
        if chosen is None:
            keys = ", ".join(Framework.objects.order_by("key").values_list("key", flat=True))
            raise CommandError(f"No framework {framework!r}. The frameworks are: {keys}.")
        systems = None
        if region:
            place = Region.objects.filter(slug=region).first()
            if place is None:
                raise CommandError(f"No region {region!r}.")
            systems = System.objects.filter(region=place)
        day = None
        if as_of:
            try:
                day = parse_date(as_of)
            except ValueError as error:
                raise CommandError(f"--as-of: {error}") from error
        summaries = levels_summary(
            framework=chosen, systems=systems, as_of=day, period=period, crosswalk=crosswalk
        )
        headers, rows = summary_table(chosen, summaries)
        if output_format == "json":
            records = [dict(zip(headers, row, strict=True)) for row in rows]
            self.stdout.write(json.dumps(records, indent=2, ensure_ascii=False))
            return
        dataset = tablib.Dataset(*rows, headers=headers)
        self.stdout.write(spreadsheets.dataset_csv(dataset), ending="")
