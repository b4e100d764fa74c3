"""A round from set-up to two submitted returns, in the browser, as the people who do it.

1. The facilitator sets up a round, opens it, and sees the e-mails go and the tracker start.
2. A member of Testshire Hospitals rates all nine changes on the pages, one after another,
   meets the "Mature needs evidence" error once, and submits.
3. A member of Testshire Council downloads the spreadsheet, fills it in offline, uploads it,
   confirms the preview and submits.
4. The facilitator sees both returns submitted, and none of what either partner wrote.

Every page on the way must pass axe and raise no CSP or JavaScript error.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from assessments.models import Round
from hicm_portal.words import possessive
from tests.browser.helpers import check_page

pytestmark = pytest.mark.django_db(transaction=True)

ROUND_NAME = "2026/27 Q4"
FRAMEWORK_TITLE = "Managing transfers of care – a High Impact Change Model (2020)"
TASK_LIST_HEADING = "Rate the Managing transfers of care (2020)"
CHANGES = [
    ("1", "Early discharge planning"),
    ("2", "Monitoring and responding to system demand and capacity"),
    ("3", "Multi-disciplinary working"),
    ("4", "Home first (and discharge to assess)"),
    ("5", "Flexible working patterns"),
    ("6", "Trusted assessment"),
    ("7", "Engagement and choice"),
    ("8", "Improved discharge to care homes"),
    ("9", "Housing and related services"),
]
# What each partner writes: the facilitator must never see any of it while rating is on.
HOSPITALS_RATIONALE = "Hospitals see this on the wards, change {code}"
COUNCIL_RATIONALE = "Council teams report this, change {code}"
EVIDENCE_TITLE = "Discharge audit 2026"
EVIDENCE_URL = "https://example.org/discharge-audit"

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def fill_date(page, legend: str, day) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def tracker_row(page, partner_name: str):
    table = page.get_by_role("table", name="Completion by partner")
    return table.get_by_role("row").filter(has_text=partner_name)


def set_up_and_open_the_round(page, live_server_url, cast, browser_problems) -> str:
    """Step 1, as the facilitator. Returns the round page's address."""
    page.get_by_role("link", name="Testshire", exact=True).click()
    expect(page).to_have_url(live_server_url + "/systems/testshire/")
    check_page(page, browser_problems, heading="Testshire")

    page.get_by_role("link", name="Rounds of self-assessment").click()
    expect(page).to_have_url(live_server_url + "/systems/testshire/rounds/")
    expect(page.locator("main")).to_contain_text("There are no rounds to show yet")
    check_page(page, browser_problems, heading="Rounds of self-assessment")

    page.get_by_role("link", name="Set up a round").click()
    expect(page).to_have_url(live_server_url + "/systems/testshire/rounds/new/")
    check_page(page, browser_problems, heading="Set up a round")

    today = timezone.localdate()
    closes = today + timedelta(weeks=3)
    page.get_by_label("Name of the round").fill(ROUND_NAME)
    page.get_by_label(FRAMEWORK_TITLE, exact=True).check()
    # Every partner of the system takes part unless the facilitator says otherwise.
    expect(page.get_by_label("Testshire Hospitals", exact=True)).to_be_checked()
    expect(page.get_by_label("Testshire Council", exact=True)).to_be_checked()
    fill_date(page, "Opening date", today)
    fill_date(page, "Closing date", closes)
    page.get_by_label("Approval quorum").fill("1")
    page.get_by_role("button", name="Save round").click()

    # The draft round's page.
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server_url)}/rounds/{UUID}/$"))
    round_url = page.url
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Round {ROUND_NAME} is set up as a draft."
    )
    main = page.locator("main")
    expect(main).to_contain_text("Draft")
    expect(main).to_contain_text(FRAMEWORK_TITLE)
    expect(main).to_contain_text(f"returns due {closes.day} {closes:%B %Y}")
    expect(main).to_contain_text("Opening e-mails 2 members of the partners taking part")
    check_page(page, browser_problems, heading=ROUND_NAME)
    assert mail.outbox == []  # nobody is e-mailed about a draft

    page.get_by_role("button", name="Open the round and e-mail partners").click()
    expect(page).to_have_url(round_url)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Round {ROUND_NAME} is open. Every member of the partners was e-mailed."
    )
    expect(main).to_contain_text("Rating")
    for partner_name in ("Testshire Hospitals", "Testshire Council"):
        row = tracker_row(page, partner_name)
        expect(row).to_contain_text("Not started")
        expect(row).to_contain_text("0 of 9")
    check_page(page, browser_problems, heading=ROUND_NAME)

    # One e-mail per member of each partner taking part (sent when the transaction commits).
    by_address = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_address) == sorted([cast.member.email, cast.other_member.email])
    deadline = f"{closes.day} {closes:%B %Y}"
    assert by_address[cast.member.email].subject == (
        f"Rate the Managing transfers of care (2020) for Testshire Hospitals by {deadline}"
    )
    assert by_address[cast.other_member.email].subject == (
        f"Rate the Managing transfers of care (2020) for Testshire Council by {deadline}"
    )
    assert Round.objects.get(name=ROUND_NAME).status == Round.Status.RATING
    return round_url


