"""A framework's wording is kept as numbered versions: one when it is first loaded, another
only when a load or an edit changes the wording."""

import pytest

from assessments.framework_content import framework_edited
from assessments.framework_versions import snapshot, version_record
from assessments.models import Change, Framework, FrameworkVersion
from tests.versions.helpers import NEW_TITLE, load_new_wording

pytestmark = pytest.mark.django_db


def test_loading_the_library_records_each_frameworks_wording_as_version_1(frameworks):
    for framework in frameworks.values():
        version = FrameworkVersion.objects.get(framework=framework)
        assert version.number == 1
        assert version.source == f"{framework.key}.yaml"
        assert version.content == snapshot(framework)


def test_the_snapshot_holds_the_whole_wording_archived_changes_too(frameworks):
    framework = frameworks["mtoc-2020"]
    Change.objects.filter(framework=framework, code="9").update(archived=True)
    wording = snapshot(framework)
    assert wording["framework"]["title"] == framework.title
    assert [level["number"] for level in wording["levels"]] == [1, 2, 3, 4, 5]
    by_code = {change["code"]: change for change in wording["changes"]}
    assert by_code["1"]["title"] == "Early discharge planning"
    assert by_code["9"]["archived"] is True


def test_nothing_is_recorded_when_the_wording_has_not_changed(frameworks, cast):
    framework = frameworks["mtoc-2020"]
    assert version_record(framework, source="Again", actor=cast.admin) is None
    framework_edited(framework.pk)
    assert FrameworkVersion.objects.filter(framework=framework).count() == 1


def test_an_edit_records_the_next_version_with_who_made_it(frameworks, cast):
    framework = frameworks["mtoc-2020"]
    Change.objects.filter(framework=framework, code="1").update(title="Planning from admission")

    framework_edited(framework.pk, actor=cast.admin)

    newest = FrameworkVersion.objects.filter(framework=framework).order_by("-number").first()
    assert (newest.number, newest.source) == (2, "Edited in the admin")
    assert newest.created_by == cast.admin
    titles = {c["code"]: c["title"] for c in newest.content["changes"]}
    assert titles["1"] == "Planning from admission"
    # The first version keeps the wording it had.
    first = FrameworkVersion.objects.get(framework=framework, number=1)
    first_titles = {c["code"]: c["title"] for c in first.content["changes"]}
    assert first_titles["1"] == "Early discharge planning"


def test_loading_a_newer_file_records_the_next_version_named_after_the_file(frameworks, tmp_path):
    framework = load_new_wording(tmp_path)
    newest = FrameworkVersion.objects.filter(framework=framework).order_by("-number").first()
    assert (newest.number, newest.source) == (2, "mtoc-2020.yaml")
    assert {c["code"]: c["title"] for c in newest.content["changes"]}["1"] == NEW_TITLE


def test_the_newest_content_is_what_pages_of_the_framework_show(client, cast, frameworks, tmp_path):
    client.force_login(cast.member)
    page = "/frameworks/mtoc-2020/changes/1/"
    assert "Early discharge planning" in client.get(page).content.decode()
    load_new_wording(tmp_path)
    shown = client.get(page).content.decode()
    assert NEW_TITLE in shown and "Early discharge planning" not in shown


def test_a_framework_with_no_version_yet_gets_version_1_when_first_needed(frameworks):
    framework = frameworks["rpa-2021"]
    FrameworkVersion.objects.filter(framework=framework).delete()
    assert version_record(framework, source="First") is not None
    assert Framework.objects.get(pk=framework.pk).versions.get().number == 1
