"""The investments sheet of a file of past returns, read and checked: one scheme for each area,
period and scheme name, joining the plan of its round (in the same file, or agreed and already
in the portal), and every problem, named by row and column. Nothing is written here.

Columns: `area_code` or `system`, `period`, `scheme`, `source`, `amount`, `changes` (codes
separated by ";"), and optionally `allocation` (amounts in the order of `changes`, adding up to
the scheme's total). A scheme with several funding lines takes a row per line, its changes and
allocation on the first. Each scheme is checked by the plan's own rules
(`services.check_investment`), and the rounds and schemes already in the portal are read in a
few queries. A scheme already in the round's plan with the same money and changes is skipped;
one with the same name but other money is an error, never overwritten.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError

from assessments.history_import import (
    INVESTMENTS_SHEET,
    FrameworkLookup,
    Place,
    Places,
    PlannedRound,
    Problem,
    Record,
)
from assessments.history_import.levels import PERIOD_MISSING
from assessments.models import Change, Round, System
from hicm_portal.money import parse_amount, pounds
from hicm_portal.words import possessive
from improvement_plans.models import Investment, financial_year_of
from improvement_plans.services import FundingLineInput, InvestmentInput, check_investment

CHANGES_SEPARATOR = ";"

# What people are told, in GOV.UK style. A row's problem is shown after
# "Sheet investments, row 5, column amount: ".
SCHEME_MISSING = "Enter the scheme's name"
SOURCE_UNKNOWN = "{text} is not a funding source. Use one of: {sources}"
SOURCE_MISSING = "Enter the funding source: one of {sources}"
CHANGES_MISSING = "Enter the codes of the changes the scheme serves, separated by ;"
CHANGE_UNKNOWN = "There is no change {code} in {framework}"
ALLOCATION_BAD = "Allocation {number}: {problem}"
LATER_ROW_CHANGES = (
    "Scheme {scheme} serves the changes in row {row}: give its changes on its first row only"
)
LATER_ROW_ALLOCATION = (
    "Scheme {scheme} is allocated in row {row}: give its allocation on its first row only"
)
ROUND_MISSING = "{place} has no round called {name} in this file or in the portal"
ROUND_NOT_AGREED = (
    "{place} round {name} is not agreed yet: schemes join the plan of an agreed round"
)
NO_RIGHT_TO_PLAN = "You cannot add schemes to {place} plans: only its facilitators can"
SCHEME_DIFFERS = (
    "{round} already has a scheme called {scheme} with other funding or changes "
    "({there}). An import never changes a scheme: correct the rows, or remove them"
)
# check_investment's fields, as the investments sheet's columns.
COLUMN_OF_FIELD = {
    "scheme_name": "scheme",
    "financial_year": "period",
    "lines": "amount",
    "changes": "changes",
    "allocation": "allocation",
}
FINANCIAL_YEAR = re.compile(r"20\d\d/\d\d")


@dataclass
class PlannedScheme:
    """One scheme of the investments sheet: the rows of one area, period and scheme name."""

    place: Place
    period: str
    scheme_name: str
    first_row: int
    change_codes: list[str]
    allocation: list[Decimal] | None
    lines: list[FundingLineInput] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # every row of the sheet for it
    has_problems: bool = False  # some of its rows have problems
    changes: list[Change] = field(default_factory=list)
    financial_year: str = ""
    in_portal: Round | None = None  # the round, when it is in the portal already
    existing: Investment | None = None  # the same scheme in that plan: skipped

    @property
    def round_key(self) -> tuple[str, str]:
        return (self.place.key, self.period)

    @property
    def label(self) -> str:
        return f"{self.scheme_name} ({self.place.label} {self.period})"

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0"))

    @property
    def skipped(self) -> bool:
        return self.existing is not None

    def data(self) -> InvestmentInput:
        return InvestmentInput(
            scheme_name=self.scheme_name,
            financial_year=self.financial_year,
            lines=list(self.lines),
            changes=list(self.changes),
            allocation=list(self.allocation) if self.allocation is not None else None,
        )


def _sources() -> dict[str, str]:
    """Funding sources by value or name, in any case: "bcf", "Better Care Fund", "iBCF"."""
    found = {}
    for value, label in Investment.Source.choices:
        found[value.casefold()] = value
        found[str(label).casefold()] = value
    return found


class SchemesReader:
    """Reads the investments sheet's records into schemes, collecting every problem."""

    def __init__(
        self,
        *,
        places: Places,
        lookup: FrameworkLookup,
        rounds: dict[tuple[str, str], PlannedRound],
        actor,
    ):
        self.places = places
        self.lookup = lookup
        self.rounds = rounds
        self.actor = actor
        self.schemes: dict[tuple[str, str, str], PlannedScheme] = {}
        self.problems: list[Problem] = []
        self.sources = _sources()
        self.source_names = ", ".join(Investment.Source.values)

    def add(self, message: str, row: int, column: str = "") -> None:
        self.problems.append(Problem(message, row, column, INVESTMENTS_SHEET))

    def read(self, records: Iterable[Record]) -> None:
        for record in records:
            self.read_record(record)
        self.find_rounds()
        for scheme in self.schemes.values():
            self.check_scheme(scheme)
        self.find_existing()
        rows_with_problems = {problem.row for problem in self.problems}
        for scheme in self.schemes.values():
            scheme.has_problems = not rows_with_problems.isdisjoint(scheme.rows)

    def read_record(self, record: Record) -> None:
        number = record.number

        def problem(column: str, message: str) -> None:
            self.add(message, number, column)

        before = len(self.problems)
        place = self.places.find(record, problem)
        period = record.text("period")
        if not period:
            problem("period", PERIOD_MISSING)
        scheme_name = " ".join(record.text("scheme").split())
        if not scheme_name:
            problem("scheme", SCHEME_MISSING)
        source_text = record.text("source")
        source = self.sources.get(" ".join(source_text.split()).casefold())
        if not source_text:
            problem("source", SOURCE_MISSING.format(sources=self.source_names))
        elif source is None:
            problem("source", SOURCE_UNKNOWN.format(text=source_text, sources=self.source_names))
        amount = None
        try:
            amount = parse_amount(record.text("amount"))
        except ValueError as error:
            problem("amount", str(error))
        codes = [c.strip() for c in record.text("changes").split(CHANGES_SEPARATOR) if c.strip()]
        allocation = self._allocation(record.text("allocation"), problem)
        if place is None or not period or not scheme_name:
            return
        key = (place.key, period, scheme_name.casefold())
        scheme = self.schemes.get(key)
        if scheme is None:
            if not codes:
                problem("changes", CHANGES_MISSING)
            scheme = PlannedScheme(place, period, scheme_name, number, codes, allocation)
            self.schemes[key] = scheme
        else:
            if codes and [c.casefold() for c in codes] != [
                c.casefold() for c in scheme.change_codes
            ]:
                problem(
                    "changes", LATER_ROW_CHANGES.format(scheme=scheme_name, row=scheme.first_row)
                )
            if record.text("allocation"):
                problem(
                    "allocation",
                    LATER_ROW_ALLOCATION.format(scheme=scheme_name, row=scheme.first_row),
                )
        scheme.rows.append(number)
        if len(self.problems) == before:
            scheme.lines.append(FundingLineInput(source=source, amount=amount))

    def _allocation(self, text: str, problem) -> list[Decimal] | None:
        if not text:
            return None
        amounts = []
        for number, part in enumerate(text.split(CHANGES_SEPARATOR), start=1):
            try:
                amounts.append(parse_amount(part))
            except ValueError as error:
                problem("allocation", ALLOCATION_BAD.format(number=number, problem=error))
        return amounts

    def find_rounds(self) -> None:
        """The round of each scheme: in this file, or already in the portal (one query)."""
        wanted = [s for s in self.schemes.values() if s.round_key not in self.rounds]
        systems = {s.place.system.pk for s in wanted if s.place.system is not None}
        in_portal = {
            (f"system:{round_.system_id}", round_.name): round_
            for round_ in Round.objects.filter(
                system_id__in=systems, name__in={s.period for s in wanted}
            ).select_related("system", "framework")
        }
        for scheme in wanted:
            round_ = in_portal.get(scheme.round_key)
            words = {"place": scheme.place.label, "name": scheme.period}
            if round_ is None:
                self.add(ROUND_MISSING.format(**words), scheme.first_row, "period")
            elif not round_.is_agreed:
                words["place"] = possessive(scheme.place.label)
                self.add(ROUND_NOT_AGREED.format(**words), scheme.first_row, "period")
            else:
                scheme.in_portal = round_

    def check_scheme(self, scheme: PlannedScheme) -> None:
        """The scheme's changes, its financial year, the plan's own rules (`check_investment`),
        and whether the person may add it."""
        planned = self.rounds.get(scheme.round_key)
        round_ = scheme.in_portal
        if planned is not None:
            if planned.framework is None or planned.agreed_on is None:
                return  # the levels sheet's problems say why
            # The round as it will be recorded: agreed, of this system and framework.
            system = planned.place.system or System(name=planned.place.label)
            round_ = Round(system=system, framework=planned.framework, status=Round.Status.AGREED)
            agreed_on = planned.agreed_on
        elif round_ is not None:
            agreed_on = round_.opens_on
        else:
            return
        if not self.actor.has_perm("improvement_plans.manage_plan", round_):
            self.add(
                NO_RIGHT_TO_PLAN.format(place=possessive(scheme.place.label)),
                scheme.first_row,
                "period",
            )
            return
        unknown = []
        for code in scheme.change_codes:
            change = self.lookup.change(round_.framework, code)
            if change is None:
                unknown.append(code)
            else:
                scheme.changes.append(change)
        for code in unknown:
            self.add(
                CHANGE_UNKNOWN.format(code=code, framework=round_.framework.short_title),
                scheme.first_row,
                "changes",
            )
        year = FINANCIAL_YEAR.search(scheme.period)
        scheme.financial_year = year[0] if year else financial_year_of(agreed_on)
        if unknown or not scheme.lines:
            return
        try:
            check_investment(round_, scheme.data())
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    self.add(message, scheme.first_row, COLUMN_OF_FIELD.get(name, "scheme"))

    def find_existing(self) -> None:
        """Schemes already in the plans of rounds in the portal: the same is skipped, a
        different one is an error (two queries)."""
        for planned in self.rounds.values():
            if planned.skipped:
                for scheme in self.schemes.values():
                    if scheme.round_key == planned.key:
                        scheme.in_portal = planned.existing
        in_portal = [s for s in self.schemes.values() if s.in_portal is not None]
        if not in_portal:
            return
        existing = {
            (investment.round_id, investment.scheme_name.casefold()): investment
            for investment in Investment.objects.filter(
                round_id__in={s.in_portal.pk for s in in_portal}
            ).prefetch_related("funding_lines", "investmentchange_set")
        }
        for scheme in in_portal:
            investment = existing.get((scheme.in_portal.pk, scheme.scheme_name.casefold()))
            if investment is None:
                continue
            if _same_scheme(scheme, investment):
                scheme.existing = investment
            else:
                self.add(
                    SCHEME_DIFFERS.format(
                        round=f"{scheme.place.label} {scheme.period}",
                        scheme=scheme.scheme_name,
                        there=_describe(investment),
                    ),
                    scheme.first_row,
                    "scheme",
                )


def _same_scheme(scheme: PlannedScheme, investment: Investment) -> bool:
    lines = sorted((line.source, line.amount) for line in investment.funding_lines.all())
    served = sorted((link.change_id, link.amount) for link in investment.investmentchange_set.all())
    allocation = scheme.allocation or [None] * len(scheme.changes)
    return (
        lines == sorted((line.source, line.amount) for line in scheme.lines)
        and served
        == sorted(
            (change.pk, amount) for change, amount in zip(scheme.changes, allocation, strict=False)
        )
        and investment.financial_year == scheme.financial_year
    )


def _describe(investment: Investment) -> str:
    lines = list(investment.funding_lines.all())
    total = sum((line.amount for line in lines), Decimal("0"))
    return f"{pounds(total)} in the portal"
