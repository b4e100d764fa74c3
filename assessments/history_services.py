"""Rounds recorded afterwards: a round that took place before the portal (or outside it),
recorded by its facilitator, or imported from past returns (`import_returns` calls this
service too), as agreed levels with planned levels and dates.

Such a round has no partner ratings, returns or steering committee decisions: it is agreed
from the start, with the approval as the person recording it writes it ("Health and Wellbeing
Board, 12 September 2019"; an import that does not know says so in the note). Past planned
dates are allowed here, and only here: a round run in the portal plans forwards
(`consensus_services.check_proposal`).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.consensus_services import PLANNED_BELOW_AGREED, planned_below_agreed
from assessments.framework_versions import version_newest
from assessments.models import Change, Consensus, Framework, Level, Round, System
from assessments.round_services import audit
from hicm_portal.words import govuk_date, start_of_day

NAME_MISSING = "Enter a name for the round, for example 2019/20"
NAME_TAKEN = "This system already has a round called {name}"
AGREED_ON_MISSING = "Enter the date the levels were agreed"
APPROVAL_NOTE_MISSING = (
    "Enter who approved the levels and where, for example Health and Wellbeing Board, "
    "12 September 2019"
)
AGREED_ON_IN_FUTURE = "The date agreed must be today or in the past"
FRAMEWORK_WITHOUT_LEVELS = "This framework has no maturity levels, so no level can be recorded"
PREVIOUS_NOT_AGREED = "Select an agreed round of this system"
CHANGE_NOT_IN_FRAMEWORK = "Change {code} is not a change of {framework}"
CHANGE_ARCHIVED = "Change {code} is no longer part of {framework}"
CHANGE_TWICE = "Change {code} is given more than once: give each change one level"
LEVEL_MISSING = "Select the agreed level of change {change}"
LEVEL_NOT_IN_FRAMEWORK = "Select a level of {framework} for change {change}"
PLANNED_BELOW = PLANNED_BELOW_AGREED + " for change {change}"
PLANNED_BY_WITHOUT_LEVEL = "Select the planned level of change {change}, or remove its date"
RECORDED = "Recorded the round afterwards"


@dataclass(frozen=True)
class RecordedLevel:
    """One change's agreed level in a round recorded afterwards, with its plan and BCF fields."""

    change: Change
    level: Level
    planned_level: Level | None = None
    planned_by: date | None = None
    rationale: str = ""
    challenges: str = ""
    milestones: str = ""
    support_needs: str = ""


def field_key(change: Change, name: str) -> str:
    """The key of a change's field in this service's errors (and in the form that asks)."""
    return f"change-{change.code}-{name}"


def agreed_at_of(agreed_on: date) -> datetime:
    """A date agreed as a time: the start of that day in the portal's time zone."""
    return start_of_day(agreed_on)


@transaction.atomic
def round_record_afterwards(
    *,
    actor,
    system: System,
    framework: Framework,
    name: str,
    agreed_on: date,
    approval_note: str,
    levels: list[RecordedLevel],
    previous_round: Round | None = None,
) -> Round:
    """Record a round agreed before the portal: agreed at once, with one approved consensus per
    change, and an audit entry saying who recorded it and who approved it.

    Everything is checked before anything is written; a ValidationError names each problem by
    field (`field_key` for a change's fields) with a message naming the change. Only the
    system's facilitators and site administrators may record one.
    """
    if not actor.has_perm("assessments.record_round_afterwards", system):
        raise PermissionDenied
    name = (name or "").strip()
    approval_note = (approval_note or "").strip()
    agreed_at = agreed_at_of(agreed_on) if agreed_on else None
    round_ = Round(
        system=system,
        name=name,
        framework=framework,
        status=Round.Status.AGREED,
        recorded_afterwards=True,
        approval_note=approval_note,
        opens_on=agreed_on,
        closes_on=agreed_on,
        agreed_at=agreed_at,
        quorum=1,
        previous_round=previous_round,
        created_by=actor,
    )
    consensus = [
        Consensus(
            change=recorded.change,
            level=recorded.level,
            planned_level=recorded.planned_level,
            planned_by=recorded.planned_by,
            rationale=recorded.rationale.strip(),
            challenges=recorded.challenges.strip(),
            milestones=recorded.milestones.strip(),
            support_needs=recorded.support_needs.strip(),
            state=Consensus.State.APPROVED,
            proposed_by=actor,
            proposed_at=agreed_at or timezone.now(),
            approved_at=agreed_at,
        )
        for recorded in levels
    ]
    _check(round_, consensus)
    # Shown in the wording loaded now (a past round's own wording is not known).
    round_.framework_version = version_newest(framework, actor=actor)
    try:
        with transaction.atomic():
            round_.save()
    except IntegrityError:  # the same name, recorded by someone else a moment ago
        raise ValidationError({"name": NAME_TAKEN.format(name=name)}) from None
    for agreed in consensus:
        agreed.round = round_
        # Created approved, never updated: the database refuses to change approved consensus.
        agreed.save()
    audit(
        round_,
        actor,
        RECORDED,
        f"Agreed {govuk_date(agreed_on)}; "
        + f"approved by {approval_note}. "
        + f"{len(consensus)} agreed levels, no partner ratings.",
    )
    return round_


