"""Uploading a framework in the library: upload → preview of the whole model → confirm, from
the spreadsheet template or YAML; and Download as spreadsheet giving back what was uploaded."""

import pytest
from django.urls import reverse

from assessments.framework_spreadsheet_read import spreadsheet_read
from assessments.models import Change, Crosswalk, Framework, FrameworkVersion
from hicm_portal.models import PendingUpload
from tests.library.helpers import (
    EXAMPLE_XLSX,
    EXAMPLE_YAML,
    edited_workbook,
    load_earlier_example,
    row_of,
    set_cell,
    set_field,
    uploaded,
)

UPLOAD = reverse("library_upload")
CONFIRM = reverse("library_upload_confirm")


@pytest.fixture
def admin_client(client, cast):
    load_earlier_example()
    client.force_login(cast.admin)
    return client


def preview(client, name: str, content: bytes):
    response = client.post(UPLOAD, {"framework_file": uploaded(name, content)})
    assert response.status_code == 200
    return response.content.decode()


def test_an_uploaded_spreadsheet_is_previewed_whole_then_loaded_and_downloads_the_same(
    admin_client, cast
):
    page = preview(admin_client, "example-discharge.xlsx", EXAMPLE_XLSX.read_bytes())

    assert "Check the framework before you load it" in page
    assert "This adds a new framework to the library." in page
    for text in (
        "Plan the way home from the start",  # a change
        "I know from the start when I am likely to go home",  # its I statement
        "Write the expected day of leaving where everyone can see it.",  # a tip
        "Most people have an expected day of leaving within two days.",  # a descriptor
        "Review it at every board round.",  # an action's point
        "Enabler",  # the rated enabler
        "Shared information",  # its enabler group
        "Crosswalk from example-earlier",
        "1. Plan the way home early",  # the earlier framework's change it maps from
        "The person comes first",  # a principle
    ):
        assert text in page, text
    assert not Framework.objects.filter(key="example-discharge").exists(), "nothing written yet"

    response = admin_client.post(CONFIRM)
    assert response.status_code == 302 and response["Location"] == reverse("library")
    framework = Framework.objects.get(key="example-discharge")
    assert framework.rate_enablers is True
    assert [p["title"] for p in framework.principles] == [
        "The person comes first",
        "Partners agree together",
    ]
    assert set(framework.groups.values_list("code", "kind")) == {("G1", "goal"), ("E1", "enabler")}
    enabler = framework.changes.get(code="E1")
    assert enabler.kind == Change.Kind.ENABLER
    assert list(enabler.groups.values_list("code", flat=True)) == ["E1"]
    action = framework.changes.get(code="1").actions.get(code="P1")
    assert action.points == ["Set it within a day of arrival.", "Review it at every board round."]
    assert action.group.code == "G1"
    assert framework.changes.get(code="1").descriptors.count() == 3
    assert framework.predecessor.key == "example-earlier"
    assert Crosswalk.objects.filter(to_change__framework=framework).count() == 2
    version = FrameworkVersion.objects.get(framework=framework)
    assert version.created_by == cast.admin
    assert "example-discharge.xlsx" in version.source
    assert not PendingUpload.objects.exists()
    page = admin_client.get(reverse("library")).content.decode()
    assert "Example discharge model version 1 is added to the library." in page

    download = admin_client.get(reverse("library_download", args=["example-discharge", "xlsx"]))
    assert download.status_code == 200
    assert "example-discharge-version-1.xlsx" in download["Content-Disposition"]
    downloaded = spreadsheet_read(download.content)
    assert downloaded.problems == []
    assert downloaded.document == spreadsheet_read(EXAMPLE_XLSX.read_bytes()).document


