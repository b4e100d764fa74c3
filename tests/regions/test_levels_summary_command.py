"""`manage.py levels_summary`: the per-change counts for scheduled reporting, as CSV or JSON,
with exactly the columns the issue names."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.regions.helpers import build_region

LEVELS = ["Not yet established", "Plans in place", "Established", "Mature", "Exemplary"]


@pytest.fixture
def testland(cast, frameworks):
    return build_region(frameworks, cast.admin)


def run(*args) -> str:
    out = io.StringIO()
    call_command("levels_summary", *args, stdout=out)
    return out.getvalue()


def test_csv_has_a_row_per_change_in_order_and_exactly_the_columns(testland):
    text = run("--framework", "mtoc-2020", "--region", "testland", "--crosswalk")
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames == [
        "change",
        "title",
        *LEVELS,
        "established_or_better",
        "median",
        "systems",
    ]
    rows = list(reader)
    assert [row["change"] for row in rows] == [str(n) for n in range(1, 10)]
    one = rows[0]  # Ashdown 3, Brookfield 4, Coldbrook 3, Dunmere 1
    assert one["title"] == "Early discharge planning"
    assert [one[name] for name in LEVELS] == ["1", "0", "2", "1", "0"]
    assert (one["established_or_better"], one["median"], one["systems"]) == ("3", "3.0", "4")


def test_json_by_date_and_by_period(testland):
    records = json.loads(
        run(
            "--framework",
            "mtoc-2020",
            "--region",
            "testland",
            "--as-of",
            "1 January 2022",
            "--format",
            "json",
        )
    )
    assert records[0]["change"] == "1"
    assert records[0]["established_or_better"] == 1 and records[0]["median"] == 2
    assert records[0]["systems"] == 3
    records = json.loads(
        run(
            "--framework",
            "mtoc-2020",
            "--region",
            "testland",
            "--period",
            "2018/19",
            "--crosswalk",
            "--format",
            "json",
        )
    )
    assert records[0]["median"] == 2.5 and records[0]["systems"] == 2
    assert records[8]["median"] is None and records[8]["systems"] == 0


def test_without_a_region_every_system_is_counted(testland):
    rows = list(csv.DictReader(io.StringIO(run("--framework", "mtoc-2020"))))
    assert rows[0]["systems"] == "4" and rows[0]["Exemplary"] == "1"  # Farshire's


def test_mistakes_are_named(testland):
    with pytest.raises(CommandError, match="No framework 'nope'. The frameworks are: mtoc-2017"):
        run("--framework", "nope")
    with pytest.raises(CommandError, match="No region 'atlantis'"):
        run("--framework", "mtoc-2020", "--region", "atlantis")
    with pytest.raises(CommandError, match="--as-of: 31 Febtober is not a date"):
        run("--framework", "mtoc-2020", "--as-of", "31 Febtober")
    with pytest.raises(CommandError):
        run("--framework", "mtoc-2020", "--as-of", "2022-01-01", "--period", "2021/22")
