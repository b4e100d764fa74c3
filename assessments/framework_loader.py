"""Load framework documents into the library: YAML files (`fixtures/frameworks/*.yaml`, the
`load_frameworks` command) and uploads (YAML or the spreadsheet template, `library_services`).

A document is the mapping a framework's YAML file gives; the spreadsheet reader makes the same
mapping. Whatever its source, one document is checked by `document_problems` (its own content)
and `library_problems` (what it refers to in the library), and written by `document_load`.

Rules:
- A framework is identified by its `key`; `version` is the revision of the document's content.
- A document whose version is higher than the loaded one updates the framework in place.
  Changes and framework actions it no longer lists are archived, never deleted, because
  ratings and plans may point at them. Wording it leaves out (a key absent, not an empty
  value) is left as it is, so wording an administrator imported survives an update that does
  not carry wording itself; a change that lists its descriptors has those and no others.
- A document whose version is lower than or equal to the loaded one changes nothing, and says so.
- Everything is checked before anything is written, and every problem is named, with where
  it is (a file and a key, or a sheet, a row and a column). Nothing is half-loaded.
- Each framework written gets a wording version (`framework_versions.version_record`), with
  the file or upload it came from and who uploaded it.
"""

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from assessments.framework_versions import version_record
from assessments.library_checks import (
    STANDARD_LEVELS,
    Locate,
    Problem,
    document_problems,
    normalised_code,
    problems_text,
)
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

__all__ = [
    "STANDARD_LEVELS",
    "FrameworkFileError",
    "LoadResult",
    "Problem",
    "document_load",
    "document_problems",
    "library_problems",
    "load_framework_files",
    "read_framework_file",
]


class FrameworkFileError(Exception):
    """A framework document that cannot be loaded; the message names every problem and where
    it is. `problems` holds them one by one."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []


@dataclass
class LoadResult:
    key: str
    outcome: str  # "created", "updated", "unchanged", "skipped"
    message: str
    framework: Framework | None = None


def _refuse(problems: list[Problem]) -> None:
    if problems:
        raise FrameworkFileError(problems_text(problems), problems)


# ---------------------------------------------------------------------------
# Checking against the library


def library_problems(data: dict, *, source: str, locate: Locate | None = None) -> list[Problem]:
    """What a checked document refers to that the library does not hold: the earlier framework
    of its crosswalk, and that framework's changes."""
    crosswalk = data.get("crosswalk")
    if not crosswalk:
        return []

    def problem(path: tuple, message: str, column: str | None = None) -> Problem:
        return Problem.at(path, message, source=source, locate=locate, column=column)

    earlier = Framework.objects.filter(key=crosswalk["from"]).first()
    if earlier is None:
        return [problem(("crosswalk", "from"), f"framework {crosswalk['from']!r} is not loaded")]
    codes = set(earlier.changes.values_list("code", flat=True))
    return [
        problem(
            ("crosswalk", "changes", str(old)),
            f"{earlier.key} has no change {old}",
            "earlier_change",
        )
        for old in crosswalk["changes"]
        if normalised_code(old) not in codes
    ]


# ---------------------------------------------------------------------------
# Writing


def _normalised(data: dict) -> dict:
    """A copy of a checked document with every code as text (YAML reads `1` as a number)."""
    data = copy.deepcopy(data)
    for group in data.get("groups") or []:
        group["code"] = normalised_code(group["code"])
    for change in data["changes"]:
        change["code"] = normalised_code(change["code"])
        if change.get("groups") is not None:
            change["groups"] = [normalised_code(code) for code in change["groups"]]
        for action in change.get("actions") or []:
            action["code"] = normalised_code(action["code"])
            if action.get("group") is not None:
                action["group"] = normalised_code(action["group"])
    crosswalk = data.get("crosswalk")
    if crosswalk:
        crosswalk["changes"] = {
            normalised_code(old): normalised_code(new) for old, new in crosswalk["changes"].items()
        }
    return data


def _write_framework(data: dict, framework: Framework | None) -> Framework:
    fields: dict[str, Any] = {
        "version": data["version"],
        "title": data["title"],
        "short_title": data["short_title"],
        "publisher": data["publisher"],
        "year": data["year"],
        "complete": data.get("complete", True),
        "rate_enablers": data.get("rate_enablers", False),
        "source_note": data.get("source_note") or "",
        "loaded_at": timezone.now(),
    }
    for optional in ("introduction", "measuring_success", "principles"):
        if data.get(optional) is not None:
            fields[optional] = data[optional]
    if framework is None:
        framework = Framework(key=data["key"], **fields)
    else:
        for name, value in fields.items():
            setattr(framework, name, value)
    framework.full_clean(exclude=["predecessor"])
    framework.save()

    levels = data.get("levels") or STANDARD_LEVELS
    level_by_number = {}
    for level in levels:
        level_by_number[level["number"]], _ = Level.objects.update_or_create(
            framework=framework,
            number=level["number"],
            defaults={"name": level["name"], "definition": level["definition"]},
        )

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
        _write_change(framework, item, position, groups, level_by_number)
        kept_codes.append(item["code"])
    Change.objects.filter(framework=framework).exclude(code__in=kept_codes).update(archived=True)
    # Levels past the new scale's end are kept only if something refers to them (after the
    # changes, whose descriptors of such levels a document may have dropped).
    Level.objects.filter(framework=framework, number__gt=len(levels), descriptors=None).delete()

    crosswalk = data.get("crosswalk")
    if crosswalk:
        earlier = Framework.objects.get(key=crosswalk["from"])
        earlier_changes = {c.code: c for c in earlier.changes.all()}
        these_changes = {c.code: c for c in framework.changes.all()}
        Crosswalk.objects.filter(to_change__framework=framework).delete()
        for old, new in crosswalk["changes"].items():
            Crosswalk.objects.create(from_change=earlier_changes[old], to_change=these_changes[new])
        framework.predecessor = earlier
        framework.save(update_fields=["predecessor"])
    return framework


