"""A framework's wording, kept whole as numbered versions (`FrameworkVersion`).

The framework's rows (levels, groups, changes, actions, descriptors) always hold the newest
wording. Whenever they are written — by the loader, the admin or the wording import —
`version_record` takes a snapshot of them and, if it differs from the newest version, keeps it
as the next version. A round keeps the version it opened with (`Round.framework_version`), so
its partners, review, consensus record and returns read that wording whatever comes later
(`assessments.framework_content.content_for_round`).

A snapshot names rows by their ids, which stay the same from version to version (the loader
updates rows in place and archives what a file drops), so ratings and plans that point at a
change match it in every version. Versions are compared by code, as people read them.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from assessments.models import (
    Change,
    ChangeAction,
    Descriptor,
    Framework,
    FrameworkVersion,
    Group,
    Level,
)

FRAMEWORK_FIELDS = (
    "title",
    "short_title",
    "publisher",
    "year",
    "introduction",
    "principles",
    "measuring_success",
    "rate_enablers",
)
LEVEL_FIELDS = ("number", "name", "definition")
GROUP_FIELDS = ("code", "kind", "title", "description", "position")
CHANGE_FIELDS = (
    "code",
    "title",
    "summary",
    "i_statement",
    "we_statement",
    "tips",
    "suggested_measures",
    "kind",
    "position",
    "archived",
)
ACTION_FIELDS = ("code", "title", "points", "position")


def snapshot(framework: Framework) -> dict[str, Any]:
    """The whole wording of `framework` as its rows hold it now, ready to store as JSON.
    Archived changes are kept (earlier rounds refer to them); archived actions are not shown
    anywhere, so they are left out."""
    framework = Framework.objects.get(pk=framework.pk)  # the rows as written, not a stale copy
    group_ids: dict[int, list[int]] = {}
    for change_id, group_id in Change.groups.through.objects.filter(
        change__framework=framework
    ).values_list("change_id", "group_id"):
        group_ids.setdefault(change_id, []).append(group_id)
    return {
        "framework": {name: getattr(framework, name) for name in FRAMEWORK_FIELDS},
        "levels": [
            {"id": level["id"], **{name: level[name] for name in LEVEL_FIELDS}}
            for level in Level.objects.filter(framework=framework)
            .order_by("number")
            .values("id", *LEVEL_FIELDS)
        ],
        "groups": [
            {"id": group["id"], **{name: group[name] for name in GROUP_FIELDS}}
            for group in Group.objects.filter(framework=framework)
            .order_by("position", "code")
            .values("id", *GROUP_FIELDS)
        ],
        "changes": [
            {
                "id": change["id"],
                **{name: change[name] for name in CHANGE_FIELDS},
                "groups": sorted(group_ids.get(change["id"], [])),
            }
            for change in Change.objects.filter(framework=framework)
            .order_by("position", "code")
            .values("id", *CHANGE_FIELDS)
        ],
        "actions": [
            {
                "id": action["id"],
                "change": action["change_id"],
                "group": action["group_id"],
                **{name: action[name] for name in ACTION_FIELDS},
            }
            for action in ChangeAction.objects.filter(change__framework=framework, archived=False)
            .order_by("change_id", "position", "code")
            .values("id", "change_id", "group_id", *ACTION_FIELDS)
        ],
        "descriptors": [
            {"change": change_id, "level": level_id, "text": text}
            for change_id, level_id, text in Descriptor.objects.filter(change__framework=framework)
            .order_by("change_id", "level__number")
            .values_list("change_id", "level_id", "text")
        ],
    }


def version_record(framework: Framework, *, source: str, actor=None) -> FrameworkVersion | None:
    """Keep the framework's wording as its next version if it differs from the newest one
    (or there is none yet); return the new version, or None when nothing changed.

    Call it inside the transaction that wrote the rows, so a version and its wording are
    written together. The framework's row is locked meanwhile, so two writers cannot take the
    same number.
    """
    with transaction.atomic():
        Framework.objects.select_for_update().filter(pk=framework.pk).first()
        content = snapshot(framework)
        newest = (
            FrameworkVersion.objects.filter(framework=framework)
            .order_by("-number")
            .only("number", "content")
            .first()
        )
        if newest is not None and newest.content == content:
            return None
        version = FrameworkVersion(
            framework=framework,
            number=newest.number + 1 if newest else 1,
            content=content,
            source=source[:300],
            created_by=actor if actor is not None and actor.is_authenticated else None,
            created_at=timezone.now(),
        )
        version.full_clean()
        version.save()
        # Pages keep the newest wording in the cache under a key with `loaded_at`: moving it
        # makes them read this version.
        Framework.objects.filter(pk=framework.pk).update(loaded_at=version.created_at)
        return version


def version_newest(framework: Framework, *, actor=None) -> FrameworkVersion:
    """The framework's newest version, which a round opening now is tied to; version 1 is
    recorded from the rows first when the framework has none yet."""
    newest = FrameworkVersion.objects.filter(framework=framework).order_by("-number").first()
    if newest is None:
        newest = version_record(
            framework, source="The wording when a round first used it", actor=actor
        )
    return newest


def newest_version_of(framework: Framework) -> FrameworkVersion | None:
    """The newest version's number, date, source and author (not its content), for pages."""
    return (
        FrameworkVersion.objects.filter(framework=framework)
        .order_by("-number")
        .defer("content")
        .select_related("created_by")
        .first()
    )


