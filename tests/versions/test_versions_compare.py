"""Comparing two versions lists what was added, changed (with the old and new text) and
removed, for changes, actions, descriptors, groups and levels."""

import pytest

from assessments.framework_content import framework_edited
from assessments.framework_versions import versions_compare
from assessments.models import Change, ChangeAction, Descriptor, FrameworkVersion, Level

pytestmark = pytest.mark.django_db


def section(comparison, title):
    return next(s for s in comparison.sections if s.title == title)


def test_the_comparison_lists_what_was_added_changed_and_removed(frameworks):
    framework = frameworks["mtoc-2020"]
    first = Change.objects.get(framework=framework, code="1")
    Change.objects.filter(pk=first.pk).update(title="Planning from admission")
    Change.objects.filter(framework=framework, code="9").update(archived=True)
    Change.objects.create(framework=framework, code="10", title="Shared records", position=10)
    ChangeAction.objects.create(change=first, code="A1", title="Set a date on admission")
    Descriptor.objects.create(
        change=first, level=Level.objects.get(framework=framework, number=2), text="Some wards"
    )
    framework_edited(framework.pk)
    older, newer = FrameworkVersion.objects.filter(framework=framework).order_by("number")

    comparison = versions_compare(older, newer)

    changes = section(comparison, "Changes")
    assert changes.added == ["10. Shared records"]
    assert changes.removed == ["9. " + Change.objects.get(framework=framework, code="9").title]
    [changed] = changes.changed
    assert changed.name == "1. Planning from admission"
    assert [(f.label, f.old, f.new) for f in changed.fields] == [
        ("Title", "Early discharge planning", "Planning from admission")
    ]
    assert section(comparison, "Actions").added == ["A1 Set a date on admission (change 1)"]
    assert section(comparison, "Descriptors").added == ["Change 1 at 2 Plans in place"]
    assert section(comparison, "Levels").is_empty
    assert not comparison.is_empty


def test_a_changed_descriptor_shows_its_old_and_new_text(frameworks):
    framework = frameworks["mtoc-2020"]
    change = Change.objects.get(framework=framework, code="3")
    level = Level.objects.get(framework=framework, number=4)
    descriptor = Descriptor.objects.create(change=change, level=level, text="Teams meet daily")
    framework_edited(framework.pk)
    Descriptor.objects.filter(pk=descriptor.pk).update(text="Teams meet twice a day")
    framework_edited(framework.pk)
    versions = list(FrameworkVersion.objects.filter(framework=framework).order_by("number"))

    comparison = versions_compare(versions[1], versions[2])

    [item] = section(comparison, "Descriptors").changed
    assert item.name == "Change 3 at 4 Mature"
    assert [(f.old, f.new) for f in item.fields] == [("Teams meet daily", "Teams meet twice a day")]
    assert section(comparison, "Changes").is_empty


def test_the_same_wording_compares_as_no_differences(frameworks):
    version = FrameworkVersion.objects.get(framework=frameworks["mtoc-2020"], number=1)
    assert versions_compare(version, version).is_empty