def _check(round_: Round, consensus: list[Consensus]) -> None:
    """Every rule, all problems at once, before anything is written."""
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    system, framework = round_.system, round_.framework
    if not round_.name:
        add("name", NAME_MISSING)
    elif Round.objects.filter(system=system, name=round_.name).exists():
        add("name", NAME_TAKEN.format(name=round_.name))
    if round_.opens_on is None:
        add("agreed_on", AGREED_ON_MISSING)
    if not round_.approval_note:
        add("approval_note", APPROVAL_NOTE_MISSING)
    elif round_.opens_on > timezone.localdate():
        add("agreed_on", AGREED_ON_IN_FUTURE)
    previous = round_.previous_round
    if previous is not None and (
        previous.system_id != system.pk or previous.status != Round.Status.AGREED
    ):
        add("previous_round", PREVIOUS_NOT_AGREED)
    # The text limits the model declares (name and approval note lengths).
    try:
        round_.full_clean(
            exclude=[
                "system",
                "framework",
                "previous_round",
                "created_by",
                "opens_on",
                "closes_on",
            ],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            if key not in errors:  # a blank name is told once, in the words above
                for message in messages:
                    add(key, message)

    live = list(Change.objects.filter(framework=framework, archived=False).order_by("position"))
    if not Level.objects.filter(framework=framework).exists():
        add("framework", FRAMEWORK_WITHOUT_LEVELS)
    seen: set[int] = set()
    for agreed in consensus:
        change = agreed.change
        words = {"code": change.code, "framework": framework.short_title, "change": str(change)}
        if change.framework_id != framework.pk:
            add("levels", CHANGE_NOT_IN_FRAMEWORK.format(**words))
            continue
        if change.archived:
            add("levels", CHANGE_ARCHIVED.format(**words))
            continue
        if change.pk in seen:
            add("levels", CHANGE_TWICE.format(**words))
            continue
        seen.add(change.pk)
        _check_levels(agreed, framework, words, add)
        # The text limits the model declares, named after the change.
        try:
            agreed.full_clean(exclude=["round", "change", "level", "planned_level", "proposed_by"])
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    add(field_key(change, field), f"Change {change.code}: {message}")
    for change in live:
        if change.pk not in seen:
            add(field_key(change, "level"), LEVEL_MISSING.format(change=change))
    if errors:
        raise ValidationError(errors)


def _check_levels(agreed: Consensus, framework: Framework, words: dict, add) -> None:
    change = agreed.change
    if agreed.level_id is None:
        add(field_key(change, "level"), LEVEL_MISSING.format(**words))
    elif agreed.level.framework_id != framework.pk:
        add(field_key(change, "level"), LEVEL_NOT_IN_FRAMEWORK.format(**words))
    planned = agreed.planned_level
    if planned is not None and planned.framework_id != framework.pk:
        add(field_key(change, "planned_level"), LEVEL_NOT_IN_FRAMEWORK.format(**words))
    elif (
        agreed.level_id is not None
        and agreed.level.framework_id == framework.pk
        and planned_below_agreed(agreed.level, planned)
    ):
        add(field_key(change, "planned_level"), PLANNED_BELOW.format(**words))
    if agreed.planned_by is not None and planned is None:
        add(field_key(change, "planned_by"), PLANNED_BY_WITHOUT_LEVEL.format(**words))