def _write_change(
    framework: Framework, item: dict, position: int, groups: dict, level_by_number: dict
) -> None:
    defaults: dict[str, Any] = {
        "title": item["title"],
        "kind": item.get("kind") or Change.Kind.CHANGE,
        "position": position,
        "archived": False,
    }
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
    if "groups" in item:
        change.groups.set([groups[code] for code in item["groups"] or []])
    action_codes = []
    for action_position, action in enumerate(item.get("actions") or []):
        ChangeAction.objects.update_or_create(
            change=change,
            code=action["code"],
            defaults={
                "title": action["title"],
                "points": action.get("points") or [],
                "group": groups.get(action["group"]) if action.get("group") else None,
                "position": action_position,
                "archived": False,
            },
        )
        action_codes.append(action["code"])
    if "actions" in item:
        change.actions.exclude(code__in=action_codes).update(archived=True)
    descriptors = item.get("descriptors")
    if descriptors is not None:
        for number, text in descriptors.items():
            Descriptor.objects.update_or_create(
                change=change, level=level_by_number[number], defaults={"text": text}
            )
        change.descriptors.exclude(level__number__in=list(descriptors)).delete()


def document_load(data: Any, *, source: str, actor=None) -> LoadResult:
    """Check one document and write it, in one transaction: a new framework, or an update of
    a loaded one when the document's version is higher. Raises FrameworkFileError naming every
    problem; writes nothing then. `source` names the document (a file's name, an upload) in
    messages and in the framework's wording version, with `actor` as who uploaded it."""
    _refuse(document_problems(data, source=source))
    data = _normalised(data)
    with transaction.atomic():
        existing = Framework.objects.select_for_update().filter(key=data["key"]).first()
        if existing is not None and data["version"] <= existing.version:
            same = data["version"] == existing.version
            return LoadResult(
                data["key"],
                "unchanged" if same else "skipped",
                f"{source}: version {data['version']} is "
                f"{'the same as' if same else 'older than'} the loaded version "
                f"{existing.version} of {data['key']}; nothing changed",
                existing,
            )
        _refuse(library_problems(data, source=source))
        previous_version = existing.version if existing else None
        framework = _write_framework(data, existing)
        version_record(framework, source=source, actor=actor)
    if existing is None:
        return LoadResult(
            data["key"],
            "created",
            f"{source}: loaded {data['key']} version {data['version']}",
            framework,
        )
    return LoadResult(
        data["key"],
        "updated",
        f"{source}: updated {data['key']} from version {previous_version} to {data['version']}",
        framework,
    )


# ---------------------------------------------------------------------------
# Files


def read_framework_file(path: Path) -> dict:
    """One file's document, checked on its own. Raises FrameworkFileError."""
    data = read_yaml(path, FrameworkFileError)
    _refuse(document_problems(data, source=path.name))
    return data


def _order_by_crosswalk(items: list[tuple[Path, dict]]) -> list[tuple[Path, dict]]:
    """Load a framework before any file whose crosswalk points at it."""
    by_key = {data["key"]: (path, data) for path, data in items}
    ordered: list[tuple[Path, dict]] = []
    seen: set[str] = set()

    def visit(key: str, trail: tuple[str, ...]) -> None:
        if key in seen:
            return
        if key in trail:
            name = by_key[key][0].name
            raise FrameworkFileError(f"{name}: crosswalk.from: crosswalks form a loop")
        path, data = by_key[key]
        earlier = (data.get("crosswalk") or {}).get("from")
        if earlier in by_key:
            visit(earlier, (*trail, key))
        seen.add(key)
        ordered.append((path, data))

    for key in sorted(by_key):
        visit(key, ())
    return ordered


def load_framework_files(paths: list[Path], *, dry_run: bool = False) -> list[LoadResult]:
    """Check every file, then load them in one transaction. Raises FrameworkFileError naming
    every problem of every file."""
    items, messages = [], []
    for path in sorted(paths):
        try:
            items.append((path, read_framework_file(path)))
        except FrameworkFileError as error:
            messages.append(str(error))
    seen: dict[str, Path] = {}
    for path, data in items:
        if data["key"] in seen:
            messages.append(
                f"{path.name}: key: {data['key']!r} is also the key of {seen[data['key']].name}"
            )
        seen[data["key"]] = path
    if messages:
        raise FrameworkFileError("\n".join(messages))

    results = []
    with transaction.atomic():
        for path, data in _order_by_crosswalk(items):
            results.append(document_load(data, source=path.name))
        if dry_run:
            transaction.set_rollback(True)
    return results