def test_a_downloaded_spreadsheet_changed_and_uploaded_with_a_higher_version_updates_it(
    admin_client,
):
    preview(admin_client, "example.xlsx", EXAMPLE_XLSX.read_bytes())
    admin_client.post(CONFIRM)
    download = admin_client.get(reverse("library_download", args=["example-discharge", "xlsx"]))

    def edit(workbook):
        set_field(workbook, "version", 2)
        changes = workbook["Changes"]
        set_cell(workbook, "Changes", row_of(changes, "code", "2"), "title", "One shared list")
        changes.delete_rows(row_of(changes, "code", "3"))
        measures = workbook["Measures"]
        while True:
            try:
                measures.delete_rows(row_of(measures, "change", "3"))
            except AssertionError:
                break
        actions = workbook["Actions"]
        actions.delete_rows(row_of(actions, "change", "3"))

    changed = edited_workbook(edit, download.content)
    page = preview(admin_client, "example.xlsx", changed)
    assert "This updates Example discharge model from version 1 to version 2." in page
    assert "so they will be archived" in page and "3. Support at home the same day" in page
    admin_client.post(CONFIRM)

    framework = Framework.objects.get(key="example-discharge")
    assert framework.version == 2
    assert framework.changes.get(code="2").title == "One shared list"
    assert framework.changes.get(code="3").archived is True
    again = admin_client.get(reverse("library_download", args=["example-discharge", "xlsx"]))
    assert spreadsheet_read(again.content).document == spreadsheet_read(changed).document


def test_an_upload_with_the_loaded_version_names_the_cell_and_cannot_be_confirmed(admin_client):
    preview(admin_client, "example.xlsx", EXAMPLE_XLSX.read_bytes())
    admin_client.post(CONFIRM)
    page = preview(admin_client, "example.xlsx", EXAMPLE_XLSX.read_bytes())
    assert "Framework sheet, row 3, column &#x27;value&#x27;: must be higher than 1" in page
    assert "Load this framework" not in page
    assert not PendingUpload.objects.exists()


def test_a_yaml_file_is_previewed_and_loaded_the_same_way(admin_client, cast):
    page = preview(admin_client, "example-discharge.yaml", EXAMPLE_YAML.read_bytes())
    assert "Check the framework before you load it" in page
    assert "Support at home the same day" in page
    admin_client.post(CONFIRM)
    framework = Framework.objects.get(key="example-discharge")
    assert framework.changes.count() == 4
    download = admin_client.get(reverse("library_download", args=["example-discharge", "yaml"]))
    assert download.status_code == 200
    assert download.content.decode().startswith("key: example-discharge\n")
    assert (
        spreadsheet_read(
            admin_client.get(
                reverse("library_download", args=["example-discharge", "xlsx"])
            ).content
        ).document
        == spreadsheet_read(EXAMPLE_XLSX.read_bytes()).document
    )
    again = download.content.decode().replace("version: 1\n", "version: 2\n", 1)
    page = preview(admin_client, "again.yaml", again.encode())
    assert "This updates Example discharge model from version 1 to version 2." in page
    admin_client.post(CONFIRM)
    assert Framework.objects.get(key="example-discharge").version == 2
    assert FrameworkVersion.objects.filter(framework=framework).count() == 1, "same wording"


def test_a_bad_yaml_file_names_the_key_at_fault(admin_client):
    text = EXAMPLE_YAML.read_text(encoding="utf-8").replace(
        "kind: enabler\n    title: Shared", "kind: enabled\n    title: Shared"
    )
    page = preview(admin_client, "bad.yaml", text.encode())
    assert "bad.yaml: changes[3].kind: must be one of change, enabler" in page
    assert not PendingUpload.objects.exists()


def test_yaml_with_aliases_is_refused(admin_client):
    page = preview(admin_client, "bomb.yaml", b"a: &a [x, x]\nb: [*a, *a]\n")
    assert "uses YAML anchors or aliases" in page


def test_a_file_of_another_type_is_refused_on_the_form(admin_client):
    response = admin_client.post(UPLOAD, {"framework_file": uploaded("model.csv", b"a,b\n")})
    assert "must be a framework spreadsheet (.xlsx) or a framework file (.yaml)" in (
        response.content.decode()
    )


def test_confirming_without_a_preview_loads_nothing(admin_client):
    response = admin_client.post(CONFIRM, follow=True)
    assert "There is no previewed framework file to load" in response.content.decode()
    assert not Framework.objects.filter(key="example-discharge").exists()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("- just\n- a list\n", "odd.yaml: (top level): must be a mapping of keys to values"),
        ("# nothing but a comment\n", "odd.yaml: (top level): must be a mapping of keys to values"),
        ("key: [unclosed\n", "odd.yaml: line 2: is not YAML that can be read"),
    ],
)
def test_a_yaml_file_that_is_not_a_framework_is_named_and_kept_for_nothing(
    admin_client, text, problem
):
    page = preview(admin_client, "odd.yaml", text.encode())
    assert problem in page
    assert "Load this framework" not in page
    assert not PendingUpload.objects.exists()
