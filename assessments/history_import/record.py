"""Writing the levels of a checked file of past returns: the missing systems, then one round
recorded afterwards for each area and period, through the same services as the portal's
forms (`area_services.system_create_for_area`, `history_services.round_record_afterwards`),
so each is checked, permitted and audited as if typed in."""

from django.db import transaction

from assessments.area_services import system_create_for_area
from assessments.history_import.levels import PlannedRound
from assessments.history_services import RecordedLevel, round_record_afterwards
from assessments.models import Round, System
from hicm_portal.words import govuk_date

# The file gives no approval, so the round says where its levels came from (at most 200
# characters, the field's size).
APPROVAL_NOTE = "not given in the imported file {filename} (agreed on {date})"


def approval_note(filename: str, planned: PlannedRound) -> str:
    name = filename if len(filename) <= 80 else filename[:77] + "..."
    return APPROVAL_NOTE.format(filename=name, date=govuk_date(planned.agreed_on))


@transaction.atomic
def past_rounds_record(
    *, actor, rounds: list[PlannedRound], filename: str
) -> dict[tuple[str, str], Round]:
    """Make the systems the file's areas need, then record each round the file holds that is
    not already in the portal. Returns every round of the file by (place key, name), those
    recorded now and those skipped as already in the portal, for the investments to attach
    to. Each service checks `actor` may do what it does (a system's facilitator, or a site
    administrator); any ValidationError or PermissionDenied rolls back everything."""
    systems: dict[str, System] = {}
    by_key: dict[tuple[str, str], Round] = {}
    for planned in rounds:
        if planned.skipped:
            by_key[planned.key] = planned.existing
            continue
        system = planned.place.system
        if system is None:
            code = planned.place.area.code
            if planned.place.key not in systems:
                systems[planned.place.key] = system_create_for_area(actor=actor, area_code=code)
            system = systems[planned.place.key]
        by_key[planned.key] = round_record_afterwards(
            actor=actor,
            system=system,
            framework=planned.framework,
            name=planned.name,
            agreed_on=planned.agreed_on,
            approval_note=approval_note(filename, planned),
            levels=[
                RecordedLevel(
                    change=row.change,
                    level=row.level,
                    planned_level=row.planned_level,
                    planned_by=row.planned_by,
                )
                for row in planned.levels
            ],
        )
    return by_key
