"""Reading a file of past returns: every problem named by its row (as the spreadsheet numbers
it) and column, and nothing written."""

from datetime import date

import pytest

from assessments.models import Round
from tests.history_import.helpers import csv_file, level_rows, read, xlsx_file


@pytest.fixture
def library(frameworks):
    return frameworks


def test_a_clean_file_becomes_one_round_per_area_and_period(cast, library):
    rows = level_rows() + level_rows(period="2020/21", agreed_on="2020-09-10")
    past_returns = read(csv_file(rows), cast.admin)
    assert past_returns.problems == []
    assert [(p.place.label, p.name) for p in past_returns.rounds] == [
        ("Testshire", "2019/20"),
        ("Testshire", "2020/21"),
    ]
    first = past_returns.rounds[0]
    assert first.agreed_on == date(2019, 9, 12)
    assert [row.level.number for row in first.levels] == [3, 2, 4, 3, 2, 3, 4, 3]
    assert first.levels[0].planned_level.name == "Mature"
    assert first.levels[0].planned_by == date(2020, 3, 31)
    assert not Round.objects.filter(name__in=["2019/20", "2020/21"]).exists()


def test_dates_are_read_in_the_three_forms_and_as_spreadsheet_dates(cast, library):
    for agreed_on in ("2019-09-12", "12/09/2019", "12 september 2019", date(2019, 9, 12)):
        rows = level_rows(agreed_on=agreed_on)
        data = xlsx_file(rows) if isinstance(agreed_on, date) else csv_file(rows)
        past_returns = read(
            data, cast.admin, name="r.xlsx" if isinstance(agreed_on, date) else "r.csv"
        )
        assert past_returns.problems == [], agreed_on
        assert past_returns.rounds[0].agreed_on == date(2019, 9, 12)


def test_every_problem_is_named_by_row_and_column(cast, library):
    rows = level_rows()
    rows[0][5] = "Excellent"  # row 2: level
    rows[1][3] = "mtoc-1999"  # row 3: framework
    rows[2][4] = "9"  # row 4: change
    rows[3][8] = "31/02/2019"  # row 5: agreed_on
    rows[4][6] = "Not yet established"  # row 6: planned below the agreed level
    rows[5][0] = "nowhere"  # row 7: system
    past_returns = read(csv_file(rows), cast.admin)
    messages = past_returns.messages
    assert any(m.startswith("Row 2, column level: Excellent is not a level") for m in messages)
    assert any(
        m.startswith("Row 3, column framework: There is no framework mtoc-1999") for m in messages
    )
    assert any(m.startswith("Row 4, column change: There is no change 9") for m in messages)
    assert any(m.startswith("Row 5, column agreed_on: 31/02/2019 is not a date") for m in messages)
    assert any(m.startswith("Row 6, column planned_level:") for m in messages)
    assert "Row 7, column system: There is no system nowhere in the portal" in messages


def test_an_xlsx_files_problems_name_the_sheet(cast, library):
    rows = level_rows()
    rows[2][5] = "Superb"
    past_returns = read(xlsx_file(rows), cast.admin, name="returns.xlsx")
    assert past_returns.messages[0].startswith("Sheet levels, row 4, column level: Superb")


def test_one_area_and_period_has_one_date_one_framework_and_one_row_a_change(cast, library):
    rows = level_rows()
    rows[1][8] = "13 September 2019"
    rows[2][3] = "mtoc-2020"
    rows[3][4] = "1"
    messages = read(csv_file(rows), cast.admin).messages
    assert any(
        m.startswith(
            "Row 3, column agreed_on: Testshire 2019/20 was agreed on 12 September 2019 in row 2"
        )
        for m in messages
    )
    assert any(
        m.startswith("Row 4, column framework: Testshire 2019/20 is on mtoc-2017 in row 2")
        for m in messages
    )
    assert any(
        m.startswith("Row 5, column change: Change 1 of Testshire 2019/20 is also in row 2")
        for m in messages
    )
    assert (
        "Row 2, column change: Testshire 2019/20 has no row for changes 3 and 4: give every "
        "change of Managing transfers of care (2017) a level" in messages
    )


def test_the_headings_must_be_the_import_s(cast, library):
    data = b"place,period,framework,change,level\nx,2019/20,mtoc-2017,1,3\n"
    messages = read(data, cast.admin).messages
    assert "The file has a column place that the import does not know" in messages[0]
    assert any("no column agreed_on" in m for m in messages)
    assert any("needs a column area_code or a column system" in m for m in messages)


def test_an_xlsx_file_needs_a_levels_sheet(cast, library):
    messages = read(xlsx_file(level_rows(), sheet="Sheet1"), cast.admin, name="r.xlsx").messages
    assert messages == [
        "The spreadsheet has no sheet called levels. Put the levels in a sheet called levels "
        "(and any investments in a sheet called investments)."
    ]


def test_a_file_that_is_not_a_spreadsheet_is_refused_with_a_message(cast, library):
    messages = read(b"PK\x03\x04 not really", cast.admin, name="r.xlsx").messages
    assert messages and "not a spreadsheet we can read" in messages[0]


def test_an_unknown_area_code_is_an_error_without_creating_systems(cast, library):
    rows = level_rows(system="", area_code="E10000018")
    messages = read(csv_file(rows), cast.admin).messages
    assert messages[0].startswith(
        "Row 2, column area_code: No system in the portal has the area code E10000018"
    )
    rows = level_rows(system="", area_code="E99999999")
    messages = read(csv_file(rows), cast.admin, create_systems=True).messages
    assert messages[0] == (
        "Row 2, column area_code: E99999999 is not the ONS code of a Health and Wellbeing "
        "Board area"
    )


def test_a_facilitators_file_may_name_their_system_only(cast, library):
    rows = level_rows() + level_rows(system="elsewhere")
    messages = read(csv_file(rows), cast.facilitator, systems=[cast.system]).messages
    assert "Row 10, column system: You can import returns for Testshire only" in messages
    assert len([m for m in messages if "You can import returns" in m]) == 8


def test_a_system_and_an_area_code_in_one_row_must_agree(cast, library):
    rows = level_rows(system="testshire", area_code="E10000018")
    messages = read(csv_file(rows), cast.admin).messages
    assert messages[0] == (
        "Row 2, column system: Testshire has no area code in the portal, so it cannot be "
        "matched with E10000018 (Leicestershire). Give it its area code in the admin, or leave "
        "area_code empty"
    )
    cast.other_system.area_code = "E10000018"
    cast.other_system.save()
    messages = read(csv_file(rows), cast.admin).messages
    assert messages[0] == (
        "Row 2, column system: testshire is Testshire, but area code E10000018 is Elsewhere"
    )