def open_own_task_list(page, live_server_url, partner_name: str, browser_problems) -> str:
    """From the home page's "Needs your attention" to the partner's task list."""
    check_page(page, browser_problems, heading="Your systems")
    # Playwright hands the pattern's source to the browser, where an unescaped "/" ends it.
    round_name = re.escape(ROUND_NAME).replace("/", r"\/")
    page.get_by_role("link", name=re.compile(rf"^Rate {round_name} for {partner_name} by ")).click()
    expect(page).to_have_url(
        re.compile(rf"^{re.escape(live_server_url)}/rounds/{UUID}/partners/{UUID}/$")
    )
    expect(page.locator("main")).to_contain_text("You have rated 0 of 9 changes.")
    check_page(page, browser_problems, heading=TASK_LIST_HEADING)
    return page.url


def rate_in_the_browser(page, tasks_url: str, browser_problems) -> None:
    """Step 2: every change on its own page, "Save and continue" from one to the next."""
    page.get_by_role("link", name="1. Early discharge planning").click()
    for position, (code, title) in enumerate(CHANGES, start=1):
        expect(page).to_have_url(f"{tasks_url}changes/{code}/")
        expect(page.locator("main")).to_contain_text(f"change {position} of 9")
        check_page(page, browser_problems, heading=f"{code}. {title}")

        level = "4 Mature" if code == "4" else "3 Established"
        page.get_by_label(level, exact=True).check()
        page.get_by_label("Rationale", exact=True).fill(HOSPITALS_RATIONALE.format(code=code))
        page.get_by_label("High" if code == "4" else "Medium", exact=True).check()
        page.get_by_role("button", name="Save and continue").click()

        if code == "4":
            # Mature needs evidence: the page comes back with an error summary, focused.
            expect(page).to_have_title(re.compile(r"^Error: "))
            summary = page.locator(".govuk-error-summary")
            expect(summary).to_contain_text("Add at least one piece of evidence: Mature needs")
            expect(summary).to_be_focused()
            expect(page.get_by_label("4 Mature", exact=True)).to_be_checked()
            expect(page.get_by_label("Rationale", exact=True)).to_have_value(
                HOSPITALS_RATIONALE.format(code=code)
            )
            check_page(page, browser_problems, heading=f"{code}. {title}")

            page.get_by_label("Evidence 1: title").fill(EVIDENCE_TITLE)
            page.get_by_label("Evidence 1: web address").fill(EVIDENCE_URL)
            page.get_by_role("button", name="Save and continue").click()

    expect(page).to_have_url(f"{tasks_url}check/")
    main = page.locator("main")
    for code, _ in CHANGES:
        expect(main).to_contain_text(HOSPITALS_RATIONALE.format(code=code))
    expect(main.get_by_role("link", name=EVIDENCE_TITLE)).to_have_attribute("href", EVIDENCE_URL)
    check_page(page, browser_problems, heading="Check your answers before you submit")


def submit_the_return(page, tasks_url: str, partner_name: str, browser_problems) -> None:
    page.get_by_role("button", name="Submit the return").click()
    expect(page).to_have_url(f"{tasks_url}submitted/")
    panel = page.locator(".govuk-panel--confirmation")
    expect(panel).to_contain_text(f"{possessive(partner_name)} ratings for {ROUND_NAME}")
    check_page(page, browser_problems, heading="Return submitted")


