"""The framework's page as it reads: its introduction, principles and advice on measuring
success, its changes then its enablers, its groups and its levels."""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from assessments.models import Change, Framework, Group, Level


@dataclass
class EnablerGroup:
    """A group of kind enabler, with the enabler items (changes of kind enabler) in it."""

    group: Group
    items: list[Change]


@dataclass
class FrameworkPage:
    framework: Framework
    introduction: list[str]  # paragraphs
    principles: list[dict]  # {"title", "text"}; either may be empty, not both
    measuring_success: list[str]  # paragraphs
    changes: list[Change]  # live, of kind change
    enablers: list[Change]  # live, of kind enabler: listed after the changes
    groups: list[Group]  # goals and phases
    enabler_groups: list[EnablerGroup]
    levels: list[Level]

    @property
    def has_enablers(self) -> bool:
        return bool(self.enablers or self.enabler_groups)


def paragraphs(text: str) -> list[str]:
    """Text as its paragraphs: each non-empty line is one."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _principles(value) -> list[dict]:
    shown = []
    for principle in value if isinstance(value, list) else []:
        if not isinstance(principle, dict):
            continue
        title = str(principle.get("title") or "").strip()
        text = str(principle.get("text") or "").strip()
        if title or text:
            shown.append({"title": title, "text": text})
    return shown


def framework_page(key: str) -> FrameworkPage:
    """A framework with what its page shows, in five queries: the framework (and the one it
    follows), its levels, its groups, its live changes and their groups."""
    framework = get_object_or_404(
        Framework.objects.select_related("predecessor").prefetch_related(
            "levels",
            "groups",
            Prefetch(
                "changes",
                queryset=Change.objects.filter(archived=False).prefetch_related("groups"),
                to_attr="live_changes",
            ),
        ),
        key=key,
    )
    live = framework.live_changes
    enablers = [change for change in live if change.kind == Change.Kind.ENABLER]
    groups = list(framework.groups.all())
    return FrameworkPage(
        framework=framework,
        introduction=paragraphs(framework.introduction),
        principles=_principles(framework.principles),
        measuring_success=paragraphs(framework.measuring_success),
        changes=[change for change in live if change.kind != Change.Kind.ENABLER],
        enablers=enablers,
        groups=[group for group in groups if group.kind != Group.Kind.ENABLER],
        enabler_groups=[
            EnablerGroup(
                group,
                [item for item in enablers if group in item.groups.all()],
            )
            for group in groups
            if group.kind == Group.Kind.ENABLER
        ],
        levels=list(framework.levels.all()),
    )
