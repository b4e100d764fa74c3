"""The two files that set up a system: what they hold, read and checked row by row.

The partners file has the admin's partner import columns (`resources.PartnerResource`); the
people file gives one role to one person a row. Nothing here writes: `onboarding_services`
reads the files through here, inside the transaction that writes them (or, for a preview,
rolls them back), so a people row may name a partner that the partners file adds.

Rows are numbered as a spreadsheet shows them: the headings are row 1, the first person row 2.
"""

from dataclasses import dataclass, field

import tablib
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from assessments.models import Partner, Region, RoleChange, System

PARTNERS = "partners"
PEOPLE = "people"
FILE_NAMES = {PARTNERS: "Partners file", PEOPLE: "People file"}

PARTNER_COLUMNS = ("system", "name", "partner_type", "ods_code", "other_types")
PARTNER_REQUIRED = ("system", "name", "partner_type")
PEOPLE_COLUMNS = ("email", "full_name", "role", "system", "partner", "region")
PEOPLE_REQUIRED = ("email", "role")

# The words the role column takes, in any case, with spaces, hyphens or underscores between
# words: each role's name, its short form, and the name the portal keeps it by.
ROLE_WORDS = {
    "partner member": RoleChange.Role.MEMBER,
    "member": RoleChange.Role.MEMBER,
    "facilitator": RoleChange.Role.FACILITATOR,
    "steering committee member": RoleChange.Role.STEERING,
    "steering committee": RoleChange.Role.STEERING,
    "steering": RoleChange.Role.STEERING,
    "regional viewer": RoleChange.Role.REGIONAL_VIEWER,
    "regional": RoleChange.Role.REGIONAL_VIEWER,
    "national viewer": RoleChange.Role.NATIONAL_VIEWER,
    "national": RoleChange.Role.NATIONAL_VIEWER,
}
# The place columns each role needs; the others must be empty.
PLACE_COLUMNS = {
    RoleChange.Role.MEMBER: ("system", "partner"),
    RoleChange.Role.FACILITATOR: ("system",),
    RoleChange.Role.STEERING: ("system",),
    RoleChange.Role.REGIONAL_VIEWER: ("region",),
    RoleChange.Role.NATIONAL_VIEWER: (),
}

ROLE_UNKNOWN = (
    "Enter a role: partner member, facilitator, steering committee member, regional viewer "
    "or national viewer"
)
EMAIL_INVALID = "Enter an email address in the correct format, like name@example.org"
NAME_TOO_LONG = "Enter a full name of 150 characters or fewer"
COLUMN_MISSING = "The file has no {column} column: its first row must name the columns"
COLUMN_UNKNOWN = (
    "The file has a column {column!r} that the import does not take: the columns are {columns}"
)
PLACE_NEEDED = "Enter the {column} of a {role}"
PLACE_NOT_TAKEN = "Leave {column} empty for a {role}"
MEMBER_OF_PARTNER_TOO = (
    "Leave partner empty for a {role}: add a row with the role partner member to make them a "
    "member of a partner too"
)
SYSTEM_UNKNOWN = "There is no system {value!r}: enter a system's slug, like testshire"
SYSTEM_NEEDED = "Enter the slug of the partner's system, like testshire"
PARTNER_NAME_NEEDED = "Enter the partner's name"
PARTNER_UNKNOWN = "System {system!r} has no partner called {value!r}"
REGION_UNKNOWN = "There is no region {value!r}: enter a region's slug or name"
ROW_REPEATED = "Row {first} already gives this person this role: remove one of the two rows"
NOTHING_TO_IMPORT = "The file has no rows below its headings"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where (file, row, column) and what. `row` is None when it
    is the file as a whole; `column` is empty when it is the row as a whole."""

    file: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = [FILE_NAMES[self.file]]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


@dataclass
class Sheet:
    """A file's rows as text under its headings (lower case, spaces around them dropped)."""

    headers: list[str]
    rows: list[list[str]]

    @classmethod
    def from_dataset(cls, dataset: tablib.Dataset) -> "Sheet":
        headers = [str(header or "").strip().lower() for header in dataset.headers or []]
        rows = [[_text(value) for value in row] for row in dataset]
        return cls(headers=headers, rows=rows)

    @classmethod
    def from_payload(cls, payload: dict | None) -> "Sheet | None":
        if not payload:
            return None
        return cls(headers=list(payload["headers"]), rows=[list(r) for r in payload["rows"]])

    def as_payload(self) -> dict:
        return {"headers": self.headers, "rows": self.rows}

    def as_dataset(self) -> tablib.Dataset:
        return tablib.Dataset(*self.rows, headers=self.headers)

    def records(self) -> list[tuple[int, dict[str, str]]]:
        """Each row as (its number in the spreadsheet, {column: text})."""
        return [
            (number, dict(zip(self.headers, row, strict=False)))
            for number, row in enumerate(self.rows, start=2)
        ]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed into a spreadsheet cell, such as an ODS code
    return str(value).strip()


def columns_check(sheet: Sheet, *, file: str, columns, required) -> list[Problem]:
    """The headings: every required column there, and no column the import does not take."""
    problems = [
        Problem(file, None, column, COLUMN_MISSING.format(column=column))
        for column in required
        if column not in sheet.headers
    ]
    problems += [
        Problem(
            file,
            None,
            header,
            COLUMN_UNKNOWN.format(column=header, columns=", ".join(columns)),
        )
        for header in sheet.headers
        if header and header not in columns
    ]
    if not sheet.rows:
        problems.append(Problem(file, None, "", NOTHING_TO_IMPORT))
    return problems


