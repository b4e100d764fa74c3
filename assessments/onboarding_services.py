"""Onboarding by the hundred: a system's partners, people and roles from two files, all or
nothing, and one e-mail to each person naming the roles the files gave them.

`onboarding_import` is the one way in, for the preview and the confirmation alike: it writes
the partners file through the admin's partner import (`resources.PartnerResource`), then gives
each role of the people file through `role_grant` (recorded as a RoleChange, the person's roles
read afresh, the partner's members told who joined), all in one transaction. A preview, or any
problem, rolls the transaction back: nothing is written and no e-mail leaves, since e-mails go
through `hicm_portal.notify`, which sends only once the transaction commits. So the preview
shows exactly what the confirmation will do, checked against the portal as it is then.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from assessments.models import RoleChange
from assessments.onboarding_emails import EMAIL_NONE, person_roles_tell
from assessments.onboarding_files import (
    PARTNER_COLUMNS,
    PARTNER_REQUIRED,
    PARTNERS,
    PEOPLE,
    PersonRow,
    Problem,
    Sheet,
    columns_check,
    partner_rows_check,
    people_check,
)
from assessments.resources import PartnerResource
from assessments.services import ROLE_SELF_GRANT, role_grant

User = get_user_model()

PARTNER_ACTIONS = {"new": "New", "update": "Changed", "skip": "No change"}


@dataclass
class PartnerLine:
    """A row of the partners file, and what importing it does."""

    number: int
    system: str
    name: str
    partner_type: str
    action: str


@dataclass
class PersonRole:
    """A row of the people file: the role in words, and whether the person holds it already."""

    number: int
    description: str
    held_already: bool = False


@dataclass
class PersonPlan:
    """Everything the people file gives one person, and the e-mail they are sent."""

    email: str
    full_name: str
    rows: list[PersonRow] = field(default_factory=list)
    roles: list[PersonRole] = field(default_factory=list)
    has_account: bool = False
    email_sent: str = ""


@dataclass
class Onboarding:
    """What the files hold and what importing them does (or, with problems, would not do)."""

    partners: list[PartnerLine] = field(default_factory=list)
    people: list[PersonPlan] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def has_problems(self) -> bool:
        return bool(self.problems)

    @property
    def roles_given(self) -> int:
        return sum(not role.held_already for plan in self.people for role in plan.roles)

    @property
    def people_emailed(self) -> int:
        return sum(plan.email_sent not in ("", EMAIL_NONE) for plan in self.people)

    @property
    def partners_new(self) -> int:
        return sum(line.action == PARTNER_ACTIONS["new"] for line in self.partners)


def onboarding_import(
    *, partners: Sheet | None, people: Sheet | None, imported_by, dry_run: bool
) -> Onboarding:
    """Import the partners file, then the people file, as `imported_by` (a site
    administrator), and return what it did. Either file may be left out.

    Everything happens in one transaction, which is rolled back for a preview (`dry_run`) and
    whenever there is any problem: then nothing is written and nobody is e-mailed. Otherwise
    each person the files gave a new role gets one e-mail naming those roles, sent once the
    transaction commits: a set-password link if they cannot log in yet, a short e-mail if
    they can.
    """
    onboarding = Onboarding()
    with transaction.atomic():
        if partners is not None:
            _partners_write(partners, imported_by=imported_by, onboarding=onboarding)
        if people is not None:
            check = people_check(people, importer=imported_by, self_grant_message=ROLE_SELF_GRANT)
            onboarding.problems += check.problems
            _people_write(check.rows, imported_by=imported_by, onboarding=onboarding)
        if dry_run or onboarding.problems:
            transaction.set_rollback(True)
    onboarding.problems.sort(key=lambda p: (p.file != PARTNERS, p.row or 0))
    return onboarding


def _partners_write(sheet: Sheet, *, imported_by, onboarding: Onboarding) -> None:
    problems = columns_check(
        sheet, file=PARTNERS, columns=PARTNER_COLUMNS, required=PARTNER_REQUIRED
    )
    onboarding.problems += problems
    if problems:
        return
    checked, numbers, problems = partner_rows_check(sheet)
    onboarding.problems += problems
    if not checked.rows:
        return
    result = PartnerResource().import_data(
        checked.as_dataset(),
        dry_run=False,
        use_transactions=True,
        # The valid rows stay (in this transaction, rolled back on any problem) so that people
        # rows naming them are checked as they will be once the file is corrected.
        rollback_on_validation_errors=False,
        user=imported_by,
    )
    for error in result.base_errors:
        onboarding.problems.append(Problem(PARTNERS, None, "", str(error.error)))
    for index, errors in result.row_errors():
        number = numbers[index - 1]
        onboarding.problems += [Problem(PARTNERS, number, "", str(e.error)) for e in errors]
    for invalid in result.invalid_rows:
        number = numbers[invalid.number - 1]
        for column, messages in invalid.field_specific_errors.items():
            onboarding.problems += [Problem(PARTNERS, number, column, m) for m in messages]
        for message in invalid.non_field_specific_errors:
            onboarding.problems.append(Problem(PARTNERS, number, "", message))
    for number, values, row in zip(numbers, checked.rows, result.rows, strict=False):
        record = dict(zip(checked.headers, values, strict=False))
        onboarding.partners.append(
            PartnerLine(
                number=number,
                system=record.get("system", ""),
                name=record.get("name", ""),
                partner_type=record.get("partner_type", ""),
                action=PARTNER_ACTIONS.get(row.import_type, "Not imported"),
            )
        )


def describe(row: PersonRow) -> str:
    """A role of the people file in words: "Partner member of Testshire Hospitals, in
    Testshire", "Facilitator of Testshire", "Regional viewer of North East", "National viewer"."""
    label = RoleChange.Role(row.role).label
    if row.partner is not None:
        return f"{label} of {row.partner}, in {row.system}"
    place = row.system or row.region
    return f"{label} of {place}" if place else label


def _people_write(rows: list[PersonRow], *, imported_by, onboarding: Onboarding) -> None:
    """Give each row's role through `role_grant`, then e-mail each person once. Rows of one
    person are taken together, in the order the file first names them."""
    plans: dict[str, PersonPlan] = {}
    for row in rows:
        plan = plans.setdefault(row.email, PersonPlan(email=row.email, full_name=row.full_name))
        plan.full_name = plan.full_name or row.full_name
        plan.rows.append(row)
    onboarding.people = list(plans.values())
    granted = []
    for plan in onboarding.people:
        user = User.objects.filter(email__iexact=plan.email).first()
        plan.has_account = user is not None
        if user is None:
            user = User.objects.create_user(email=plan.email, full_name=plan.full_name)
        gained = []
        for row in plan.rows:
            try:
                changes = role_grant(
                    user=user,
                    role=row.role,
                    system=row.system,
                    partner=row.partner,
                    region=row.region,
                    granted_by=imported_by,
                    tell_person=False,
                )
            except ValidationError as error:
                message = "; ".join(error.messages)
                onboarding.problems.append(Problem(PEOPLE, row.number, "", message))
                continue
            plan.roles.append(PersonRole(row.number, describe(row), held_already=not changes))
            gained += changes
        granted.append((plan, user, gained))
    if onboarding.problems:
        return  # rolled back: nobody is told
    for plan, user, gained in granted:
        plan.email_sent = person_roles_tell(user=user, gained=gained, told_by=imported_by)
