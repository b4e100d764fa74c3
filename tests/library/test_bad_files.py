"""A bad framework spreadsheet: every problem is named by sheet, row and column, nothing is
kept for confirmation and nothing is written."""

import pytest
from django.urls import reverse

from assessments.models import Framework
from hicm_portal.models import PendingUpload
from tests.library.helpers import edited_workbook, load_earlier_example, row_of, set_cell, uploaded


def rename_actions_sheet(workbook):
    workbook["Actions"].title = "Action"


def drop_title_column(workbook):
    workbook["Changes"].delete_cols(3)  # code, kind, title


def descriptor_at_level_seven(workbook):
    set_cell(workbook, "Descriptors", 3, "level", 7)


def change_code_twice(workbook):
    set_cell(workbook, "Changes", row_of(workbook["Changes"], "code", "2"), "code", "1")


def crosswalk_to_an_unknown_change(workbook):
    set_cell(workbook, "Crosswalk", 3, "change", "9")


def crosswalk_from_an_unknown_earlier_change(workbook):
    set_cell(workbook, "Crosswalk", 2, "earlier_change", "7")


def action_of_an_unknown_change(workbook):
    set_cell(workbook, "Actions", 2, "change", "Z")


def misspelt_column(workbook):
    set_cell(workbook, "Groups", 1, "description", "descripton")


def enabler_without_its_group(workbook):
    set_cell(workbook, "Changes", row_of(workbook["Changes"], "code", "E1"), "groups", "G1")


def bad_yes_no(workbook):
    set_cell(
        workbook,
        "Framework",
        row_of(workbook["Framework"], "field", "rate_enablers"),
        "value",
        "maybe",
    )


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (
            rename_actions_sheet,
            "Actions sheet: is missing: the workbook has no sheet called Actions",
        ),
        (drop_title_column, "Changes sheet, row 1: has no column 'title'"),
        (
            descriptor_at_level_seven,
            "Descriptors sheet, row 3, column 'level': level 7 is not on the scale",
        ),
        (change_code_twice, "Changes sheet, row 3, column 'code': '1' is used twice"),
        (
            crosswalk_to_an_unknown_change,
            "Crosswalk sheet, row 3, column 'change': names change '9'",
        ),
        (
            crosswalk_from_an_unknown_earlier_change,
            "Crosswalk sheet, row 2, column 'earlier_change': example-earlier has no change 7",
        ),
        (
            action_of_an_unknown_change,
            "Actions sheet, row 2, column 'change': there is no change Z",
        ),
        (
            misspelt_column,
            "Groups sheet, row 1, column 'descripton': is not a column of this sheet",
        ),
        (
            enabler_without_its_group,
            "Changes sheet, row 5, column 'groups': an enabler must belong",
        ),
        (bad_yes_no, "Framework sheet, row 9, column 'value': rate_enablers must be yes or no"),
    ],
)
def test_a_bad_spreadsheet_names_sheet_row_and_column_and_writes_nothing(
    client, cast, edit, problem
):
    load_earlier_example()
    client.force_login(cast.admin)
    response = client.post(
        reverse("library_upload"),
        {"framework_file": uploaded("bad.xlsx", edited_workbook(edit))},
    )
    page = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 200
    assert "There is a problem with the file" in page
    assert problem in page
    assert "Load this framework" not in page
    assert not PendingUpload.objects.exists()
    response = client.post(reverse("library_upload_confirm"))
    assert response.status_code == 302
    assert not Framework.objects.filter(key="example-discharge").exists()


def test_every_problem_of_a_file_is_listed_at_once(client, cast):
    load_earlier_example()

    def edit(workbook):
        descriptor_at_level_seven(workbook)
        set_cell(workbook, "Groups", 2, "kind", "team")
        set_cell(workbook, "Actions", 2, "title", None)

    client.force_login(cast.admin)
    response = client.post(
        reverse("library_upload"), {"framework_file": uploaded("bad.xlsx", edited_workbook(edit))}
    )
    page = response.content.decode().replace("&#x27;", "'")
    assert "The file has 3 problems" in page
    assert "Descriptors sheet, row 3, column 'level': level 7 is not on the scale" in page
    assert "Groups sheet, row 2, column 'kind': must be one of enabler, goal, phase" in page
    assert "Actions sheet, row 2, column 'title': is required" in page


def test_a_file_that_is_not_a_spreadsheet_is_refused(client, cast):
    client.force_login(cast.admin)
    response = client.post(
        reverse("library_upload"), {"framework_file": uploaded("model.xlsx", b"not a zip")}
    )
    assert "is not a spreadsheet we can read" in response.content.decode()
    assert not PendingUpload.objects.exists()