def versions_of(framework: Framework) -> list[FrameworkVersion]:
    """The framework's versions, newest first, without their wording, each with who recorded
    it and `round_count`, the number of rounds that use it. One query."""
    return list(
        FrameworkVersion.objects.filter(framework=framework)
        .defer("content")
        .select_related("created_by")
        .annotate(round_count=Count("rounds"))
        .order_by("-number")
    )


# ---------------------------------------------------------------------------
# Comparing two versions


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class ItemChange:
    name: str  # e.g. "3. Multi-disciplinary working"
    fields: list[FieldChange]


@dataclass
class Section:
    title: str  # "Changes", "Actions"…
    added: list[str] = field(default_factory=list)
    changed: list[ItemChange] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.changed or self.removed)


@dataclass
class Comparison:
    older: FrameworkVersion
    newer: FrameworkVersion
    sections: list[Section]

    @property
    def is_empty(self) -> bool:
        return all(section.is_empty for section in self.sections)


LABELS = {
    "title": "Title",
    "short_title": "Short title",
    "publisher": "Publisher",
    "year": "Year",
    "introduction": "Introduction",
    "principles": "Principles",
    "measuring_success": "Measuring success",
    "rate_enablers": "Rates enablers",
    "name": "Name",
    "definition": "Definition",
    "kind": "Kind",
    "description": "Description",
    "summary": "Summary",
    "i_statement": "I statement",
    "we_statement": "We statement",
    "tips": "Tips for success",
    "suggested_measures": "Suggested measures",
    "groups": "Groups",
    "points": "Points",
    "group": "Group",
    "text": "Text",
}


