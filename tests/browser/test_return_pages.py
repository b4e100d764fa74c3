"""The BCF return pages in a real browser: axe, no CSP or script errors, and the journey from
draft to an issued version a steering member downloads."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from assessments.models import Round
from improvement_plans.models import IssuedReturn
from tests.browser.helpers import check_page

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-demo-password"


@pytest.fixture
def demo(settings, live_server_url):
    settings.PORTAL_URL = live_server_url
    for command in (
        ("load_frameworks",),
        ("load_casestudies",),
        ("seed_demo", "--password", PASSWORD),
    ):
        call_command(*command, stdout=io.StringIO(), stderr=io.StringIO())
    return {user.email.split("@")[0]: user for user in get_user_model().objects.all()}


def test_a_facilitator_drafts_previews_and_issues_and_a_steering_member_downloads(
    page, page_for, live_server_url, login, demo, browser_problems
):
    round_ = Round.objects.get(system__slug="northshire", name="2025/26")
    return_url = f"{live_server_url}/rounds/{round_.public_id}/return/"

    login(demo["facilitator"], PASSWORD)
    page.goto(f"{live_server_url}/rounds/{round_.public_id}/")
    page.get_by_role("link", name="Better Care Fund return").click()
    expect(page).to_have_url(return_url)
    check_page(page, browser_problems, heading="Better Care Fund return")

    page.get_by_label("Anticipated improvements").fill("Fewer delays at weekends.")
    page.get_by_role("button", name="Save the draft narrative").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("saved")
    check_page(page, browser_problems, heading="Better Care Fund return")

    page.get_by_role("link", name="preview the return").click()
    check_page(page, browser_problems, heading="Preview of the BCF return")
    expect(page.locator("main")).to_contain_text("What changed since version 1")
    expect(page.locator("svg[role=img] title").first).to_have_text(
        "Current agreed level against planned level, by change"
    )

    page.goto(return_url)
    page.get_by_role("button", name="Issue the return as version 2").click()
    check_page(page, browser_problems, heading="Issue version 2 of the BCF return")
    expect(page.locator("main")).to_contain_text("Who will be told")
    page.get_by_role("button", name="Issue version 2").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Version 2")
    check_page(page, browser_problems, heading="Better Care Fund return")
    assert IssuedReturn.objects.filter(round=round_).count() == 2

    steering = page_for(demo["steering1"], PASSWORD)
    steering.goto(return_url)
    check_page(steering, browser_problems, heading="Better Care Fund return")
    expect(steering.get_by_role("button", name="Issue the return")).to_have_count(0)
    with steering.expect_download() as download:
        steering.get_by_role("link", name="PDF of version 2").click()
    assert download.value.suggested_filename.endswith("return-v2.pdf")
