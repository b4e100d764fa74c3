"""A framework's content — levels, changes, groups, framework actions, descriptors — as one
version of its wording holds it (`assessments.framework_versions`), kept in Django's cache
because every key page shows it.

A round reads the version it opened with (`content_for_round`); everything else reads the
newest version (`content_of`). A version never changes, so its content is cached under its
id. The newest version is cached under the framework's `loaded_at`, which `version_record`
moves whenever it records a version: a page never sees old wording, and there is nothing to
forget to clear. What the cache holds is plain, unsaved model instances carrying the ids of
the framework's rows, ordered as pages show them, so pages use them as they would the rows.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache

from assessments.framework_versions import snapshot, version_record
from assessments.models import (
    Change,
    ChangeAction,
    Framework,
    FrameworkVersion,
    Group,
    Level,
    Round,
)

# Kept for a day at most; the newest version's key changes whenever the wording does.
TIMEOUT_SECONDS = 24 * 60 * 60


@dataclass
class FrameworkContent:
    levels: list[Level]
    changes: list[Change]  # every change, archived too, in framework order
    groups: dict[int, list[Group]] = field(default_factory=dict)  # by change id
    actions: dict[int, list[ChangeAction]] = field(default_factory=dict)  # live, by change id
    descriptors: dict[int, dict[int, str]] = field(default_factory=dict)  # change id → level id
    # The version's own title, introduction, principles… and whether it rates enablers.
    framework: dict[str, Any] = field(default_factory=dict)
    version_number: int | None = None  # None: no version recorded yet, read from the rows
    all_groups: list[Group] = field(default_factory=list)

    @property
    def rates_enablers(self) -> bool:
        return bool(self.framework.get("rate_enablers"))

    @property
    def live_changes(self) -> list[Change]:
        """What a round rates, reviews, agrees and plans: the changes the version has not
        archived, and its enablers only where the framework rates them. The one place this
        rule is written."""
        return [
            change
            for change in self.changes
            if not change.archived and (change.kind == Change.Kind.CHANGE or self.rates_enablers)
        ]

    @property
    def enablers(self) -> list[Change]:
        """The version's enablers that are not archived, rated or not."""
        return [c for c in self.changes if not c.archived and c.kind == Change.Kind.ENABLER]

    def change(self, code: str, *, live: bool = True) -> Change | None:
        changes = self.live_changes if live else self.changes
        return next((change for change in changes if change.code == code), None)

    def level_by_number(self) -> dict[int, Level]:
        return {level.number: level for level in self.levels}

    def hints(self, change: Change) -> list[tuple[Level, str, bool]]:
        """Per level: (level, the change's descriptor or else the level's generic definition,
        whether it is the change's own descriptor)."""
        own = self.descriptors.get(change.pk, {})
        return [
            (level, own.get(level.pk, level.definition), level.pk in own) for level in self.levels
        ]


def content_of(framework: Framework, version: FrameworkVersion | None = None) -> FrameworkContent:
    """The content of `version`, or else of the framework's newest version. `framework` is an
    instance with its `version` and `loaded_at`."""
    if version is not None:
        return _version_content(version.pk, version)
    key = f"framework-content:{framework.pk}:{framework.version}:{framework.loaded_at.timestamp()}"
    content = cache.get(key)
    if content is None:
        newest = FrameworkVersion.objects.filter(framework=framework.pk).order_by("-number").first()
        if newest is None:
            # Not recorded yet (a framework made outside the loader): the rows are the wording.
            content = build_content(snapshot(framework), framework_id=framework.pk)
        else:
            content = _version_content(newest.pk, newest)
        cache.set(key, content, TIMEOUT_SECONDS)
    return content


def content_for_round(round_: Round) -> FrameworkContent:
    """The wording a round shows: the version it opened with, or the newest while it is a
    draft (so a draft moves to a newer version by itself, until it opens)."""
    if round_.framework_version_id is None:
        return content_of(round_.framework)
    return _version_content(round_.framework_version_id)


def _version_content(version_id: int, version: FrameworkVersion | None = None) -> FrameworkContent:
    key = f"framework-version:{version_id}"
    content = cache.get(key)
    if content is None:
        if version is None:
            version = FrameworkVersion.objects.get(pk=version_id)
        content = build_content(
            version.content, framework_id=version.framework_id, version_number=version.number
        )
        cache.set(key, content, TIMEOUT_SECONDS)
    return content


def build_content(
    wording: dict, *, framework_id: int, version_number: int | None = None
) -> FrameworkContent:
    """Unsaved model instances, carrying the rows' ids, from a version's stored wording."""
    levels = [
        Level(
            pk=level["id"],
            framework_id=framework_id,
            number=level["number"],
            name=level["name"],
            definition=level["definition"],
        )
        for level in wording.get("levels", [])
    ]
    groups = {
        group["id"]: Group(
            pk=group["id"],
            framework_id=framework_id,
            code=group["code"],
            kind=group["kind"],
            title=group["title"],
            description=group["description"],
            position=group["position"],
        )
        for group in wording.get("groups", [])
    }
    content = FrameworkContent(
        levels=levels,
        changes=[],
        framework=dict(wording.get("framework", {})),
        version_number=version_number,
        all_groups=list(groups.values()),
    )
    changes = {}
    for item in wording.get("changes", []):
        change = Change(
            pk=item["id"],
            framework_id=framework_id,
            code=item["code"],
            title=item["title"],
            summary=item["summary"],
            i_statement=item["i_statement"],
            we_statement=item["we_statement"],
            tips=item["tips"],
            suggested_measures=item["suggested_measures"],
            kind=item["kind"],
            position=item["position"],
            archived=item["archived"],
        )
        changes[change.pk] = change
        content.changes.append(change)
        change_groups = [groups[g] for g in item["groups"] if g in groups]
        if change_groups:
            content.groups[change.pk] = sorted(change_groups, key=lambda g: g.position)
    for item in wording.get("actions", []):
        if item["change"] not in changes:
            continue
        content.actions.setdefault(item["change"], []).append(
            ChangeAction(
                pk=item["id"],
                change=changes[item["change"]],
                code=item["code"],
                title=item["title"],
                points=item["points"],
                group=groups.get(item["group"]),
                position=item["position"],
                archived=False,
            )
        )
    for item in wording.get("descriptors", []):
        content.descriptors.setdefault(item["change"], {})[item["level"]] = item["text"]
    return content


def framework_edited(framework_id: int, *, source: str = "Edited in the admin", actor=None) -> None:
    """Record that a framework's rows were written outside the loader (the admin, the wording
    import): if the wording changed, it becomes the framework's next version, which pages of
    the framework and rounds opened from now on show."""
    version_record(Framework(pk=framework_id), source=source, actor=actor)
