"""Helpers for the tests of importing past returns: files of levels and investments, built
in memory as a person would write them.

- `level_rows(...)`: the eight rows of one area and period on the 2017 model.
- `csv_file(rows)`, `xlsx_file(levels, investments)`: the bytes of a file.
- `read(...)`, `read_and_import(...)`: the reader and the service, as the pages call them.
- `uploaded(name, data)`: a file as a form receives it.
"""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from improvement_plans.history_import import past_returns_import, past_returns_read

LEVEL_HEADINGS = [
    "system",
    "area_code",
    "period",
    "framework",
    "change",
    "level",
    "planned_level",
    "planned_by",
    "agreed_on",
]
INVESTMENT_HEADINGS = ["system", "period", "scheme", "source", "amount", "changes", "allocation"]
# Agreed levels of the eight changes of the 2017 model, and the levels planned.
LEVELS = ["Established", "2", "mature", "3", "Plans in place", "Established", "4", "3"]
PLANNED = ["Mature", "3", "Mature", "4", "Established", "", "Exemplary", "Mature"]


def level_rows(
    *,
    system: str = "testshire",
    area_code: str = "",
    period: str = "2019/20",
    agreed_on: str = "12 September 2019",
    levels: list[str] | None = None,
    planned_by: str = "31/03/2020",
) -> list[list[str]]:
    """One row per change of the 2017 model for one system (or area) and period."""
    levels = levels or LEVELS
    return [
        [
            system,
            area_code,
            period,
            "mtoc-2017",
            str(number),
            level,
            PLANNED[number - 1],
            planned_by if PLANNED[number - 1] else "",
            agreed_on,
        ]
        for number, level in enumerate(levels, start=1)
    ]


def csv_file(rows: list[list[str]], headings: list[str] = LEVEL_HEADINGS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headings)
    writer.writerows(rows)
    return out.getvalue().encode()


def xlsx_file(
    levels: list[list], investments: list[list] | None = None, *, sheet: str = "levels"
) -> bytes:
    workbook = Workbook()
    levels_sheet = workbook.active
    levels_sheet.title = sheet
    levels_sheet.append(LEVEL_HEADINGS)
    for row in levels:
        levels_sheet.append(row)
    if investments is not None:
        investments_sheet = workbook.create_sheet("investments")
        investments_sheet.append(INVESTMENT_HEADINGS)
        for row in investments:
            investments_sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def read(data: bytes, actor, *, name="returns.csv", systems=None, create_systems=False):
    return past_returns_read(
        data=data, filename=name, actor=actor, systems=systems, create_systems=create_systems
    )


def read_and_import(data: bytes, actor, **kwargs):
    past_returns = read(data, actor, **kwargs)
    assert not past_returns.problems, past_returns.messages
    return past_returns_import(actor=actor, past_returns=past_returns)


def uploaded(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)