def as_text(value: Any) -> str:
    """A stored value as a person reads it: lists one item a line."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(_item_text(item) for item in value)
    return str(value)


def _item_text(item: Any) -> str:
    if isinstance(item, dict):
        if "name" in item:  # a suggested measure
            unit = item.get("unit") or ""
            return f"{item['name']} ({unit})" if unit else str(item["name"])
        if "title" in item:  # a principle
            return f"{item['title']}: {item.get('text', '')}"
    return str(item)


def _section(
    title: str,
    older: dict[Any, dict],
    newer: dict[Any, dict],
    fields: tuple[str, ...],
    name_of,
) -> Section:
    """Items of one kind keyed by what people know them by: those only in `newer` are added,
    only in `older` removed; in both, the `fields` whose text differs are changed."""
    section = Section(title)
    for key, item in newer.items():
        if key not in older:
            section.added.append(name_of(item))
            continue
        changes = [
            FieldChange(LABELS[name], as_text(older[key].get(name)), as_text(item.get(name)))
            for name in fields
            if as_text(older[key].get(name)) != as_text(item.get(name))
        ]
        if changes:
            section.changed.append(ItemChange(name_of(item), changes))
    section.removed = [name_of(item) for key, item in older.items() if key not in newer]
    return section


def _readable(content: dict) -> dict[str, dict]:
    """A version's content keyed by codes rather than ids, live items only, with group,
    change and level ids replaced by what people read."""
    groups = {group["id"]: group for group in content.get("groups", [])}
    levels = {level["id"]: level for level in content.get("levels", [])}
    changes = {change["id"]: change for change in content.get("changes", [])}
    live = {pk: change for pk, change in changes.items() if not change["archived"]}
    return {
        "framework": {"": content.get("framework", {})},
        "levels": {level["number"]: level for level in levels.values()},
        "groups": {group["code"]: group for group in groups.values()},
        "changes": {
            change["code"]: {
                **change,
                "groups": [groups[g]["code"] for g in change["groups"] if g in groups],
            }
            for change in live.values()
        },
        "actions": {
            (live[action["change"]]["code"], action["code"]): {
                **action,
                "change_code": live[action["change"]]["code"],
                "group": groups[action["group"]]["code"] if action["group"] in groups else "",
            }
            for action in content.get("actions", [])
            if action["change"] in live
        },
        "descriptors": {
            (live[d["change"]]["code"], levels[d["level"]]["number"]): {
                **d,
                "change_code": live[d["change"]]["code"],
                "level_name": f"{levels[d['level']]['number']} {levels[d['level']]['name']}",
            }
            for d in content.get("descriptors", [])
            if d["change"] in live and d["level"] in levels
        },
    }


def versions_compare(older: FrameworkVersion, newer: FrameworkVersion) -> Comparison:
    """What changed from `older` to `newer`: per kind of item, what was added, changed (with
    each field's old and new text) and removed. A change or action that a version drops is
    "removed" here, though its row is only archived."""
    before, after = _readable(older.content), _readable(newer.content)
    # A change added or removed brings or takes its actions and descriptors with it: they are
    # listed under it, not again one by one.
    in_both = before["changes"].keys() & after["changes"].keys()
    for kind in ("actions", "descriptors"):
        for side in (before, after):
            side[kind] = {key: item for key, item in side[kind].items() if key[0] in in_both}
    sections = [
        _section(
            "The framework",
            before["framework"],
            after["framework"],
            FRAMEWORK_FIELDS,
            lambda _: "The framework's own wording",
        ),
        _section(
            "Levels",
            before["levels"],
            after["levels"],
            ("name", "definition"),
            lambda level: f"{level['number']} {level['name']}",
        ),
        _section(
            "Groups",
            before["groups"],
            after["groups"],
            ("kind", "title", "description"),
            lambda group: f"{group['code']}: {group['title']}",
        ),
        _section(
            "Changes",
            before["changes"],
            after["changes"],
            (
                "title",
                "kind",
                "summary",
                "i_statement",
                "we_statement",
                "tips",
                "suggested_measures",
                "groups",
            ),
            lambda change: f"{change['code']}. {change['title']}",
        ),
        _section(
            "Actions",
            before["actions"],
            after["actions"],
            ("title", "points", "group"),
            lambda action: f"{action['code']} {action['title']} (change {action['change_code']})",
        ),
        _section(
            "Descriptors",
            before["descriptors"],
            after["descriptors"],
            ("text",),
            lambda d: f"Change {d['change_code']} at {d['level_name']}",
        ),
    ]
    return Comparison(older=older, newer=newer, sections=sections)
