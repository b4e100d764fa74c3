"""Each framework's wording as it stands becomes its version 1, and every round that is no
longer a draft is tied to it (drafts stay untied and follow the newest version until they open).

The snapshot is written here with the historical models, in the same shape as
`assessments.framework_versions.snapshot`, so that the next edit records version 2 only if
the wording really changed. Nothing of the app is imported: the app may change later.
"""

from django.db import migrations
from django.utils import timezone

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


def wording(apps, framework) -> dict:
    Level = apps.get_model("assessments", "Level")
    Group = apps.get_model("assessments", "Group")
    Change = apps.get_model("assessments", "Change")
    ChangeAction = apps.get_model("assessments", "ChangeAction")
    Descriptor = apps.get_model("assessments", "Descriptor")
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


def first_versions(apps, schema_editor):
    Framework = apps.get_model("assessments", "Framework")
    FrameworkVersion = apps.get_model("assessments", "FrameworkVersion")
    Round = apps.get_model("assessments", "Round")
    for framework in Framework.objects.order_by("pk"):
        if FrameworkVersion.objects.filter(framework=framework).exists():
            continue
        version = FrameworkVersion.objects.create(
            framework=framework,
            number=1,
            content=wording(apps, framework),
            source="The wording loaded before versions were kept",
            created_at=framework.loaded_at or timezone.now(),
        )
        Round.objects.filter(framework=framework, framework_version=None).exclude(
            status="draft"
        ).update(framework_version=version)


def no_versions(apps, schema_editor):
    Round = apps.get_model("assessments", "Round")
    FrameworkVersion = apps.get_model("assessments", "FrameworkVersion")
    Round.objects.update(framework_version=None)
    FrameworkVersion.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0014_framework_versions"),
    ]

    operations = [
        migrations.RunPython(first_versions, no_versions),
    ]
