"""Importing past returns, put together: the levels of each area and period become rounds
recorded afterwards, and the investments sheet's schemes join those rounds' plans. Previewed
first with every problem (`past_returns_read`), then written all of it or none of it
(`past_returns_import`), by the command `import_returns` and the portal's pages alike.

The levels half lives in `assessments.history_import`, the investments half in
`history_import_schemes`; schemes are plans' business, and this app may use assessments but
not the other way round (DESIGN §5), so the whole import is put together here.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from assessments.history_import import (
    INVESTMENTS_SHEET,
    LEVEL_COLUMNS,
    LEVEL_OPTIONAL_COLUMNS,
    LEVELS_SHEET,
    NO_LEVELS_SHEET,
    Columns,
    FrameworkLookup,
    LevelsReader,
    Place,
    Places,
    PlannedRound,
    Problem,
    check_headings,
    open_returns_file,
    past_rounds_record,
    records,
)
from assessments.models import Round, System
from hicm_portal import uploads
from improvement_plans.history_import_schemes import PlannedScheme, SchemesReader
from improvement_plans.models import Investment
from improvement_plans.services import investment_save

LEVELS = Columns(required=LEVEL_COLUMNS, optional=LEVEL_OPTIONAL_COLUMNS)
INVESTMENTS = Columns(
    required=("period", "scheme", "source", "amount", "changes"), optional=("allocation",)
)

# What people are told, in GOV.UK style.
CANNOT_CREATE_SYSTEMS = (
    "You cannot create systems, so none will be: a site administrator who may add systems in "
    "the admin can"
)
NO_LEVELS = "The {sheet} has no levels in it: give one row per area, period and change"
HAS_PROBLEMS = "Nothing was imported, because the file has problems. Correct them and try again."


@dataclass
class PastReturns:
    """A file of past returns, read and checked: the rounds and schemes it holds, and every
    problem. Nothing is written until `past_returns_import` is given one without problems."""

    filename: str
    rounds: list[PlannedRound] = field(default_factory=list)
    schemes: list[PlannedScheme] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def has_problems(self) -> bool:
        return bool(self.problems)

    @property
    def messages(self) -> list[str]:
        return [str(problem) for problem in self.problems]

    @property
    def rounds_to_record(self) -> list[PlannedRound]:
        return [planned for planned in self.rounds if not planned.skipped]

    @property
    def rounds_in_portal(self) -> list[PlannedRound]:
        return [planned for planned in self.rounds if planned.skipped]

    @property
    def schemes_to_add(self) -> list[PlannedScheme]:
        return [scheme for scheme in self.schemes if not scheme.skipped]

    @property
    def schemes_in_portal(self) -> list[PlannedScheme]:
        return [scheme for scheme in self.schemes if scheme.skipped]

    @property
    def systems_to_create(self) -> list[Place]:
        places = {p.place.key: p.place for p in self.rounds if p.place.system is None}
        return list(places.values())

    @property
    def changes_nothing(self) -> bool:
        return not (self.rounds_to_record or self.schemes_to_add)


def past_returns_read(
    *,
    data: bytes,
    filename: str,
    actor,
    systems: Iterable[System] | None,
    create_systems: bool = False,
) -> PastReturns:
    """Read and check a file of past returns without writing anything.

    `systems`: those the import may name (a facilitator's own), or None for any (a site
    administrator, who may also `create_systems` from the reference list of areas). The file
    is streamed; frameworks, changes, levels and systems are looked up once; rounds and
    schemes already in the portal are read in a few queries, whatever the file's size."""
    result = PastReturns(filename=filename)
    if create_systems and not actor.has_perm("assessments.add_system"):
        result.problems.append(Problem(CANNOT_CREATE_SYSTEMS))
        create_systems = False
    try:
        with open_returns_file(data, filename=filename) as returns_file:
            sheet = None if returns_file.is_csv else LEVELS_SHEET
            found = returns_file.sheet(LEVELS_SHEET)
            if found is None:
                result.problems.append(Problem(NO_LEVELS_SHEET))
                return result
            headings, rows = found
            if problems := check_headings(headings, LEVELS, sheet):
                result.problems += [Problem(problem) for problem in problems]
                return result
            places = Places(systems=systems, create_systems=create_systems)
            lookup = FrameworkLookup()
            levels = LevelsReader(places=places, lookup=lookup, sheet=sheet)
            levels.read(records(rows, headings))
            result.rounds = list(levels.rounds.values())
            result.problems += levels.problems
            if not result.rounds and not levels.problems:
                result.problems.append(
                    Problem(NO_LEVELS.format(sheet=f"{sheet} sheet" if sheet else "file"))
                )
            found = returns_file.sheet(INVESTMENTS_SHEET)
            if found is None:
                return result
            headings, rows = found
            if problems := check_headings(headings, INVESTMENTS, INVESTMENTS_SHEET):
                result.problems += [Problem(problem) for problem in problems]
                return result
            schemes = SchemesReader(places=places, lookup=lookup, rounds=levels.rounds, actor=actor)
            schemes.read(records(rows, headings))
            result.schemes = list(schemes.schemes.values())
            result.problems += schemes.problems
    except uploads.UploadRefused as refused:
        result.problems.append(Problem(refused.message))
    return result


@dataclass(frozen=True)
class ImportedReturns:
    """What an import wrote: the rounds recorded and schemes added, and what it skipped."""

    rounds: list[Round]
    rounds_skipped: int
    schemes: list[Investment]
    schemes_skipped: int
    systems_created: int


@transaction.atomic
def past_returns_import(*, actor, past_returns: PastReturns) -> ImportedReturns:
    """Write a checked file of past returns: all of it, in one transaction, or nothing.

    Missing systems are made from the reference list, each round the file holds that is not in
    the portal is recorded afterwards, and each new scheme is added to its round's plan, all
    through the services of the portal's forms, which check `actor` may do each (and record
    who did). A file with problems writes nothing; so does any error on the way."""
    if past_returns.has_problems:
        raise ValidationError(HAS_PROBLEMS)
    rounds = past_rounds_record(
        actor=actor, rounds=past_returns.rounds, filename=past_returns.filename
    )
    schemes = [
        investment_save(
            round_=rounds.get(scheme.round_key) or scheme.in_portal,
            data=scheme.data(),
            saved_by=actor,
        )
        for scheme in past_returns.schemes_to_add
    ]
    return ImportedReturns(
        rounds=[rounds[planned.key] for planned in past_returns.rounds_to_record],
        rounds_skipped=len(past_returns.rounds_in_portal),
        schemes=schemes,
        schemes_skipped=len(past_returns.schemes_in_portal),
        systems_created=len(past_returns.systems_to_create),
    )
