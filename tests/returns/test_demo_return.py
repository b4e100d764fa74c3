"""The demo's issued 2025/26 BCF return (version 1), read back from its PDF and its workbook.

The demo is seeded and rendered once per session (see conftest.py): each test here reads the
cached bytes, and compares them with what the database and improvement_plans/demo.py say.
"""

import io
import re
from collections import defaultdict
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from hicm_portal.words import govuk_date
from improvement_plans.demo import DEMO_ACTIONS, DEMO_INVESTMENTS, DEMO_MEASURES
from improvement_plans.models import Action, Investment
from tests.returns.helpers import pdf_reader

pytestmark = pytest.mark.django_db

FLAG = " – gap with no action"


def money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def demo_total() -> Decimal:
    return sum(demo_by_source().values(), Decimal("0"))


def demo_by_source() -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for _scheme, lines, _codes, _allocation in DEMO_INVESTMENTS:
        for source, amount in lines:
            totals[Investment.Source(source).label] += Decimal(amount)
    return totals


def section(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


def name(level: str) -> str:
    """A level as the return writes it by default: its name alone ("2 Plans in place" ->
    "Plans in place"; "–" stays)."""
    return level.split(" ", 1)[1] if level[0].isdigit() else level


TITLE = "Appendix C – Managing transfers of care – a High Impact Change Model (2020)"


# --- The PDF ---------------------------------------------------------------------------------


def test_the_demo_figures_are_the_ones_this_test_expects(demo):
    """A guard for the tests below: the demo's investments add up to £375,000.50, and the
    changes with a gap but no open action are 2 (no action) and 8 (its one action cancelled)."""
    assert demo_total() == Decimal("375000.50")
    open_codes = {
        code for code, _t, _l, status, _s, _d in DEMO_ACTIONS if status in Action.OPEN_STATUSES
    }
    assert {c.code for c in demo.changes if c.flagged} == {"2", "8"}
    assert {c.code for c in demo.changes} - open_codes == {"2", "8"}
    assert len(demo.changes) == 9


def test_the_table_shows_every_change_with_its_agreed_and_planned_level(demo):
    table = section(
        demo.text,
        "Current position of maturity for each High Impact Change and planned level",
        "Trend across agreed rounds",
    )
    # Headed as the BCF appendix heads it, by the latest planned date; level names only.
    by = max(c.planned_by for c in demo.changes if c.planned_by)
    assert f"of implementation by {govuk_date(by)}" in table
    assert (
        "Current position of maturity "
        f"Maturity level planned to be reached by {govuk_date(by)} Investment (£)"
    ) in table
    for change in demo.changes:
        row = (
            f"{change.code}. {change.title}{FLAG if change.flagged else ''} "
            f"{name(change.previous)} {name(change.current)} {name(change.planned)}"
            + (f" by {govuk_date(change.planned_by)}" if change.planned_by not in ("", by) else "")
        )
        assert row in table, row
    # Only the flagged changes carry the flag, in the table and in their own section.
    assert table.count("gap with no action") == 2
    assert demo.text.count("gap with no action") == 4


def test_every_change_has_its_section_with_the_rationale_where_mature_or_exemplary(demo):
    by_change = section(demo.text, "Change by change", "Investment mapped to changes")
    headings = [f"{c.code}. {c.title}" for c in demo.changes]
    starts = [by_change.index(heading) for heading in headings]
    assert starts == sorted(starts)
    for index, change in enumerate(demo.changes):
        end = starts[index + 1] if index + 1 < len(starts) else len(by_change)
        own = by_change[starts[index] : end]
        level_name = change.current.split(" ", 1)[1]
        if change.level >= 4:
            assert f"Rationale for {level_name} {change.rationale}" in own
        else:
            assert "Rationale for" not in own
        assert ("gap with no action" in own) == change.flagged
    claimed = [c for c in demo.changes if c.level >= 4]
    assert {c.current.split(" ", 1)[1] for c in claimed} <= {"Mature", "Exemplary"}
    assert claimed and by_change.count("Rationale for") == len(claimed)


def test_the_investments_their_total_and_the_totals_per_source(demo):
    investments = section(demo.text, "Investment mapped to changes", "Action plan summary")
    for scheme, source, amount in demo.investments:
        assert scheme in investments and source in investments
        assert amount in investments
    assert f"Total {money(demo_total())}" in investments
    assert "Total 375,000.50" in investments
    by_source = "; ".join(
        f"{name} £{money(amount)}" for name, amount in sorted(demo_by_source().items())
    )
    assert f"By source: {by_source}." in investments
    assert "By year: 2026/27 £375,000.50." in investments


def test_the_action_plan_lists_every_demo_action(demo):
    actions = demo.text[demo.text.index("Action plan summary") :]
    for _code, title, *_rest in DEMO_ACTIONS:
        assert title in actions


def test_the_cover_names_the_system_framework_round_and_approvers(demo):
    cover = demo.pages[0]
    assert f"System {demo.system} ({demo.region})" in cover
    assert f"Framework {demo.framework}" in cover
    assert f"Round {demo.round}, " in cover
    assert demo.approvers
    for name in demo.approvers:
        assert name in cover
    assert "Approved by the steering committee" in cover
    assert "Issued, version 1" in cover


def test_every_page_is_numbered_and_carries_the_running_header(demo):
    total = len(demo.pages)
    assert total > 1
    assert "Page 1 of " in demo.pages[0]
    for number, text in enumerate(demo.pages, start=1):
        assert f"Page {number} of {total}" in text
        assert f"Northshire · 2025/26 · {TITLE}" in text
        assert "Issued return, version 1" in text


def test_the_pdf_has_a_title_a_structure_tree_and_its_language(demo):
    reader = pdf_reader(demo.pdf)
    assert reader.metadata.title == f"{TITLE}: Northshire, 2025/26"
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"]
    assert catalog["/Lang"] == "en-GB"


# --- The workbook ----------------------------------------------------------------------------


def workbook(demo):
    return load_workbook(io.BytesIO(demo.xlsx), read_only=False)


def test_the_workbook_has_its_six_sheets_and_its_cover(demo):
    book = workbook(demo)
    assert book.sheetnames == [
        "Cover", "Narrative", "Changes", "Investments", "Measures", "Actions"
    ]  # fmt: skip
    cover = {row[0]: row[1] for row in book["Cover"].iter_rows(min_row=2, values_only=True)}
    assert cover["System"] == demo.system
    assert cover["Framework"] == demo.framework
    assert cover["Round"] == demo.round
    assert cover["Version"] == "1"
    assert sorted(cover["Approved by"].split(", ")) == demo.approvers
    narrative = list(book["Narrative"].iter_rows(values_only=True))
    assert len(narrative) == 3 and all(text for _label, text in narrative)


def test_the_changes_sheet_has_one_row_per_change_with_its_levels(demo):
    rows = list(workbook(demo)["Changes"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    column = {name: index for index, name in enumerate(header)}
    assert len(body) == len(demo.changes)
    for row, change in zip(body, demo.changes, strict=True):
        assert row[column["Code"]] == change.code
        assert row[column["Change"]] == change.title
        assert row[column["Current position of maturity"]] == name(change.current)
        assert row[column["Maturity level planned"]] == name(change.planned)
        assert row[column["Gap with no action"]] == ("Yes" if change.flagged else "No")
        expected = change.rationale if change.level >= 4 else None
        assert row[column["Rationale (Mature or Exemplary)"]] == expected


def test_the_investments_sheet_total_equals_the_pdf_total(demo):
    rows = list(workbook(demo)["Investments"].iter_rows(values_only=True))
    *lines, total = rows[1:]  # one row per funding line
    assert total[0] == "Total"
    assert sum(Decimal(str(row[5])) for row in lines) == Decimal(str(total[5]))
    pdf_total = re.search(r"Total ([\d,]+\.\d\d)", demo.text).group(1)
    assert Decimal(pdf_total.replace(",", "")) == Decimal(str(total[5])) == demo_total()
    assert {row[0] for row in lines} == {scheme[0] for scheme in DEMO_INVESTMENTS}


def test_the_measures_sheet_holds_numbers_and_dates(demo):
    rows = list(workbook(demo)["Measures"].iter_rows(min_row=2))
    by_name = {row[1].value: row for row in rows}
    assert set(by_name) == {name for _code, name, *_ in DEMO_MEASURES}
    change, _name, _unit, baseline, baseline_on, latest, latest_on, target = by_name[
        "Average reablement episode"
    ]
    assert (change.value, baseline.value, latest.value, target.value) == ("4", 23, 17, 15)
    assert baseline_on.is_date and latest_on.is_date


def test_the_actions_sheet_lists_every_demo_action(demo):
    rows = list(workbook(demo)["Actions"].iter_rows(values_only=True))
    assert sorted(row[1] for row in rows[1:]) == sorted(title for _c, title, *_ in DEMO_ACTIONS)
