"""What the names in a file of past returns stand for in the portal, looked up once: the
system each row names (by area code or slug, or an area of the reference list to make a
system of), and frameworks with their changes and levels. Each is read in one query (or once
per framework), so reading a national file costs no query per row.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assessments.areas import Area, hwb_area
from assessments.history_import.files import Record
from assessments.models import Change, Framework, Level, System

# What people are told, in GOV.UK style. A row's problem is shown after "Row 5, column system: ".
PLACE_MISSING = "Enter the area's ONS code (area_code) or the system's name in the portal (system)"
AREA_UNKNOWN = "{code} is not the ONS code of a Health and Wellbeing Board area"
AREA_NOT_IN_PORTAL = "No system in the portal has the area code {code} ({area}). {remedy}"
AREA_NAME_TAKEN = (
    "The system {system} has no area code, so {code} cannot be found. Give it its area code "
    "in the admin, or name it in the column system"
)
SYSTEM_UNKNOWN = "There is no system {slug} in the portal"
NOT_YOUR_SYSTEM = "You can import returns for {systems} only"
SYSTEM_WITHOUT_CODE = (
    "{system} has no area code in the portal, so it cannot be matched with {code} ({other}). "
    "Give it its area code in the admin, or leave area_code empty"
)
PLACES_DIFFER = "{slug} is {system}, but area code {code} is {other}"
LEVEL_UNKNOWN = (
    "{text} is not a level of {framework}. Use one of: {levels}, or a number from 1 to {top}"
)


@dataclass(frozen=True)
class Place:
    """The system a row is for: one in the portal, or an area to make a system of."""

    key: str
    label: str
    system: System | None = None
    area: Area | None = None


class Places:
    """Finds the system each row names, by area code or slug, looked up once.

    `systems` are those the person may import for (their own, for a facilitator), or None
    for any system (a site administrator). With `create_systems` an area code that no system
    carries becomes a system to create from the reference list."""

    def __init__(self, *, systems: Iterable[System] | None, create_systems: bool = False):
        self.limited = systems is not None
        known = list(systems) if systems is not None else list(System.objects.all())
        self.by_slug = {system.slug: system for system in known}
        self.by_area = {system.area_code.upper(): system for system in known if system.area_code}
        self.by_name = {system.name.casefold(): system for system in known}
        self.create_systems = create_systems and not self.limited
        self.areas: dict[str, Area | None] = {}
        self.names = " and ".join(system.name for system in known)

    def _area(self, code: str) -> Area | None:
        if code not in self.areas:
            self.areas[code] = hwb_area(code)
        return self.areas[code]

    def find(self, record: Record, problem) -> Place | None:
        """The record's place, or None after telling `problem(column, message)` why not."""
        code = record.text("area_code").upper()
        slug = record.text("system")
        if not code and not slug:
            problem("area_code", PLACE_MISSING)
            return None
        by_slug = self.by_slug.get(slug) if slug else None
        by_area = self.by_area.get(code) if code else None
        if slug and by_slug is None:
            message = NOT_YOUR_SYSTEM if self.limited else SYSTEM_UNKNOWN
            problem("system", message.format(slug=slug, systems=self.names))
            return None
        if code and by_area is None:
            return self._new_area(code, slug, problem)
        if by_slug and by_area and by_slug.pk != by_area.pk:
            problem(
                "system",
                PLACES_DIFFER.format(slug=slug, system=by_slug, code=code, other=by_area),
            )
            return None
        system = by_slug or by_area
        return Place(key=f"system:{system.pk}", label=system.name, system=system)

    def _new_area(self, code: str, slug: str, problem) -> Place | None:
        if self.limited:
            problem("area_code", NOT_YOUR_SYSTEM.format(systems=self.names))
            return None
        area = self._area(code)
        if area is None:
            problem("area_code", AREA_UNKNOWN.format(code=code))
            return None
        if slug:
            system = self.by_slug[slug]
            message = SYSTEM_WITHOUT_CODE if not system.area_code else PLACES_DIFFER
            problem("system", message.format(slug=slug, system=system, code=code, other=area.name))
            return None
        named = self.by_name.get(area.name.casefold())
        if named is not None:
            problem("area_code", AREA_NAME_TAKEN.format(code=code, system=named.name))
            return None
        if not self.create_systems:
            remedy = (
                "Give the system its area code in the admin, or import with the option to "
                "create missing systems"
            )
            problem(
                "area_code", AREA_NOT_IN_PORTAL.format(code=code, area=area.name, remedy=remedy)
            )
            return None
        return Place(key=f"area:{code}", label=area.name, area=area)


class FrameworkLookup:
    """Frameworks by key, and each framework's live changes by code and levels by name or
    number, read once per framework."""

    def __init__(self):
        self.by_key = {framework.key: framework for framework in Framework.objects.all()}
        self.changes: dict[int, dict[str, Change]] = {}
        self.levels: dict[int, dict[str, Level]] = {}
        self.level_lists: dict[int, list[Level]] = {}

    def framework(self, key: str) -> Framework | None:
        return self.by_key.get(key.strip().lower())

    def changes_of(self, framework: Framework) -> dict[str, Change]:
        if framework.pk not in self.changes:
            live = Change.objects.filter(framework=framework, archived=False).order_by("position")
            self.changes[framework.pk] = {change.code.casefold(): change for change in live}
        return self.changes[framework.pk]

    def change(self, framework: Framework, code: str) -> Change | None:
        return self.changes_of(framework).get(code.strip().casefold())

    def levels_of(self, framework: Framework) -> list[Level]:
        if framework.pk not in self.levels:
            levels = list(Level.objects.filter(framework=framework).order_by("number"))
            self.level_lists[framework.pk] = levels
            names: dict[str, Level] = {}
            for level in levels:
                names[level.name.casefold()] = level
                names[str(level.number)] = level
                names[f"{level.number} {level.name.casefold()}"] = level
            self.levels[framework.pk] = names
        return self.level_lists[framework.pk]

    def level(self, framework: Framework, text: str) -> Level | None:
        """A level by its name in any case ("established"), its number ("3") or both
        ("3 Established", "3. Established", "3 - Established")."""
        self.levels_of(framework)
        wanted = " ".join(text.split()).casefold()
        wanted = re.sub(r"^(\d+)\s*[.:)–-]?\s*", r"\1 ", wanted).strip()
        return self.levels[framework.pk].get(wanted)

    def level_problem(self, framework: Framework, text: str) -> str:
        levels = self.levels_of(framework)
        return LEVEL_UNKNOWN.format(
            text=text,
            framework=framework.short_title,
            levels=", ".join(level.name for level in levels),
            top=levels[-1].number if levels else 0,
        )
