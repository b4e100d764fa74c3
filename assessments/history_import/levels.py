"""The levels of a file of past returns, read and checked: one round recorded afterwards for
each area (or system) and period, and every problem, named by sheet, row and column.

Nothing is written here. Frameworks, changes, levels and systems are looked up once
(`lookups`) and the rounds already in the portal in two queries, so the cost of a file does
not grow with queries per row. A round that is already in the portal with exactly the levels
of the file is skipped (importing a file again changes nothing); one that differs, or one run
in the portal, is an error on the rows that conflict, never overwritten.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from assessments.consensus_services import PLANNED_BELOW_AGREED, planned_below_agreed
from assessments.history_import.files import Problem, Record
from assessments.history_import.lookups import FrameworkLookup, Place, Places
from assessments.history_services import AGREED_ON_IN_FUTURE
from assessments.models import Change, Consensus, Framework, Level, Round
from hicm_portal.words import govuk_date, parse_date

LEVEL_COLUMNS = ("period", "framework", "change", "level", "agreed_on")
LEVEL_OPTIONAL_COLUMNS = ("planned_level", "planned_by")

# What people are told, in GOV.UK style. A row's problem is shown after "Row 5, column level: ".
PERIOD_MISSING = "Enter the period, which is the round's name, for example 2019/20"
PERIOD_TOO_LONG = "Enter a period of at most {characters} characters"
FRAMEWORK_MISSING = "Enter the framework's key, for example mtoc-2017"
FRAMEWORK_UNKNOWN = "There is no framework {key}. Use one of: {keys}"
CHANGE_MISSING = "Enter the change's code"
CHANGE_UNKNOWN = "There is no change {code} in {framework}"
LEVEL_MISSING = "Enter the level, by its name or number"
PLANNED_BY_WITHOUT_LEVEL = "Enter the planned level for this date, or remove the date"
DATE_MISSING = "Enter the date the levels were agreed"
FRAMEWORK_DIFFERS = (
    "{round} is on {first} in row {row}: the rows of one area and period use one framework"
)
AGREED_ON_DIFFERS = (
    "{round} was agreed on {first} in row {row}: the rows of one area and period give one date"
)
CHANGE_TWICE = "Change {code} of {round} is also in row {row}: give each change one row"
CHANGES_MISSING = "{round} has no row for {codes}: give every change of {framework} a level"
ROUND_RUN_IN_PORTAL = (
    "{system} already has a round called {name}, run in the portal. An import never changes "
    "it: give the period another name or remove its rows"
)
ROUND_DIFFERS = (
    "{system} already has a round called {name} with {there} here. An import never "
    "changes a round: correct the row, or remove the period's rows"
)
ROUND_OTHER_FRAMEWORK = (
    "{system} already has a round called {name} on {framework}. An import never changes a "
    "round: correct the row, or remove the period's rows"
)


@dataclass
class PlannedLevel:
    row: int
    change: Change
    level: Level
    planned_level: Level | None
    planned_by: date | None


@dataclass
class PlannedRound:
    """One area and period of the file: the round recorded afterwards it becomes, or the
    round already in the portal with exactly its levels (`existing`, skipped)."""

    place: Place
    name: str
    first_row: int
    framework: Framework | None
    agreed_on: date | None
    levels: list[PlannedLevel] = field(default_factory=list)
    rows_by_change: dict[int, int] = field(default_factory=dict)
    rows: list[int] = field(default_factory=list)  # every row of the file for it
    existing: Round | None = None
    has_problems: bool = False  # some of its rows have problems

    @property
    def label(self) -> str:
        return f"{self.place.label} {self.name}"

    @property
    def key(self) -> tuple[str, str]:
        return (self.place.key, self.name)

    @property
    def skipped(self) -> bool:
        return self.existing is not None


class LevelsReader:
    """Reads the levels sheet's records into planned rounds, collecting every problem."""

    def __init__(self, *, places: Places, lookup: FrameworkLookup, sheet: str | None):
        self.places = places
        self.lookup = lookup
        self.sheet = sheet
        self.rounds: dict[tuple[str, str], PlannedRound] = {}
        self.problems: list[Problem] = []
        self.today = timezone.localdate()

    def add(self, message: str, row: int | None, column: str = "") -> None:
        self.problems.append(Problem(message, row, column, self.sheet))

    def read(self, records: Iterable[Record]) -> None:
        for record in records:
            self.read_record(record)
        self.check_complete()
        self.check_against_portal()
        rows_with_problems = {problem.row for problem in self.problems}
        for planned in self.rounds.values():
            planned.has_problems = not rows_with_problems.isdisjoint(planned.rows)

    def read_record(self, record: Record) -> None:
        number = record.number
        before = len(self.problems)

        def problem(column: str, message: str) -> None:
            self.add(message, number, column)

        place = self.places.find(record, problem)
        name = record.text("period")
        max_name = Round._meta.get_field("name").max_length
        if not name:
            problem("period", PERIOD_MISSING)
        elif len(name) > max_name:
            problem("period", PERIOD_TOO_LONG.format(characters=max_name))
        framework = self._framework(record, problem)
        change = level = planned_level = planned_by = None
        if framework is not None:
            change = self._change(framework, record, problem)
            level = self._level(framework, record, "level", problem, required=True)
            planned_level = self._level(framework, record, "planned_level", problem)
            if level and planned_level and planned_below_agreed(level, planned_level):
                problem("planned_level", PLANNED_BELOW_AGREED)
        if record.text("planned_by"):
            planned_by = self._date(record, "planned_by", problem)
            if planned_by and not record.text("planned_level"):
                problem("planned_by", PLANNED_BY_WITHOUT_LEVEL)
        agreed_on = self._date(record, "agreed_on", problem, required=True)
        if agreed_on and agreed_on > self.today:
            problem("agreed_on", AGREED_ON_IN_FUTURE)
        if place is None or not name or len(name) > max_name:
            return
        planned = self.rounds.get((place.key, name))
        if planned is None:
            planned = PlannedRound(place, name, number, framework, agreed_on)
            self.rounds[planned.key] = planned
        planned.rows.append(number)
        self._check_same_round(planned, record, framework, agreed_on, change)
        if len(self.problems) == before:
            planned.levels.append(PlannedLevel(number, change, level, planned_level, planned_by))

    def _framework(self, record: Record, problem) -> Framework | None:
        key = record.text("framework")
        if not key:
            problem("framework", FRAMEWORK_MISSING)
            return None
        framework = self.lookup.framework(key)
        if framework is None:
            problem(
                "framework",
                FRAMEWORK_UNKNOWN.format(key=key, keys=", ".join(sorted(self.lookup.by_key))),
            )
        return framework

    def _change(self, framework: Framework, record: Record, problem) -> Change | None:
        code = record.text("change")
        if not code:
            problem("change", CHANGE_MISSING)
            return None
        change = self.lookup.change(framework, code)
        if change is None:
            problem("change", CHANGE_UNKNOWN.format(code=code, framework=framework.short_title))
        return change

    def _level(self, framework, record, column, problem, *, required=False) -> Level | None:
        text = record.text(column)
        if not text:
            if required:
                problem(column, LEVEL_MISSING)
            return None
        level = self.lookup.level(framework, text)
        if level is None:
            problem(column, self.lookup.level_problem(framework, text))
        return level

    def _date(self, record, column, problem, *, required=False) -> date | None:
        value = record.cells.get(column, "")
        if isinstance(value, date):
            return value
        if not value:
            if required:
                problem(column, DATE_MISSING)
            return None
        try:
            return parse_date(value)
        except ValueError as error:
            problem(column, str(error))
            return None

    def _check_same_round(self, planned, record, framework, agreed_on, change) -> None:
        """The rows of one area and period agree on the framework and date, and give each
        change once."""
        number = record.number
        if framework is not None:
            if planned.framework is None:
                planned.framework = framework
            elif planned.framework.pk != framework.pk:
                self.add(
                    FRAMEWORK_DIFFERS.format(
                        round=planned.label, first=planned.framework.key, row=planned.first_row
                    ),
                    number,
                    "framework",
                )
        if agreed_on is not None:
            if planned.agreed_on is None:
                planned.agreed_on = agreed_on
            elif planned.agreed_on != agreed_on:
                self.add(
                    AGREED_ON_DIFFERS.format(
                        round=planned.label,
                        first=govuk_date(planned.agreed_on),
                        row=planned.first_row,
                    ),
                    number,
                    "agreed_on",
                )
        if change is not None and planned.framework and change.framework_id == planned.framework.pk:
            first = planned.rows_by_change.setdefault(change.pk, number)
            if first != number:
                self.add(
                    CHANGE_TWICE.format(code=change.code, round=planned.label, row=first),
                    number,
                    "change",
                )

    def check_complete(self) -> None:
        """Every change of the framework has a row in each area and period."""
        for planned in self.rounds.values():
            if planned.framework is None:
                continue
            missing = [
                change.code
                for change in self.lookup.changes_of(planned.framework).values()
                if change.pk not in planned.rows_by_change
            ]
            if missing:
                self.add(
                    CHANGES_MISSING.format(
                        round=planned.label,
                        codes=_changes_in_words(missing),
                        framework=planned.framework.short_title,
                    ),
                    planned.first_row,
                    "change",
                )

    def check_against_portal(self) -> None:
        """Rounds already in the portal: the same levels are skipped, others are errors."""
        wanted = {p.key: p for p in self.rounds.values() if p.place.system is not None}
        if not wanted:
            return
        existing = Round.objects.filter(
            system_id__in={p.place.system.pk for p in wanted.values()},
            name__in={p.name for p in wanted.values()},
        ).select_related("system", "framework")
        matched = {}
        for round_ in existing:
            planned = wanted.get((f"system:{round_.system_id}", round_.name))
            if planned is not None:
                matched[round_.pk] = (round_, planned)
        agreed: dict[int, dict[int, Consensus]] = {}
        for consensus in Consensus.objects.filter(round_id__in=matched).select_related(
            "level", "planned_level"
        ):
            agreed.setdefault(consensus.round_id, {})[consensus.change_id] = consensus
        for round_, planned in matched.values():
            self._compare(round_, planned, agreed.get(round_.pk, {}))

    def _compare(self, round_: Round, planned: PlannedRound, agreed: dict) -> None:
        words = {"system": round_.system.name, "name": round_.name}
        if not round_.recorded_afterwards:
            self.add(ROUND_RUN_IN_PORTAL.format(**words), planned.first_row, "period")
            return
        if planned.framework is not None and planned.framework.pk != round_.framework_id:
            self.add(
                ROUND_OTHER_FRAMEWORK.format(**words, framework=round_.framework.short_title),
                planned.first_row,
                "framework",
            )
            return
        same = len(planned.levels) == len(agreed)
        for row in planned.levels:
            there = agreed.get(row.change.pk)
            differences = _differences(row, there)
            same = same and not differences
            for column, text in differences:
                self.add(ROUND_DIFFERS.format(**words, there=text), row.row, column)
        if same and len(planned.levels) == len(planned.rows_by_change):
            planned.existing = round_


def _differences(row: PlannedLevel, there: Consensus | None) -> list[tuple[str, str]]:
    """How a row differs from the agreed level in the portal: (column, words)."""
    code = row.change.code
    if there is None:
        return [("change", f"no level for change {code}")]
    found = []
    if there.level_id != row.level.pk:
        found.append(("level", f"change {code} at {there.level.name} there and {row.level.name}"))
    if there.planned_level_id != (row.planned_level.pk if row.planned_level else None):
        was = there.planned_level.name if there.planned_level else "no planned level"
        now = row.planned_level.name if row.planned_level else "no planned level"
        found.append(("planned_level", f"change {code} planned {was} there and {now}"))
    if there.planned_by != row.planned_by:
        was = govuk_date(there.planned_by) or "no date"
        now = govuk_date(row.planned_by) or "no date"
        found.append(("planned_by", f"change {code} planned by {was} there and {now}"))
    return found


def _changes_in_words(codes: list[str]) -> str:
    """ "change 4", "changes 3 and 4", "changes 1, 2 and 5"."""
    if len(codes) == 1:
        return f"change {codes[0]}"
    return f"changes {', '.join(codes[:-1])} and {codes[-1]}"
