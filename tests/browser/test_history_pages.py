"""A system's history in a browser: recording a past round, importing past returns, and a
local measure on the plan. axe-core passes on every page, errors included."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import check_page
from tests.history_import.helpers import csv_file, level_rows

pytestmark = pytest.mark.django_db(transaction=True)


def test_recording_a_past_round(page, live_server_url, cast, frameworks, login, browser_problems):
    """Framework first; then the round: an empty form lists its problems, a full one records
    the round, agreed and marked as recorded afterwards."""
    login(cast.facilitator)
    page.goto(f"{live_server_url}/systems/testshire/rounds/")
    page.get_by_role("link", name="Record a past round").click()
    check_page(page, browser_problems, heading="Record a past round")
    page.get_by_label(frameworks["mtoc-2017"].title).check()
    page.get_by_role("button", name="Continue").click()
    check_page(page, browser_problems, heading="Record a past round")

    page.get_by_role("button", name="Record the round").click()
    expect(page).to_have_title(re.compile(r"^Error: Record a past round"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter a name for the round")
    expect(summary).to_contain_text("Enter who approved the levels and where")
    expect(summary).to_contain_text("Select the agreed level of change 1.")
    check_page(page, browser_problems, heading="Record a past round")

    page.get_by_label("Name of the round").fill("2019/20")
    agreed = page.get_by_role("group", name="Date the levels were agreed")
    agreed.get_by_label("Day").fill("12")
    agreed.get_by_label("Month").fill("9")
    agreed.get_by_label("Year").fill("2019")
    page.get_by_label("Who approved the levels, and where").fill(
        "Health and Wellbeing Board, 12 September 2019"
    )
    levels = page.get_by_label("Agreed level")
    for index in range(levels.count()):
        levels.nth(index).select_option(label="3 Established")
    page.get_by_role("button", name="Record the round").click()

    expect(page.locator("main")).to_contain_text("Recorded afterwards")
    expect(page.locator("main")).to_contain_text("Health and Wellbeing Board, 12 September 2019")
    check_page(page, browser_problems, heading=re.compile("2019/20"))


def test_importing_past_returns(
    page, live_server_url, cast, frameworks, login, browser_problems, tmp_path
):
    """A file with a bad level: the preview names its row and offers no import; the corrected
    file previews its round, and confirming imports it."""
    bad = level_rows()
    bad[2][5] = "Brilliant"  # the level column of spreadsheet row 4
    bad_file = tmp_path / "bad.csv"
    bad_file.write_bytes(csv_file(bad))
    good_file = tmp_path / "good.csv"
    good_file.write_bytes(csv_file(level_rows()))

    login(cast.facilitator)
    page.goto(f"{live_server_url}/systems/testshire/")
    page.get_by_role("link", name="Import past returns").click()
    check_page(page, browser_problems, heading="Import past returns")

    page.get_by_label("File of past returns (.xlsx or .csv)").set_input_files(str(bad_file))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.locator("main")).to_contain_text("Row 4, column level: Brilliant is not a level")
    expect(page.get_by_role("button", name="Import these returns")).to_have_count(0)
    check_page(page, browser_problems, heading="Correct the file and upload it again")

    page.goto(f"{live_server_url}/systems/testshire/past-returns/import/")
    page.get_by_label("File of past returns (.xlsx or .csv)").set_input_files(str(good_file))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.locator("main")).to_contain_text("2019/20")
    check_page(page, browser_problems, heading="Check the past returns to import")
    page.get_by_role("button", name="Import these returns").click()
    check_page(page, browser_problems, heading="Past returns imported")


def test_adding_a_local_measure(page, live_server_url, cast, frameworks, login, browser_problems):
    """From the plan's change card: a baseline that is not a number is named, what was typed
    stays, and the saved measure shows on the card."""
    from tests.improvement_plans.helpers import agreed_round

    round_ = agreed_round(cast.system, frameworks["mtoc-2020"], planner=cast.facilitator)
    login(cast.facilitator)
    page.goto(f"{live_server_url}/rounds/{round_.public_id}/plan/")
    page.get_by_role("link", name="Add a measure for change 1").click()
    check_page(page, browser_problems, heading="Add a measure")

    page.get_by_label("Name of the measure").fill("Average reablement episode")
    page.get_by_label("Unit (optional)").fill("days")
    page.get_by_label("Baseline value").fill("twenty-three")
    baseline = page.get_by_role("group", name="Baseline date")
    baseline.get_by_label("Day").fill("1")
    baseline.get_by_label("Month").fill("4")
    baseline.get_by_label("Year").fill("2025")
    page.get_by_role("button", name="Save measure").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.locator("li")).to_have_count(1)
    expect(page.get_by_label("Name of the measure")).to_have_value("Average reablement episode")
    check_page(page, browser_problems, heading="Add a measure")

    page.get_by_label("Baseline value").fill("23")
    page.get_by_role("button", name="Save measure").click()
    expect(page.locator("main")).to_contain_text("Average reablement episode")
    check_page(page, browser_problems, heading=re.compile("plan", re.IGNORECASE))
