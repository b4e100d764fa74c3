"""The practice library in the browser, with the examples that ship with the portal.

1. A partner member searches the library, opens a case study, and finds practice beside a
   framework change (a 2020 change showing a case study linked to its 2017 change).
2. A facilitator adds a case study, meets GOV.UK errors (a non-web source link, no change
   chosen) with nothing saved, corrects them and publishes.

Every page on the way must pass axe and raise no CSP or JavaScript error.
"""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from casestudies.models import CaseStudy
from tests.browser.helpers import assert_accessible, check_page

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def library(frameworks):
    call_command("load_casestudies", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    return frameworks


def test_a_member_searches_reads_and_finds_practice_beside_a_change(
    page, live_server_url, login, cast, library, browser_problems
):
    login(cast.member)
    page.goto(live_server_url + "/case-studies/")
    check_page(page, browser_problems, heading="Case studies")
    expect(page.get_by_role("link", name="Add a case study")).to_have_count(0)

    page.get_by_label("Search").fill("reablement")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(live_server_url + "/case-studies/?q=reablement&change=&level=")
    results = page.locator("main")
    expect(results).to_contain_text("1 case study")
    check_page(page, browser_problems, heading="Case studies")

    page.get_by_label("Change").select_option(label="6. Trusted assessment")
    page.get_by_label("Search").fill("")
    page.get_by_role("button", name="Search").click()
    expect(results).to_contain_text("Trusted assessors for care homes")
    assert_accessible(page)

    page.get_by_role("link", name="Trusted assessors for care homes").click()
    expect(page).to_have_url(live_server_url + "/case-studies/llr-trusted-assessors-care-homes/")
    check_page(page, browser_problems, heading="Trusted assessors for care homes")
    expect(page.locator("main")).to_contain_text("Investment: £70k from the Better Care Fund")
    expect(page.get_by_role("link", name="Change this case study")).to_have_count(0)

    # Linked to 2017 change 6: it shows there, and beside 2020 change 6 through the crosswalk.
    page.get_by_role("link", name="6. Trusted assessors").click()
    expect(page).to_have_url(live_server_url + "/frameworks/mtoc-2017/changes/6/")
    check_page(page, browser_problems, heading="Trusted assessors")
    page.goto(live_server_url + "/frameworks/mtoc-2020/changes/6/")
    check_page(page, browser_problems, heading="Trusted assessment")
    practice = page.locator("#practice-from-elsewhere ~ div")
    expect(practice.get_by_role("link", name="Trusted assessors for care homes")).to_be_visible()
    page.get_by_role("link", name="Search the case studies for this change").click()
    expect(page.locator("main")).to_contain_text("1 case study")
    check_page(page, browser_problems, heading="Case studies")


def test_a_facilitator_adds_a_case_study_after_correcting_errors(
    page, live_server_url, login, cast, library, browser_problems
):
    login(cast.facilitator)
    page.goto(live_server_url + "/case-studies/")
    page.get_by_role("link", name="Add a case study").click()
    expect(page).to_have_url(live_server_url + "/case-studies/new/")
    check_page(page, browser_problems, heading="Add a case study")

    page.get_by_label("Title").fill("Discharge to assess beds in Testshire")
    page.get_by_label("Place").fill("Testshire")
    page.get_by_label("Summary").fill("Short-term beds while people are assessed out of hospital.")
    page.get_by_label("What they did").fill("They opened ten beds.")
    page.get_by_label("Outcomes").fill("Fewer people waited in hospital.")
    page.get_by_label("Link to the source (optional)").fill("ftp://files.example.org/report")
    page.get_by_label("Everyone who uses the portal").check()
    page.get_by_role("button", name="Save case study").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select at least one change this case study shows")
    expect(summary).to_contain_text("Enter a web address that starts with http:// or https://")
    expect(page).to_have_title("Error: Add a case study – Case studies – HICM Portal")
    check_page(page, browser_problems, heading="Add a case study")
    assert not CaseStudy.objects.filter(place="Testshire").exists()

    summary.get_by_role("link", name="Select at least one change").click()
    page.get_by_role("group", name="Changes in Managing transfers of care (2020)").get_by_label(
        "4. Home first (and discharge to assess)"
    ).check()
    page.get_by_label("Link to the source (optional)").fill("https://www.example.org/d2a")
    page.get_by_role("button", name="Save case study").click()

    expect(page).to_have_url(
        live_server_url + "/case-studies/discharge-to-assess-beds-in-testshire/"
    )
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is saved and published")
    check_page(page, browser_problems, heading="Discharge to assess beds in Testshire")

    page.goto(live_server_url + "/frameworks/mtoc-2017/changes/4/")
    expect(page.locator("main")).to_contain_text("Discharge to assess beds in Testshire")
    check_page(page, browser_problems)