def rate_with_the_spreadsheet(page, tasks_url: str, tmp_path, browser_problems) -> None:
    """Step 3: download, fill in offline, upload, check the preview, save."""
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the spreadsheet (.xlsx)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    downloaded = tmp_path / download.suggested_filename
    download.save_as(downloaded)

    workbook = load_workbook(downloaded)
    sheet = workbook["Return"]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:6] == ["Code", "Change", "Level", "Rationale", "Evidence", "Confidence"]
    column = {name: index + 1 for index, name in enumerate(headers)}
    filled = []
    for row in range(2, sheet.max_row + 1):
        code = sheet.cell(row, column["Code"]).value
        if not code:
            continue
        sheet.cell(row, column["Level"]).value = "Plans in place"
        sheet.cell(row, column["Rationale"]).value = COUNCIL_RATIONALE.format(code=code)
        sheet.cell(row, column["Confidence"]).value = "Medium"
        filled.append(str(code))
    assert filled == [code for code, _ in CHANGES]
    completed = tmp_path / "completed.xlsx"
    workbook.save(completed)

    page.get_by_role("link", name="Upload a completed spreadsheet").click()
    expect(page).to_have_url(f"{tasks_url}upload/")
    check_page(page, browser_problems, heading="Upload your completed spreadsheet")

    page.get_by_label("Your completed spreadsheet").set_input_files(completed)
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.locator("h1")).to_have_text("Check what will be saved")
    preview = page.get_by_role("table", name="Rows in the spreadsheet")
    expect(preview.locator("tbody tr")).to_have_count(9)
    expect(preview).to_contain_text(COUNCIL_RATIONALE.format(code="9"))
    expect(preview).not_to_contain_text("Error")
    check_page(page, browser_problems, heading="Check what will be saved")

    page.get_by_role("button", name="Save these ratings").click()
    expect(page).to_have_url(tasks_url)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "9 ratings saved from your spreadsheet."
    )
    expect(page.locator("main")).to_contain_text("You have rated 9 of 9 changes.")
    check_page(page, browser_problems, heading=TASK_LIST_HEADING)

    page.get_by_role("link", name="Check your answers and submit").click()
    expect(page).to_have_url(f"{tasks_url}check/")
    expect(page.locator("main")).to_contain_text("2 Plans in place")
    check_page(page, browser_problems, heading="Check your answers before you submit")


def test_a_round_from_set_up_to_two_submitted_returns(
    page, page_for, live_server_url, cast, frameworks, login, browser_problems, tmp_path
):
    # 1. The facilitator sets the round up and opens it.
    login(cast.facilitator)
    check_page(page, browser_problems, heading="Your systems")
    round_url = set_up_and_open_the_round(page, live_server_url, cast, browser_problems)

    # 2. Testshire Hospitals rates change by change in the browser.
    hospitals = page_for(cast.member)
    tasks_url = open_own_task_list(
        hospitals, live_server_url, "Testshire Hospitals", browser_problems
    )
    rate_in_the_browser(hospitals, tasks_url, browser_problems)
    submit_the_return(hospitals, tasks_url, "Testshire Hospitals", browser_problems)

    # The facilitator sees one return in, and still nothing of what it says.
    page.reload()
    expect(tracker_row(page, "Testshire Hospitals")).to_contain_text("Submitted")
    expect(tracker_row(page, "Testshire Council")).to_contain_text("Not started")

    # 3. Testshire Council works offline with the spreadsheet.
    council = page_for(cast.other_member)
    council_tasks_url = open_own_task_list(
        council, live_server_url, "Testshire Council", browser_problems
    )
    rate_with_the_spreadsheet(council, council_tasks_url, tmp_path, browser_problems)
    submit_the_return(council, council_tasks_url, "Testshire Council", browser_problems)

    # 4. The facilitator: both submitted, 9 of 9 each, and not a word of either rationale.
    page.reload()
    expect(page).to_have_url(round_url)
    hospitals_row = tracker_row(page, "Testshire Hospitals")
    council_row = tracker_row(page, "Testshire Council")
    expect(hospitals_row).to_contain_text("Submitted")
    expect(hospitals_row).to_contain_text("by Mina Member")
    expect(hospitals_row).to_contain_text("9 of 9")
    expect(council_row).to_contain_text("Submitted")
    expect(council_row).to_contain_text("by Otto Other")
    expect(council_row).to_contain_text("9 of 9")
    check_page(page, browser_problems, heading=ROUND_NAME)

    html = page.content()
    for code, _ in CHANGES:
        assert HOSPITALS_RATIONALE.format(code=code) not in html
        assert COUNCIL_RATIONALE.format(code=code) not in html
    for written in ("on the wards", "Council teams report", EVIDENCE_TITLE, EVIDENCE_URL):
        assert written not in html
    # Nor the levels either partner chose.
    for level in ("Plans in place", "Established", "Mature"):
        assert level not in html
