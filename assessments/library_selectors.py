"""Reads for the framework library's pages: the frameworks; a loaded framework as the document
the loader reads (for the YAML and spreadsheet downloads); an upload's preview."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from assessments.library_checks import STANDARD_LEVELS
from assessments.models import Change, ChangeAction, Crosswalk, Descriptor, Framework


def library_frameworks() -> list[Framework]:
    """Every framework, with its count of live changes."""
    return list(
        Framework.objects.annotate(
            change_count=Count("changes", filter=Q(changes__archived=False))
        ).order_by("short_title", "-year")
    )


def library_framework(key: str) -> Framework:
    return get_object_or_404(Framework, key=key)


def framework_document(framework: Framework) -> dict:
    """A loaded framework as a document (the mapping a framework file gives): its live changes
    and actions, in order, with every field written out, so that loading it again with a
    higher version gives the same framework."""
    changes = list(
        Change.objects.filter(framework=framework, archived=False)
        .prefetch_related("groups")
        .order_by("position", "code")
    )
    actions: dict[int, list[dict]] = {}
    for action in (
        ChangeAction.objects.filter(change__framework=framework, archived=False)
        .select_related("group")
        .order_by("position", "code")
    ):
        actions.setdefault(action.change_id, []).append(
            {
                "code": action.code,
                "group": action.group.code if action.group else None,
                "title": action.title,
                "points": list(action.points or []),
            }
        )
    descriptors: dict[int, dict[int, str]] = {}
    for change_id, number, text in (
        Descriptor.objects.filter(change__framework=framework)
        .order_by("level__number")
        .values_list("change_id", "level__number", "text")
    ):
        descriptors.setdefault(change_id, {})[number] = text
    document = {
        "key": framework.key,
        "version": framework.version,
        "title": framework.title,
        "short_title": framework.short_title,
        "publisher": framework.publisher,
        "year": framework.year,
        "complete": framework.complete,
        "rate_enablers": framework.rate_enablers,
        "source_note": framework.source_note,
        "introduction": framework.introduction,
        "measuring_success": framework.measuring_success,
        "principles": [
            {"title": principle.get("title", ""), "text": principle.get("text", "")}
            for principle in framework.principles or []
        ],
        "levels": [
            {"number": level.number, "name": level.name, "definition": level.definition}
            for level in framework.levels.order_by("number")
        ],
        "groups": [
            {
                "code": group.code,
                "kind": group.kind,
                "title": group.title,
                "description": group.description,
            }
            for group in framework.groups.order_by("position", "code")
        ],
        "changes": [
            {
                "code": change.code,
                "kind": change.kind,
                "title": change.title,
                "groups": [group.code for group in sorted(change.groups.all(), key=_group_order)],
                "summary": change.summary,
                "i_statement": change.i_statement,
                "we_statement": change.we_statement,
                "tips": list(change.tips or []),
                "measures": [
                    {"name": measure["name"], "unit": measure.get("unit") or ""}
                    for measure in change.suggested_measures or []
                ],
                "actions": actions.get(change.pk, []),
                "descriptors": descriptors.get(change.pk, {}),
            }
            for change in changes
        ],
    }
    crosswalk = _crosswalk(framework)
    if crosswalk:
        document["crosswalk"] = crosswalk
    return document


def _group_order(group) -> tuple:
    return (group.position, group.code)


def _crosswalk(framework: Framework) -> dict | None:
    if framework.predecessor_id is None:
        return None
    mapping = dict(
        Crosswalk.objects.filter(
            to_change__framework=framework,
            to_change__archived=False,
            from_change__framework=framework.predecessor_id,
        )
        .order_by("from_change__position", "from_change__code")
        .values_list("from_change__code", "to_change__code")
    )
    if not mapping:
        return None
    return {"from": framework.predecessor.key, "changes": mapping}


# ---------------------------------------------------------------------------
# The preview of an upload: the model as partners will see it


@dataclass
class PreviewLevel:
    number: Any
    name: str
    text: str
    is_descriptor: bool


@dataclass
class PreviewAction:
    code: str
    title: str
    group: str
    points: list[str]


@dataclass
class PreviewChange:
    code: str
    kind: str
    title: str
    summary: str
    i_statement: str
    we_statement: str
    tips: list[str]
    measures: list[str]
    groups: list[str]
    levels: list[PreviewLevel]
    actions: list[PreviewAction]

    @property
    def is_enabler(self) -> bool:
        return self.kind == Change.Kind.ENABLER


@dataclass
class UploadPreview:
    """An uploaded document shaped for the preview page; what cannot be read is left out
    (its problems are listed beside it)."""

    document: dict
    existing: Framework | None
    complete: bool = True
    principles: list[dict] = field(default_factory=list)
    levels: list[dict] = field(default_factory=list)
    groups: list[dict] = field(default_factory=list)
    changes: list[PreviewChange] = field(default_factory=list)
    crosswalk: list[tuple[str, str]] = field(default_factory=list)  # "code. title" pairs
    archived_changes: list[str] = field(default_factory=list)


def _items(value: Any) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _strings(value: Any) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []


def _say(value: Any) -> str:
    return "" if value is None else str(value)


def _named(code: str, titles: dict[str, str]) -> str:
    return f"{code}. {titles[code]}" if code in titles else code


def upload_preview(document: dict, existing: Framework | None) -> UploadPreview:
    """The document of an upload as the preview shows it: the framework's details, principles,
    scale and groups, each change with its descriptor (or the level's definition) at each level
    and its actions, the crosswalk, and, for an update, the changes it would archive."""
    levels = _items(document.get("levels")) or STANDARD_LEVELS
    groups = _items(document.get("groups"))
    group_names = {_say(g.get("code")): f"{g.get('code')}: {g.get('title')}" for g in groups}
    preview = UploadPreview(
        document=document,
        existing=existing,
        complete=document.get("complete", True) is not False,
        principles=_items(document.get("principles")),
        levels=levels,
        groups=groups,
    )
    for change in _items(document.get("changes")):
        descriptors = (
            change.get("descriptors") if isinstance(change.get("descriptors"), dict) else {}
        )
        preview.changes.append(
            PreviewChange(
                code=_say(change.get("code")),
                kind=_say(change.get("kind") or Change.Kind.CHANGE),
                title=_say(change.get("title")),
                summary=_say(change.get("summary")),
                i_statement=_say(change.get("i_statement")),
                we_statement=_say(change.get("we_statement")),
                tips=_strings(change.get("tips")),
                measures=[
                    f"{m.get('name')} ({m['unit']})" if m.get("unit") else _say(m.get("name"))
                    for m in _items(change.get("measures"))
                ],
                groups=[
                    group_names.get(_say(code), _say(code))
                    for code in _strings(change.get("groups"))
                ],
                levels=[
                    PreviewLevel(
                        number=level.get("number"),
                        name=_say(level.get("name")),
                        text=_say(descriptors.get(level.get("number"), level.get("definition"))),
                        is_descriptor=level.get("number") in descriptors,
                    )
                    for level in levels
                ],
                actions=[
                    PreviewAction(
                        code=_say(action.get("code")),
                        title=_say(action.get("title")),
                        group=group_names.get(_say(action.get("group")), "")
                        if action.get("group")
                        else "",
                        points=_strings(action.get("points")),
                    )
                    for action in _items(change.get("actions"))
                ],
            )
        )
    crosswalk = document.get("crosswalk")
    if isinstance(crosswalk, dict) and isinstance(crosswalk.get("changes"), dict):
        earlier = dict(
            Change.objects.filter(framework__key=_say(crosswalk.get("from"))).values_list(
                "code", "title"
            )
        )
        these = {change.code: change.title for change in preview.changes}
        preview.crosswalk = [
            (_named(_say(old), earlier), _named(_say(new), these))
            for old, new in crosswalk["changes"].items()
        ]
    if existing is not None:
        codes = {change.code for change in preview.changes}
        preview.archived_changes = [
            f"{code}. {title}"
            for code, title in existing.changes.filter(archived=False)
            .order_by("position")
            .values_list("code", "title")
            if code not in codes
        ]
    return preview
