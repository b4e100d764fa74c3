"""A return a BCF lead submits as it stands: the 2019/20 appendix of the issue (2017 model, eight
changes, levels now and planned by 31 March 2020, £250,000 mapped to four changes), printed from
its data as the PDF, the Word document and the workbook, and read back from each."""

import io
import re
from datetime import date
from decimal import Decimal

import docx
import pytest
from openpyxl import load_workbook

from hicm_portal.spreadsheets import DATE_FORMAT, MONEY_FORMAT
from improvement_plans import reports, return_selectors
from improvement_plans.return_wording import levels_summary
from tests.documents.helpers import pdf_words
from tests.returns.helpers import (
    APPENDIX_CHANGES,
    APPENDIX_INVESTMENTS,
    APPENDIX_LEVELS,
    appendix_data,
    appendix_level,
    page_texts,
    pdf_layout_text,
)

TITLE = "Appendix C – High Impact Change Model for Managing Transfers of Care"
ISSUED_ON = date(2019, 9, 20)
NARRATIVE = """A multi-agency discharge group owns **one** action plan.

- a care home bed tracker
- the red bag scheme
  - in every care home

3. trusted assessors
4. reablement "try it" changes

# Next year

<script>alert(1)</script> and [a link](https://example.org) stay text."""


def words(text: str) -> str:
    return " ".join(text.split())


def pdf_of(data: dict, *, version: int | None = 1) -> bytes:
    html = reports.return_html(data, version=version, issued_on=ISSUED_ON if version else None)
    return reports.html_to_pdf(html)


def word_of(data: dict) -> docx.document.Document:
    return docx.Document(io.BytesIO(reports.return_docx(data, version=1, issued_on=ISSUED_ON)))


def with_narrative(**overrides) -> dict:
    data = appendix_data(**overrides)
    data["narrative"]["performance_issues"] = NARRATIVE
    return data


# --- The PDF ---------------------------------------------------------------------------------


def test_the_pdf_reads_as_the_appendix_with_dates_written_out_and_nothing_empty():
    text = words(pdf_words(pdf_of(with_narrative())))
    assert text.startswith(TITLE) or f"{TITLE} System Leicestershire" in text
    assert "Current performance issues to be addressed" in text
    # Prompts with nothing written, and sections with nothing recorded, are left out.
    assert "Anticipated improvements from this work" not in text
    assert "Action plan summary" not in text
    for empty in ("None recorded", "Not written yet", "No investment recorded", "No actions"):
        assert empty not in text
    assert (
        "Current position of maturity for each High Impact Change and planned level of "
        "implementation by 31 March 2020"
    ) in text
    assert "Maturity level planned to be reached by 31 March 2020" in text
    assert "Agreed 12 September 2019" in text
    assert "Issued, version 1, on 20 September 2019" in text
    # No ISO dates, no time of printing.
    for iso in ("2020-03-31", "2019-09-12", "2019-04-01"):
        assert iso not in text
    assert "generated" not in text.lower() and "am on" not in text and "pm on" not in text
    # Level names, without numbers, one row per change.
    # A title wrapped after a hyphen reads "multi- agency": joined again.
    rows = re.sub(r"(\w)- (\w)", r"\1-\2", text)
    for code, title, current, planned in APPENDIX_CHANGES:
        row = f"{code}. {title} {APPENDIX_LEVELS[current]} {APPENDIX_LEVELS[planned]}"
        assert row in rows, row
    assert "3 Established" not in text
    assert "Total 250,000.00" in text


def test_level_numbers_are_written_when_the_return_asks_for_them():
    text = words(pdf_words(pdf_of(appendix_data(show_level_numbers=True))))
    assert "1. Early discharge planning 3 Established 4 Mature" in text
    assert "7. Focus on choice 4 Mature 5 Exemplary" in text


def test_a_change_planned_for_another_date_says_so_under_the_latest_date():
    data = appendix_data()
    data["changes"][4]["planned_by"] = "2019-09-30"
    text = words(pdf_words(pdf_of(data)))
    assert "Maturity level planned to be reached by 31 March 2020" in text
    assert "5. Seven-day services Established Established by 30 September 2019" in text
    assert "1. Early discharge planning Established Mature 0.00" in text


@pytest.mark.parametrize("paragraphs", [18, 21, 24])
def test_the_levels_table_stays_whole_on_one_page(paragraphs):
    """Narratives of these lengths put the table at the foot of a page: without
    `break-inside: avoid` its rows split across two pages (checked when it was written)."""
    data = appendix_data()
    data["narrative"]["performance_issues"] = "\n\n".join(
        f"Paragraph {n} about discharge delays." for n in range(paragraphs)
    )
    pages = page_texts(pdf_of(data))
    heading = "Maturity level planned to be reached by 31 March 2020"
    on = [index for index, page in enumerate(pages) if heading in page]
    assert len(on) == 1
    table_page = pages[on[0]]
    for code, title, *_levels in APPENDIX_CHANGES:
        assert f"{code}. {title[:12]}" in table_page, (paragraphs, code)


