"""A framework's content — levels, changes, groups, framework actions, descriptors — read once
and kept in Django's cache, because every key page shows it and it almost never changes.

The cache key holds the framework's `version` and `loaded_at`. Nothing else invalidates it:
the loader sets both when it loads a file, and every other write of framework content (the
admin's change forms and the official wording import) goes through `framework_edited()`,
which moves `loaded_at`. A page therefore never sees old wording, and there is nothing to
forget to clear. What the cache holds is plain model instances, ordered as pages show them.
"""

from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils import timezone

from assessments.models import Change, ChangeAction, Descriptor, Framework, Group, Level

# Kept for a day at most; the key changes whenever the content does.
TIMEOUT_SECONDS = 24 * 60 * 60


@dataclass
class FrameworkContent:
    levels: list[Level]
    changes: list[Change]  # every change, archived too, in framework order
    groups: dict[int, list[Group]] = field(default_factory=dict)  # by change id
    actions: dict[int, list[ChangeAction]] = field(default_factory=dict)  # live, by change id
    descriptors: dict[int, dict[int, str]] = field(default_factory=dict)  # change id → level id

    @property
    def live_changes(self) -> list[Change]:
        return [change for change in self.changes if not change.archived]

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


def content_of(framework: Framework) -> FrameworkContent:
    """The content of `framework` (an instance with its `version` and `loaded_at`)."""
    key = f"framework-content:{framework.pk}:{framework.version}:{framework.loaded_at.timestamp()}"
    content = cache.get(key)
    if content is None:
        content = _read(framework.pk)
        cache.set(key, content, TIMEOUT_SECONDS)
    return content


def _read(framework_id: int) -> FrameworkContent:
    content = FrameworkContent(
        levels=list(Level.objects.filter(framework=framework_id).order_by("number")),
        changes=list(Change.objects.filter(framework=framework_id).order_by("position")),
    )
    for change_id, group in (
        (link.change_id, link.group)
        for link in Change.groups.through.objects.filter(change__framework=framework_id)
        .select_related("group")
        .order_by("group__position")
    ):
        content.groups.setdefault(change_id, []).append(group)
    for action in (
        ChangeAction.objects.filter(change__framework=framework_id, archived=False)
        .select_related("group")
        .order_by("change_id", "position")
    ):
        content.actions.setdefault(action.change_id, []).append(action)
    for change_id, level_id, text in (
        Descriptor.objects.filter(change__framework=framework_id)
        .order_by()
        .values_list("change_id", "level_id", "text")
    ):
        content.descriptors.setdefault(change_id, {})[level_id] = text
    return content


def framework_edited(framework_id: int) -> None:
    """Record that a framework's content was edited outside the loader (the admin, the wording
    import), so that pages read it afresh."""
    Framework.objects.filter(pk=framework_id).update(loaded_at=timezone.now())
