"""The demo region's other systems, so that its region page, levels map and summaries (and the
small-number rule of comparisons, which needs five systems) show real distributions.

Five small fictional systems beside Northshire, each with its past Better Care Fund returns
recorded afterwards by the demo's site administrator (as an administrator importing a national
file of past returns would): 2018/19 on the 2017 model, 2022/23 and 2024/25 on the 2020 one.
Their names are made up and they have no area codes. Safe to run again: it adds only what is
missing.
"""

from datetime import timedelta

from django.utils import timezone

from assessments.history_services import RecordedLevel, round_record_afterwards
from assessments.models import Change, Framework, Region, Round, System
from hicm_portal.words import govuk_date

# (name, slug, how far along the system is: added to each of its levels).
SYSTEMS = [
    ("Eastshire", "eastshire-demo", 0),
    ("Westshire", "westshire-demo", 0),
    ("Fellshire", "fellshire-demo", 1),
    ("Moorshire", "moorshire-demo", 0),
    ("Dalesham", "dalesham-demo", 1),
]
# Eastshire chose to be named to its region, so its name shows in the others' comparisons.
NAMED = "eastshire-demo"
# (round name, framework key, years before today, its stage for `_level_number`).
ROUNDS = [
    ("2018/19", "mtoc-2017", 7, 0),
    ("2022/23", "mtoc-2020", 3, 1),
    ("2024/25", "mtoc-2020", 1, 2),
]
EVIDENCE = "Evidence reviewed by the Health and Wellbeing Board."
APPROVED_BY = "{system} Health and Wellbeing Board (demo), {date}"


def _level_number(system_index: int, change_index: int, ahead: int, stage: int) -> int:
    """A level from 1 to 5 that differs between systems and changes: a level higher in the
    2022/23 round than in 2018/19, and in 2024/25 some changes higher again and some slipped
    back, so that the map shows every kind of trend."""
    number = 1 + (system_index * 2 + change_index) % 3 + ahead
    if stage >= 1:
        number += 1
    if stage == 2 and (system_index + change_index) % 4 == 0:
        number += 1
    if stage == 2 and (system_index + change_index) % 5 == 0:
        number -= 2
    return max(1, min(5, number))


def _recorded(change: Change, level) -> RecordedLevel:
    rationale = EVIDENCE if level.needs_evidence else ""
    return RecordedLevel(change=change, level=level, rationale=rationale)


def seed_region_demo(region: Region, actor) -> list[str]:
    """Add the fictional systems to `region` with their recorded rounds; `actor` is a site
    administrator. Returns what it did, for the seed command to print."""
    notes = []
    today = timezone.localdate()
    for system_index, (name, slug, ahead) in enumerate(SYSTEMS):
        system, created = System.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "region": region, "named_in_region": slug == NAMED},
        )
        added = []
        for round_name, key, years_ago, stage in ROUNDS:
            framework = Framework.objects.filter(key=key).first()
            if framework is None or Round.objects.filter(system=system, name=round_name).exists():
                continue
            agreed_on = today - timedelta(days=365 * years_ago + 30 * system_index)
            levels = {level.number: level for level in framework.levels.all()}
            changes = Change.objects.filter(framework=framework, archived=False)
            round_record_afterwards(
                actor=actor,
                system=system,
                framework=framework,
                name=round_name,
                agreed_on=agreed_on,
                approval_note=APPROVED_BY.format(system=name, date=govuk_date(agreed_on)),
                levels=[
                    _recorded(change, levels[_level_number(system_index, index, ahead, stage)])
                    for index, change in enumerate(changes.order_by("position"))
                ],
            )
            added.append(round_name)
        if added:
            notes.append(f"Demo system {name} in {region}: rounds {', '.join(added)} recorded.")
    return notes
