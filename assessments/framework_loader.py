"""Load framework files (`fixtures/frameworks/*.yaml`) into the library.

Rules:
- A framework is identified by its `key`; `version` is the revision of the file's content.
- A file whose version is higher than the loaded one updates the framework in place. Changes
  and framework actions the new file no longer lists are archived, never deleted, because
  ratings and plans may point at them. Fields a file leaves out are left as they are, so
  wording an administrator imported survives an update that does not carry wording itself.
- A file whose version is lower than or equal to the loaded one changes nothing, and says so.
- Every file is checked before anything is written. One malformed file refuses the whole
  load with a message naming the file and the key at fault; nothing is half-loaded.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from assessments.models import (
    Change,
    ChangeAction,
    Crosswalk,
    Descriptor,
    Framework,
    Group,
    Level,
)
from hicm_portal.yaml_files import read_yaml

# The five HICM levels and their generic definitions (seeds 002 and 004).
STANDARD_LEVELS: list[dict[str, Any]] = [
    {
        "number": 1,
        "name": "Not yet established",
        "definition": (
            "Processes are typically undocumented and driven in an ad hoc reactive manner"
        ),
    },
    {
        "number": 2,
        "name": "Plans in place",
        "definition": (
            "Developed a strategy and starting to implement, however processes are inconsistent"
        ),
    },
    {
        "number": 3,
        "name": "Established",
        "definition": (
            "Defined and standard processes in place, repeatedly used, "
            "subject to improvement over time"
        ),
    },
    {
        "number": 4,
        "name": "Mature",
        "definition": (
            "Processes have been tested across variable conditions over a period of time, "
            "evidence of impact beginning to show"
        ),
    },
    {
        "number": 5,
        "name": "Exemplary",
        "definition": (
            "Fully embedded within the system and outcomes for people reflect this, continual "
            "improvement driven by incremental and innovative changes"
        ),
    },
]

GROUP_KINDS = {choice.value for choice in Group.Kind}


class FrameworkFileError(Exception):
    """A framework file that cannot be loaded; the message names the file and the key."""


@dataclass
class LoadResult:
    key: str
    outcome: str  # "created", "updated", "unchanged", "skipped"
    message: str


# ---------------------------------------------------------------------------
# Checking


def _fail(path: Path, where: str, problem: str) -> None:
    raise FrameworkFileError(f"{path.name}: {where}: {problem}")


def _text(path: Path, data: dict, key: str, where: str, *, required: bool, limit: int = 0) -> None:
    if key not in data or data[key] is None:
        if required:
            _fail(path, f"{where}{key}", "is required")
        return
    value = data[key]
    if not isinstance(value, str) or (required and not value.strip()):
        _fail(path, f"{where}{key}", "must be non-empty text")
    if limit and len(value) > limit:
        _fail(path, f"{where}{key}", f"must be at most {limit} characters")


def _text_list(path: Path, data: dict, key: str, where: str) -> None:
    value = data.get(key)
    if value is None:
        return
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        _fail(path, f"{where}{key}", "must be a list of text")


def _measures(path: Path, change: dict, where: str) -> None:
    """A change's suggested measures: a list of {name, unit}, names as long as a system's
    measure may be named (200 characters), units 50, no name twice."""
    measures = change.get("measures")
    if measures is None:
        return
    if not isinstance(measures, list):
        _fail(path, f"{where}measures", "must be a list of measures, each with a name and a unit")
    names: set[str] = set()
    for index, measure in enumerate(measures):
        measure_where = f"{where}measures[{index}]."
        if not isinstance(measure, dict):
            _fail(path, f"{where}measures[{index}]", "must be a mapping with a name and a unit")
        unknown = sorted(str(key) for key in measure if key not in ("name", "unit"))
        if unknown:
            _fail(path, f"{where}measures[{index}]", f"has unknown keys: {', '.join(unknown)}")
        _text(path, measure, "name", measure_where, required=True, limit=200)
        _text(path, measure, "unit", measure_where, required=False, limit=50)
        name = measure["name"].strip()
        if name.casefold() in names:
            _fail(path, f"{measure_where}name", f"{name!r} is used twice")
        names.add(name.casefold())


def _code(path: Path, data: dict, where: str) -> str:
    code = data.get("code")
    if isinstance(code, int) and not isinstance(code, bool):
        code = str(code)
    if not isinstance(code, str) or not code.strip() or len(code) > 20:
        _fail(path, f"{where}code", "must be text of at most 20 characters")
    return code.strip()


def check_framework_data(path: Path, data: Any) -> dict:
    """Check one parsed file; return it with codes normalised to text."""
    if not isinstance(data, dict):
        _fail(path, "(top level)", "must be a mapping of keys to values")
    for key in ("key", "title", "short_title", "publisher"):
        _text(path, data, key, "", required=True, limit=200)
    key = data["key"]
    if not key.replace("-", "").isalnum() or key.lower() != key or len(key) > 60:
        _fail(path, "key", "must be lowercase letters, digits and hyphens")
    for key_name in ("version", "year"):
        value = data.get(key_name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            _fail(path, key_name, "must be a whole number of 1 or more")
    if not isinstance(data.get("complete", True), bool):
        _fail(path, "complete", "must be true or false")
    _text(path, data, "source_note", "", required=False)

    levels = data.get("levels")
    if levels is not None:
        if not isinstance(levels, list) or not levels:
            _fail(path, "levels", "must be a non-empty list")
        for index, level in enumerate(levels):
            where = f"levels[{index}]."
            if not isinstance(level, dict):
                _fail(path, f"levels[{index}]", "must be a mapping")
            if level.get("number") != index + 1:
                _fail(path, f"{where}number", f"must be {index + 1}: levels count up from 1")
            _text(path, level, "name", where, required=True, limit=60)
            _text(path, level, "definition", where, required=True)
    level_count = len(levels) if levels else len(STANDARD_LEVELS)

    group_codes: set[str] = set()
    groups = data.get("groups") or []
    if not isinstance(groups, list):
        _fail(path, "groups", "must be a list")
    for index, group in enumerate(groups):
        where = f"groups[{index}]."
        if not isinstance(group, dict):
            _fail(path, f"groups[{index}]", "must be a mapping")
        code = _code(path, group, where)
        if code in group_codes:
            _fail(path, f"{where}code", f"{code!r} is used twice")
        group_codes.add(code)
        group["code"] = code
        if group.get("kind") not in GROUP_KINDS:
            _fail(path, f"{where}kind", f"must be one of {', '.join(sorted(GROUP_KINDS))}")
        _text(path, group, "title", where, required=True, limit=200)
        _text(path, group, "description", where, required=False)

    changes = data.get("changes")
    if not isinstance(changes, list) or not changes:
        _fail(path, "changes", "must be a non-empty list")
    change_codes: set[str] = set()
    for index, change in enumerate(changes):
        where = f"changes[{index}]."
        if not isinstance(change, dict):
            _fail(path, f"changes[{index}]", "must be a mapping")
        code = _code(path, change, where)
        if code in change_codes:
            _fail(path, f"{where}code", f"{code!r} is used twice")
        change_codes.add(code)
        change["code"] = code
        _text(path, change, "title", where, required=True, limit=200)
        for key_name in ("summary", "i_statement", "we_statement"):
            _text(path, change, key_name, where, required=False)
        _text_list(path, change, "tips", where)
        _measures(path, change, where)
        change_groups = change.get("groups") or []
        if not isinstance(change_groups, list):
            _fail(path, f"{where}groups", "must be a list of group codes")
        for group_code in change_groups:
            if str(group_code) not in group_codes:
                _fail(path, f"{where}groups", f"names group {group_code!r}, which is not defined")
        action_codes: set[str] = set()
        for action_index, action in enumerate(change.get("actions") or []):
            action_where = f"{where}actions[{action_index}]."
            if not isinstance(action, dict):
                _fail(path, f"{where}actions[{action_index}]", "must be a mapping")
            action_code = _code(path, action, action_where)
            if action_code in action_codes:
                _fail(path, f"{action_where}code", f"{action_code!r} is used twice")
            action_codes.add(action_code)
            action["code"] = action_code
            _text(path, action, "title", action_where, required=True)
            _text_list(path, action, "points", action_where)
            if action.get("group") is not None and str(action["group"]) not in group_codes:
                _fail(path, f"{action_where}group", f"group {action['group']!r} is not defined")
        descriptors = change.get("descriptors") or {}
        if not isinstance(descriptors, dict):
            _fail(path, f"{where}descriptors", "must map level numbers to text")
        for number, text in descriptors.items():
            if not isinstance(number, int) or not 1 <= number <= level_count:
                _fail(path, f"{where}descriptors", f"level {number!r} is not on the scale")
            if not isinstance(text, str) or not text.strip():
                _fail(path, f"{where}descriptors.{number}", "must be non-empty text")

    crosswalk = data.get("crosswalk")
    if crosswalk is not None:
        if not isinstance(crosswalk, dict):
            _fail(path, "crosswalk", "must be a mapping with 'from' and 'changes'")
        _text(path, crosswalk, "from", "crosswalk.", required=True, limit=60)
        mapping = crosswalk.get("changes")
        if not isinstance(mapping, dict) or not mapping:
            _fail(path, "crosswalk.changes", "must map earlier change codes to this file's codes")
        for old, new in mapping.items():
            if str(new) not in change_codes:
                _fail(path, f"crosswalk.changes.{old}", f"names change {new!r}, not in this file")
        crosswalk["changes"] = {str(old): str(new) for old, new in mapping.items()}
    return data


def read_framework_file(path: Path) -> dict:
    return check_framework_data(path, read_yaml(path, FrameworkFileError))


# ---------------------------------------------------------------------------
# Writing


def _order_by_crosswalk(items: list[tuple[Path, dict]]) -> list[tuple[Path, dict]]:
    """Load a framework before any file whose crosswalk points at it."""
    by_key = {data["key"]: (path, data) for path, data in items}
    ordered: list[tuple[Path, dict]] = []
    seen: set[str] = set()

    def visit(key: str, trail: tuple[str, ...]) -> None:
        if key in seen:
            return
        if key in trail:
            path = by_key[key][0]
            _fail(path, "crosswalk.from", "crosswalks form a loop")
        path, data = by_key[key]
        earlier = (data.get("crosswalk") or {}).get("from")
        if earlier in by_key:
            visit(earlier, (*trail, key))
        seen.add(key)
        ordered.append((path, data))

    for key in sorted(by_key):
        visit(key, ())
    return ordered


def _write_framework(path: Path, data: dict, framework: Framework | None) -> Framework:
    fields = {
        "version": data["version"],
        "title": data["title"],
        "short_title": data["short_title"],
        "publisher": data["publisher"],
        "year": data["year"],
        "complete": data.get("complete", True),
        "source_note": data.get("source_note") or "",
        "loaded_at": timezone.now(),
    }
    if framework is None:
        framework = Framework.objects.create(key=data["key"], **fields)
    else:
        for name, value in fields.items():
            setattr(framework, name, value)
        framework.save()

    levels = data.get("levels") or STANDARD_LEVELS
    level_by_number = {}
    for level in levels:
        level_by_number[level["number"]], _ = Level.objects.update_or_create(
            framework=framework,
            number=level["number"],
            defaults={"name": level["name"], "definition": level["definition"]},
        )
    # Levels past the new scale's end are kept only if something refers to them.
    Level.objects.filter(framework=framework, number__gt=len(levels), descriptors=None).delete()

    groups = {}
    for position, group in enumerate(data.get("groups") or []):
        groups[group["code"]], _ = Group.objects.update_or_create(
            framework=framework,
            code=group["code"],
            defaults={
                "kind": group["kind"],
                "title": group["title"],
                "description": group.get("description") or "",
                "position": position,
            },
        )
    Group.objects.filter(framework=framework).exclude(code__in=groups).delete()

    kept_codes = []
    for position, item in enumerate(data["changes"]):
        defaults: dict[str, Any] = {"title": item["title"], "position": position, "archived": False}
        for optional in ("summary", "i_statement", "we_statement", "tips"):
            if item.get(optional) is not None:
                defaults[optional] = item[optional]
        if item.get("measures") is not None:
            defaults["suggested_measures"] = [
                {"name": measure["name"].strip(), "unit": (measure.get("unit") or "").strip()}
                for measure in item["measures"]
            ]
        change, _ = Change.objects.update_or_create(
            framework=framework, code=item["code"], defaults=defaults
        )
        change.full_clean()
        kept_codes.append(change.code)
        if "groups" in item:
            change.groups.set([groups[str(code)] for code in item["groups"] or []])
        action_codes = []
        for action_position, action in enumerate(item.get("actions") or []):
            ChangeAction.objects.update_or_create(
                change=change,
                code=action["code"],
                defaults={
                    "title": action["title"],
                    "points": action.get("points") or [],
                    "group": groups.get(str(action["group"])) if action.get("group") else None,
                    "position": action_position,
                    "archived": False,
                },
            )
            action_codes.append(action["code"])
        if "actions" in item:
            change.actions.exclude(code__in=action_codes).update(archived=True)
        for number, text in (item.get("descriptors") or {}).items():
            Descriptor.objects.update_or_create(
                change=change, level=level_by_number[number], defaults={"text": text}
            )
    Change.objects.filter(framework=framework).exclude(code__in=kept_codes).update(archived=True)

    crosswalk = data.get("crosswalk")
    if crosswalk:
        try:
            earlier = Framework.objects.get(key=crosswalk["from"])
        except Framework.DoesNotExist:
            _fail(path, "crosswalk.from", f"framework {crosswalk['from']!r} is not loaded")
        earlier_changes = {c.code: c for c in earlier.changes.all()}
        these_changes = {c.code: c for c in framework.changes.all()}
        Crosswalk.objects.filter(to_change__framework=framework).delete()
        for old, new in crosswalk["changes"].items():
            if old not in earlier_changes:
                _fail(path, f"crosswalk.changes.{old}", f"{crosswalk['from']} has no change {old}")
            Crosswalk.objects.create(from_change=earlier_changes[old], to_change=these_changes[new])
        framework.predecessor = earlier
        framework.save(update_fields=["predecessor"])
    return framework


def load_framework_files(paths: list[Path], *, dry_run: bool = False) -> list[LoadResult]:
    """Check every file, then load them in one transaction. Raises FrameworkFileError."""
    items = [(path, read_framework_file(path)) for path in sorted(paths)]
    seen: dict[str, Path] = {}
    for path, data in items:
        if data["key"] in seen:
            _fail(path, "key", f"{data['key']!r} is also the key of {seen[data['key']].name}")
        seen[data["key"]] = path

    results = []
    with transaction.atomic():
        for path, data in _order_by_crosswalk(items):
            existing = Framework.objects.filter(key=data["key"]).first()
            if existing is not None and data["version"] <= existing.version:
                relation = "the same as" if data["version"] == existing.version else "older than"
                results.append(
                    LoadResult(
                        data["key"],
                        "unchanged" if data["version"] == existing.version else "skipped",
                        f"{path.name}: version {data['version']} is {relation} the loaded "
                        f"version {existing.version} of {data['key']}; nothing changed",
                    )
                )
                continue
            previous_version = existing.version if existing else None
            _write_framework(path, data, existing)
            if existing is None:
                outcome, text = "created", f"loaded {data['key']} version {data['version']}"
            else:
                outcome = "updated"
                text = f"updated {data['key']} from version {previous_version} to {data['version']}"
            results.append(LoadResult(data["key"], outcome, f"{path.name}: {text}"))
        if dry_run:
            transaction.set_rollback(True)
    return results
