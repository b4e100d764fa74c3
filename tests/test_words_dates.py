"""Words and dates the GOV.UK way: dates written out, possessives and plurals right, in pages,
PDFs and spreadsheets (real date cells and pound amounts)."""

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from openpyxl import Workbook, load_workbook

from hicm_portal.spreadsheets import DATE_FORMAT, MONEY_FORMAT, append_row
from hicm_portal.templatetags.portal import possessive
from hicm_portal.words import govuk_date, govuk_datetime
from hicm_portal.words import possessive as possessive_text
from improvement_plans import reports
from tests.returns.helpers import plan_round


def render(source: str, **context) -> str:
    return Template("{% load portal %}" + source).render(Context(context))


# --- Dates ---------------------------------------------------------------------------------


def test_a_date_is_written_out():
    assert govuk_date(date(2027, 3, 31)) == "31 March 2027"
    assert govuk_date(date(2027, 3, 1)) == "1 March 2027"


def test_an_iso_date_from_a_returns_data_is_written_out():
    assert govuk_date("2027-03-31") == "31 March 2027"
    assert govuk_date("2026-11-27T14:16:40+00:00") == "27 November 2026"


def test_a_moment_is_written_with_its_time_in_the_portals_time_zone(settings):
    settings.TIME_ZONE = "Europe/London"
    summer = datetime(2026, 7, 27, 13, 16, tzinfo=ZoneInfo("UTC"))  # 2:16pm in London
    assert govuk_datetime(summer) == "2:16pm on 27 July 2026"
    assert govuk_datetime("2026-11-27T14:16:40+00:00") == "2:16pm on 27 November 2026"


def test_nothing_prints_nothing():
    assert govuk_date(None) == "" and govuk_datetime("") == ""


# --- Possessives and plurals ---------------------------------------------------------------


def test_a_name_ending_in_s_takes_the_apostrophe_alone():
    assert possessive_text("Northshire Homes") == "Northshire Homes'"
    assert possessive_text("Testshire Council") == "Testshire Council's"


def test_the_possessive_filter_escapes_the_name_but_not_the_apostrophe():
    assert render("{{ name|possessive }} return", name="A & B Homes") == "A &amp; B Homes' return"
    assert possessive("Council", autoescape=False) == "Council's"


@pytest.mark.parametrize(
    ("count", "words"),
    [(0, "0 actions"), (1, "1 action"), (2, "2 actions")],
)
def test_pluralize_gives_one_action_and_other_counts_actions(count, words):
    assert render("{{ n }} action{{ n|pluralize }}", n=count) == words


@pytest.mark.django_db
def test_a_partners_return_is_named_with_the_right_possessive(client, cast, open_round):
    client.force_login(cast.member)
    page = client.get(f"/rounds/{open_round.public_id}/").content.decode()
    assert "Testshire Hospitals' return" in page
    assert "Hospitals's" not in page


@pytest.mark.django_db
def test_an_action_list_never_offers_to_download_these_0_or_1_actions(client, cast, frameworks):
    client.force_login(cast.member)
    plan_round(cast, frameworks["mtoc-2020"])  # one action, owned by the member
    page = client.get("/actions/mine/").content.decode()
    assert "Download this action" in page
    assert "these 1 action" not in page


# --- Spreadsheets --------------------------------------------------------------------------


def test_dates_and_amounts_are_real_cells_with_their_formats():
    workbook = Workbook()
    sheet = workbook.active
    append_row(sheet, [date(2027, 3, 31), Decimal("1000.50"), "=SUM(A1)"])
    out = io.BytesIO()
    workbook.save(out)
    row = load_workbook(io.BytesIO(out.getvalue())).active[1]
    assert row[0].is_date and row[0].value.date() == date(2027, 3, 31)
    assert row[0].number_format == DATE_FORMAT
    assert row[1].value == 1000.5 and row[1].number_format == MONEY_FORMAT
    assert row[2].data_type == "s"


@pytest.mark.django_db
def test_the_bcf_returns_workbook_holds_dates_and_pounds(cast, frameworks):
    round_ = plan_round(cast, frameworks["mtoc-2020"])
    data = reports.return_data(round_)
    workbook = load_workbook(io.BytesIO(reports.return_xlsx(data)))
    agreed = next(row for row in workbook["Cover"].iter_rows() if row[0].value == "Agreed on")[1]
    assert agreed.is_date and agreed.number_format == DATE_FORMAT
    due = workbook["Actions"]["E2"]
    assert due.is_date and due.number_format == DATE_FORMAT
    total = next(row for row in workbook["Investments"].iter_rows() if row[0].value == "Total")[5]
    assert total.value == 3500.5 and total.number_format == MONEY_FORMAT


@pytest.mark.django_db
def test_the_bcf_return_pdf_page_writes_its_dates_out(cast, frameworks):
    round_ = plan_round(cast, frameworks["mtoc-2020"])
    data = reports.return_data(round_)
    html = reports.return_html(data)
    # The data holds ISO dates; none of them reaches the page.
    assert data["generated_at"][:10] not in html
    assert govuk_date(data["agreed_at"]) in html
    assert data["actions"][0]["due"] not in html
    assert govuk_date(data["actions"][0]["due"]) in html


@pytest.mark.django_db
def test_the_action_list_export_holds_due_dates_as_date_cells(client, cast, frameworks):
    plan_round(cast, frameworks["mtoc-2020"])
    client.force_login(cast.member)
    response = client.get("/actions/mine/?export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    headers = [cell.value for cell in sheet[1]]
    due = sheet.cell(row=2, column=headers.index("due_date") + 1)
    assert due.is_date and due.number_format == DATE_FORMAT
    csv = client.get("/actions/mine/?export=csv").content.decode()
    assert str(cast.member.owned_actions.get().due_date) in csv  # CSV: ISO, for re-import