def test_the_narrative_keeps_its_structure_and_nothing_else_gets_through():
    html = return_selectors.return_body_html(with_narrative())
    assert "<strong>one</strong>" in html
    assert '<ul class="govuk-list govuk-list--bullet">\n<li>a care home bed tracker</li>' in html
    assert '<ol start="3" class="govuk-list govuk-list--number">' in html
    assert '<h4 class="govuk-heading-s">Next year</h4>' in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<a " not in html and "[a link](https://example.org)" in html
    data = with_narrative()
    data["narrative"]["anticipated_improvements"] = "1. Fewer delays\n2. More people at home"
    text = pdf_layout_text(pdf_of(data))
    assert "• a care home bed tracker • the red bag scheme ◦ in every care home" in text
    assert '3. trusted assessors 4. reablement "try it" changes' in text
    assert "1. Fewer delays 2. More people at home" in text
    assert "<script>alert(1)</script> and [a link](https://example.org) stay text." in text


# --- The summary -----------------------------------------------------------------------------


def data_at(levels: list[int | None]) -> dict:
    data = appendix_data()
    for change, number in zip(data["changes"], levels, strict=True):
        change["current"] = appendix_level(number)
    return data


@pytest.mark.parametrize(
    ("levels", "sentence"),
    [
        (
            [3, 3, 4, 3, 3, 3, 4, 3],
            "All eight changes are Established or better; Multi-disciplinary/multi-agency "
            "discharge teams and Focus on choice are Mature.",
        ),
        ([3] * 8, "All eight changes are Established."),
        ([2] * 8, "All eight changes are Plans in place."),
        (
            [3, 3, 4, 3, 2, 3, 5, 1],
            "Six of the eight changes are Established or better; Focus on choice is Exemplary; "
            "Seven-day services is Plans in place; Enhancing health in care homes is Not yet "
            "established.",
        ),
        (
            [4, 4, 4, 4, 4, 2, 2, 2],
            "Five of the eight changes are Mature; Trusted assessors, Focus on choice and "
            "Enhancing health in care homes are Plans in place.",
        ),
        (
            [2, 2, 2, 2, 1, 1, 1, 1],
            "None of the eight changes is Established or better; four changes are Plans in "
            "place; four changes are Not yet established.",
        ),
        (
            [3, 3, 3, 3, 3, 3, 3, None],
            "Seven of the eight changes are Established; Enhancing health in care homes has no "
            "agreed level.",
        ),
        ([None] * 8, "No change has an agreed level recorded."),
    ],
)
def test_the_summary_sentence_follows_the_levels(levels, sentence):
    assert levels_summary(data_at(levels)) == sentence


def test_the_summary_opens_the_levels_section_in_every_file():
    sentence = levels_summary(appendix_data())
    heading = "planned level of implementation by 31 March 2020"
    text = words(pdf_words(pdf_of(appendix_data())))
    assert f"{heading} {sentence}" in text
    paragraphs = [p.text for p in word_of(appendix_data()).paragraphs]
    assert paragraphs[paragraphs.index(next(p for p in paragraphs if heading in p)) + 1] == sentence
    book = load_workbook(io.BytesIO(reports.return_xlsx(appendix_data(), version=1)))
    cover = {row[0]: row[1] for row in book["Cover"].iter_rows(values_only=True)}
    assert cover["Summary"] == sentence


# --- The Word document -----------------------------------------------------------------------


def test_the_word_return_holds_every_change_level_and_amount():
    document = word_of(with_narrative())
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    texts = [text for _style, text in paragraphs]
    assert paragraphs[0] == ("Title", TITLE)
    assert "System: Leicestershire (Midlands)" in texts
    assert "Round: 2019/20, 1 April 2019 to 12 September 2019" in texts
    assert "Version: Issued, version 1, on 20 September 2019" in texts
    assert document.core_properties.title == f"{TITLE}: Leicestershire, 2019/20"

    levels, investments = document.tables
    rows = [[cell.text for cell in row.cells] for row in levels.rows]
    assert rows[0] == [
        "Change",
        "Current position of maturity",
        "Maturity level planned to be reached by 31 March 2020",
        "Investment (£)",
    ]
    invested = {code: amount for _scheme, code, amount in APPENDIX_INVESTMENTS}
    assert rows[1:] == [
        [
            f"{code}. {title}",
            APPENDIX_LEVELS[current],
            APPENDIX_LEVELS[planned],
            f"{Decimal(invested.get(code, '0')):,.2f}",
        ]
        for code, title, current, planned in APPENDIX_CHANGES
    ]
    rows = [[cell.text for cell in row.cells] for row in investments.rows]
    assert rows[1:] == [
        [scheme, "Better Care Fund", "2019/20", code, f"{Decimal(amount):,.2f}"]
        for scheme, code, amount in APPENDIX_INVESTMENTS
    ] + [["Total", "", "", "", "250,000.00"]]
    assert sum(Decimal(row[4].replace(",", "")) for row in rows[1:-1]) == Decimal("250000")


def test_the_word_narrative_has_the_same_structure_as_the_pdf():
    document = word_of(with_narrative())
    styles = [(p.style.name, p.text) for p in document.paragraphs]
    start = styles.index(("Heading 2", "Current performance issues to be addressed"))
    assert styles[start + 1 : start + 9] == [
        ("Normal", "A multi-agency discharge group owns one action plan."),
        ("List Bullet", "a care home bed tracker"),
        ("List Bullet", "the red bag scheme"),
        ("List Bullet 2", "in every care home"),
        ("List Number", "trusted assessors"),
        ("List Number", 'reablement "try it" changes'),
        ("Heading 3", "Next year"),
        ("Normal", "<script>alert(1)</script> and [a link](https://example.org) stay text."),
    ]
    bold = [run.text for run in document.paragraphs[start + 1].runs if run.bold]
    assert bold == ["one"]
    # The numbered list starts at its own first number, not where another list left off.
    numbered = document.paragraphs[start + 5]._p.pPr.numPr
    numbering = document.part.numbering_part.element.num_having_numId(numbered.numId.val)
    assert numbering.lvlOverride_lst[0].startOverride.val == 3


def test_the_word_return_holds_the_bcf_fields_actions_and_measures():
    data = appendix_data()
    seven = data["changes"][6]
    seven["challenges"] = "Families need time to visit homes."
    seven["support_needs"] = "Advice on choice policies."
    seven["actions"] = {"In progress": 1}
    seven["measures"] = [
        {
            "name": "Average reablement episode",
            "unit": "days",
            "baseline": "23",
            "baseline_on": "2019-04-01",
            "latest": "15",
            "latest_on": "2020-03-31",
            "target": None,
        }
    ]
    data["actions"] = [
        {
            "change": "7",
            "title": "Choice leaflets on every ward",
            "lead": "Leicestershire County Council",
            "owner": "A Lead",
            "due": "2020-01-31",
            "status": "In progress",
            "rag": "Green",
        }
    ]
    texts = [p.text for p in word_of(data).paragraphs]
    section = texts[texts.index("7. Focus on choice") :]
    assert section[1:6] == [
        "Rationale for Mature: Audited by the discharge group.",
        "Challenges: Families need time to visit homes.",
        "Support needs: Advice on choice policies.",
        "Local measures",
        "Average reablement episode (days): 23 (1 April 2019) → 15 (31 March 2020)",
    ]
    assert "Actions: 1 in progress" in section
    actions = word_of(data).tables[-1]
    assert [cell.text for cell in actions.rows[1].cells] == [
        "7",
        "Choice leaflets on every ward",
        "Leicestershire County Council",
        "31 January 2020",
        "In progress",
        "Green",
    ]


# --- The workbook ----------------------------------------------------------------------------


def test_the_workbook_holds_real_dates_and_pounds():
    content = reports.return_xlsx(appendix_data(), version=1, issued_on=ISSUED_ON)
    book = load_workbook(io.BytesIO(content))
    cover = {row[0].value: row[1] for row in book["Cover"].iter_rows() if row[0].value}
    assert book["Cover"]["A1"].value == TITLE
    for label, day in (("Agreed on", date(2019, 9, 12)), ("Issued on", ISSUED_ON)):
        assert cover[label].is_date and cover[label].value.date() == day
        assert cover[label].number_format == DATE_FORMAT
    changes = book["Changes"]
    header = [cell.value for cell in changes[1]]
    planned_by = changes.cell(row=2, column=header.index("Planned by") + 1)
    assert planned_by.is_date and planned_by.value.date() == date(2020, 3, 31)
    assert planned_by.number_format == DATE_FORMAT
    invested = changes.cell(row=4, column=header.index("Investment (£)") + 1)
    assert invested.value == 100000 and invested.number_format == MONEY_FORMAT
    assert changes.cell(row=2, column=header.index("Current position of maturity") + 1).value == (
        "Established"
    )
    amounts = [row[5] for row in book["Investments"].iter_rows(min_row=2)]
    assert all(cell.data_type == "n" and cell.number_format == MONEY_FORMAT for cell in amounts)
    assert amounts[-1].value == 250000 == sum(cell.value for cell in amounts[:-1])


# --- Returns issued before these options -----------------------------------------------------


def test_a_return_issued_with_the_old_data_still_prints_as_it_did():
    """An issued return keeps the data of its day: no title, level-number choice or scale,
    and the time it was gathered (never printed)."""
    data = appendix_data()
    for key in ("title", "show_level_numbers", "levels"):
        del data[key]
    data["generated_at"] = "2019-09-20T10:15:00+00:00"
    text = words(pdf_words(pdf_of(data)))
    assert "Better Care Fund return: High Impact Change Model" in text
    assert "1. Early discharge planning 3 Established 4 Mature" in text
    assert "10:15" not in text and "10.15am" not in text
    texts = [p.text for p in word_of(data).paragraphs]
    assert texts[0] == "Better Care Fund return: High Impact Change Model"
    assert levels_summary(data) in texts
    assert reports.return_xlsx(data, version=1).startswith(b"PK")