def partner_rows_check(sheet: Sheet) -> tuple[Sheet, list[int], list[Problem]]:
    """The partners file's rows whose system and name the admin's partner import can look up,
    with their row numbers, and a problem for each of the others. (The import itself would
    report a missing system as a fault of the row, not of its column.)"""
    kept, numbers, problems = [], [], []
    for (number, record), row in zip(sheet.records(), sheet.rows, strict=True):
        if not record.get("system"):
            problems.append(Problem(PARTNERS, number, "system", SYSTEM_NEEDED))
        elif not System.objects.filter(slug=record["system"]).exists():
            message = SYSTEM_UNKNOWN.format(value=record["system"])
            problems.append(Problem(PARTNERS, number, "system", message))
        elif not record.get("name"):
            problems.append(Problem(PARTNERS, number, "name", PARTNER_NAME_NEEDED))
        else:
            kept.append(row)
            numbers.append(number)
    return Sheet(headers=sheet.headers, rows=kept), numbers, problems


def role_from_word(word: str) -> str | None:
    """The role a role cell names (`ROLE_WORDS`), or None."""
    words = " ".join(word.replace("_", " ").replace("-", " ").lower().split())
    return ROLE_WORDS.get(words)


@dataclass
class PersonRow:
    """One checked row of the people file: a role for a person, with its place."""

    number: int
    email: str
    full_name: str
    role: str
    system: System | None = None
    partner: Partner | None = None
    region: Region | None = None

    @property
    def key(self) -> tuple:
        return (
            self.email,
            self.role,
            getattr(self.system, "pk", None),
            getattr(self.partner, "pk", None),
            getattr(self.region, "pk", None),
        )


@dataclass
class PeopleCheck:
    rows: list[PersonRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _email(value: str) -> str | None:
    email = value.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        return None
    return email


class Places:
    """Systems, partners and regions looked up by what the file says, each once a check: a
    file of hundreds of people names the same few places again and again."""

    def __init__(self):
        self.found: dict[tuple, object] = {}

    def _once(self, key: tuple, find):
        if key not in self.found:
            self.found[key] = find()
        return self.found[key]

    def system(self, value: str) -> System | None:
        return self._once(
            ("system", value.lower()), lambda: System.objects.filter(slug__iexact=value).first()
        )

    def partner(self, system: System, value: str) -> Partner | None:
        partners = Partner.objects.filter(system=system)
        return self._once(
            ("partner", system.pk, value),
            lambda: (
                partners.filter(name=value).first() or partners.filter(name__iexact=value).first()
            ),
        )

    def region(self, value: str) -> Region | None:
        return self._once(
            ("region", value.lower()),
            lambda: (
                Region.objects.filter(slug__iexact=value).first()
                or Region.objects.filter(name__iexact=value).first()
            ),
        )


def _person_row(
    number: int, record: dict[str, str], problems: list[Problem], places: Places
) -> PersonRow | None:
    """The row checked, or None with its problems added, each naming its column."""
    found = []

    def problem(column: str, message: str) -> None:
        found.append(Problem(PEOPLE, number, column, message))

    email = _email(record.get("email", ""))
    if email is None:
        problem("email", EMAIL_INVALID)
    full_name = record.get("full_name", "")
    if len(full_name) > 150:
        problem("full_name", NAME_TOO_LONG)
    role = role_from_word(record.get("role", ""))
    if role is None:
        problem("role", ROLE_UNKNOWN)
        problems.extend(found)
        return None
    label = RoleChange.Role(role).label.lower()
    needed = PLACE_COLUMNS[role]
    for column in ("system", "partner", "region"):
        value = record.get(column, "")
        if column in needed and not value:
            problem(column, PLACE_NEEDED.format(column=column, role=label))
        elif column not in needed and value:
            text = MEMBER_OF_PARTNER_TOO if column == "partner" and "system" in needed else None
            problem(column, (text or PLACE_NOT_TAKEN).format(column=column, role=label))
    row = PersonRow(number=number, email=email or "", full_name=full_name, role=role)
    if "system" in needed and record.get("system"):
        row.system = places.system(record["system"])
        if row.system is None:
            problem("system", SYSTEM_UNKNOWN.format(value=record["system"]))
        elif "partner" in needed and record.get("partner"):
            row.partner = places.partner(row.system, record["partner"])
            if row.partner is None:
                problem(
                    "partner",
                    PARTNER_UNKNOWN.format(system=row.system.slug, value=record["partner"]),
                )
    if "region" in needed and record.get("region"):
        row.region = places.region(record["region"])
        if row.region is None:
            problem("region", REGION_UNKNOWN.format(value=record["region"]))
    problems.extend(found)
    return None if found else row


def people_check(sheet: Sheet, *, importer, self_grant_message: str) -> PeopleCheck:
    """Every row of the people file checked against the portal as it is now: each problem by
    row and column, and the rows that pass. A person may have several rows (one a role);
    nobody may be given a role by themselves (`self_grant_message`)."""
    check = PeopleCheck()
    check.problems = columns_check(
        sheet, file=PEOPLE, columns=PEOPLE_COLUMNS, required=PEOPLE_REQUIRED
    )
    if any(problem.row is None and problem.column in PEOPLE_REQUIRED for problem in check.problems):
        return check
    seen: dict[tuple, int] = {}
    places = Places()
    for number, record in sheet.records():
        row = _person_row(number, record, check.problems, places)
        if row is None:
            continue
        if importer is not None and row.email == importer.email.lower():
            check.problems.append(Problem(PEOPLE, number, "email", self_grant_message))
            continue
        if row.key in seen:
            check.problems.append(
                Problem(PEOPLE, number, "", ROW_REPEATED.format(first=seen[row.key]))
            )
            continue
        seen[row.key] = number
        check.rows.append(row)
    return check
