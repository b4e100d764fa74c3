"""The timeout warning (static/js/timeout-warning.js): two minutes before a session ends a
dialog says so; "Stay signed in" (or Escape) renews the session; at the end the page signs out
and says why. The page's clock is Playwright's, moved on by the test: nothing waits.
Also the Account page with its history, and signing out of all devices, in two browsers."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import AccountEvent
from tests.accounts.helpers import account_event
from tests.browser.helpers import assert_accessible, check_page

pytestmark = pytest.mark.django_db(transaction=True)

MINUTE_MS = 60 * 1000
KEEP_ALIVE = "/account/session/keep-alive/"


def warning(page):
    return page.get_by_role("alertdialog", name="You’ll be signed out soon")


def open_account_page(page, live_server_url, login, user) -> None:
    page.clock.install()  # before any page of the portal runs its scripts
    login(user)
    page.goto(live_server_url + "/account/")


def seconds_left_on_the_server() -> float:
    (session,) = Session.objects.all()
    return (session.expire_date - timezone.now()).total_seconds()


def as_if_idle_on_the_server_for(minutes: int) -> None:
    """The server's side of the page's clock: the session's last request `minutes` ago."""
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=30 - minutes))


def test_the_warning_opens_two_minutes_before_and_stay_signed_in_keeps_the_session(
    page, live_server_url, cast, login, browser_problems
):
    open_account_page(page, live_server_url, login, cast.member)
    expect(warning(page)).to_be_hidden()

    page.clock.fast_forward(28 * MINUTE_MS - 1000)
    expect(warning(page)).to_be_hidden()
    page.clock.fast_forward(2000)
    expect(warning(page)).to_be_visible()
    expect(warning(page)).to_contain_text("We will sign you out in 1 minute and 59 seconds")
    stay = page.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    assert_accessible(page)

    as_if_idle_on_the_server_for(29)
    with page.expect_response(lambda response: KEEP_ALIVE in response.url) as answer:
        stay.click()
    assert answer.value.status == 204
    expect(warning(page)).to_be_hidden()
    assert seconds_left_on_the_server() > 29 * 60

    # The page's own count starts again from "Stay signed in".
    page.clock.fast_forward(27 * MINUTE_MS)
    expect(warning(page)).to_be_hidden()
    page.clock.fast_forward(MINUTE_MS + 2000)
    expect(warning(page)).to_be_visible()
    browser_problems.assert_none(page.url)


def test_escape_means_stay_signed_in(page, live_server_url, cast, login, browser_problems):
    open_account_page(page, live_server_url, login, cast.member)
    page.clock.fast_forward(28 * MINUTE_MS + 1000)
    expect(warning(page)).to_be_visible()
    with page.expect_response(lambda response: KEEP_ALIVE in response.url) as answer:
        page.keyboard.press("Escape")
    assert answer.value.status == 204
    expect(warning(page)).to_be_hidden()
    browser_problems.assert_none(page.url)


def test_stay_signed_in_after_the_server_ended_the_session_says_so(
    page, live_server_url, cast, login, browser_problems
):
    open_account_page(page, live_server_url, login, cast.member)
    page.clock.fast_forward(28 * MINUTE_MS + 1000)
    as_if_idle_on_the_server_for(31)
    page.get_by_role("button", name="Stay signed in").click()
    page.wait_for_url(f"{live_server_url}/account/session/ended/")
    expect(page.locator("h1")).to_have_text("You have been signed out")
    browser_problems.assert_none(page.url)


def test_sign_out_in_the_warning_signs_out(page, live_server_url, cast, login, browser_problems):
    open_account_page(page, live_server_url, login, cast.member)
    page.clock.fast_forward(28 * MINUTE_MS + 1000)
    warning(page).get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server_url}/accounts/login/")
    page.goto(live_server_url + "/account/")
    assert page.url.startswith(f"{live_server_url}/accounts/login/")
    browser_problems.assert_none(page.url)


def test_when_the_time_runs_out_the_page_signs_out_and_says_why(
    page, live_server_url, cast, login, browser_problems
):
    open_account_page(page, live_server_url, login, cast.member)
    page.clock.fast_forward(30 * MINUTE_MS + 1000)
    page.wait_for_url(f"{live_server_url}/account/session/ended/")
    check_page(page, browser_problems, heading="You have been signed out")
    page.goto(live_server_url + "/account/")
    assert page.url.startswith(f"{live_server_url}/accounts/login/")


def test_a_page_never_warns_someone_who_is_not_signed_in(page, live_server_url, browser_problems):
    page.clock.install()
    page.goto(live_server_url + "/accounts/login/")
    page.clock.fast_forward(31 * MINUTE_MS)
    expect(warning(page)).to_have_count(0)
    assert page.url == f"{live_server_url}/accounts/login/"
    browser_problems.assert_none(page.url)


# --- The Account page and signing out of all devices ---------------------------------------


def test_the_account_page_with_its_history_is_accessible(
    page, live_server_url, cast, login, browser_problems
):
    for kind in AccountEvent.Kind.values:
        account_event(cast.member, kind, by=cast.admin)
    login(cast.member)
    page.goto(live_server_url + "/account/")
    expect(page.locator("main")).to_contain_text("203.0.113.7")
    check_page(page, browser_problems, heading="Your account")


def test_signing_out_of_all_devices_signs_out_another_browser_too(
    page, live_server_url, cast, login, page_for, browser_problems
):
    other_browser = page_for(cast.member)
    login(cast.member)
    page.goto(live_server_url + "/account/")
    page.get_by_role("link", name="Sign out of all devices").click()
    check_page(page, browser_problems, heading="Sign out of all devices")
    page.get_by_role("button", name="Sign out of all devices").click()
    page.wait_for_url(f"{live_server_url}/accounts/login/")
    expect(page.locator("main")).to_contain_text("You have been signed out of all devices")

    other_browser.goto(live_server_url + "/account/")
    assert other_browser.url.startswith(f"{live_server_url}/accounts/login/")
    browser_problems.assert_none(page.url)
