"""Every page of the portal, as the person who sees it: axe-core passes, no CSP or JS errors."""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from assessments import services
from assessments.models import Invitation
from tests.browser.conftest import check_page

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass(frozen=True)
class Visit:
    path: str
    who: str | None  # a cast role, or None for an anonymous visitor
    heading: str  # the page's <h1>
    status: int = 200
    text: str | None = None  # something else the page must show
    needs_frameworks: bool = False


PAGES = {
    "login": Visit("/accounts/login/", None, "Log in to HICM Portal"),
    "password-reset": Visit("/accounts/password/reset/", None, "Reset your password"),
    "password-reset-bad-link": Visit(
        "/accounts/password/reset/MQ/not-a-token/", None, "This link does not work"
    ),
    "password-reset-complete": Visit("/accounts/password/reset/done/", None, "Password saved"),
    "accessibility": Visit("/accessibility/", None, "Accessibility statement for HICM Portal"),
    "accessibility-logged-in": Visit(
        "/accessibility/", "member", "Accessibility statement for HICM Portal"
    ),
    "invitation-invalid": Visit(
        "/invitations/not-a-real-token/",
        None,
        "This invitation link does not work",
        status=410,
    ),
    "home": Visit("/", "facilitator", "Your systems", text="Testshire"),
    "home-member": Visit("/", "member", "Your systems", text="Member of Testshire Hospitals"),
    "home-empty": Visit(
        "/", "nobody", "Your systems", text="You have not been added to a health and care system"
    ),
    "system-as-member": Visit("/systems/testshire/", "member", "Testshire"),
    "system-as-viewer": Visit("/systems/testshire/", "viewer", "Testshire"),
    "invite-form": Visit("/systems/testshire/invitations/new/", "facilitator", "Invite someone"),
    "frameworks": Visit("/frameworks/", "facilitator", "Frameworks", needs_frameworks=True),
    "frameworks-empty": Visit(
        "/frameworks/", "facilitator", "Frameworks", text="No frameworks are loaded yet"
    ),
    "framework-mtoc-2020": Visit(
        "/frameworks/mtoc-2020/",
        "facilitator",
        "Managing transfers of care – a High Impact Change Model (2020)",
        needs_frameworks=True,
    ),
    "framework-ohc-2025": Visit(
        "/frameworks/ohc-2025/",
        "facilitator",
        "High Impact Change Model for Optimal Handed Care",
        needs_frameworks=True,
    ),
    "change-mtoc-2020-1": Visit(
        "/frameworks/mtoc-2020/changes/1/",
        "facilitator",
        "Early discharge planning",
        needs_frameworks=True,
    ),
    "change-ohc-2025-F": Visit(
        "/frameworks/ohc-2025/changes/F/",
        "facilitator",
        "Transfer of care into the community with consistency",
        needs_frameworks=True,
    ),
    "password-change": Visit("/accounts/password/change/", "facilitator", "Change your password"),
    "password-change-done": Visit("/accounts/password/change/done/", "member", "Password changed"),
    "403": Visit(
        "/systems/testshire/invitations/new/",
        "member",
        "You do not have permission to do this",
        status=403,
    ),
    "404": Visit("/systems/no-such-system/", "facilitator", "Page not found", status=404),
    "404-other-system": Visit("/systems/elsewhere/", "member", "Page not found", status=404),
    "404-anonymous": Visit("/no-such-page/", None, "Page not found", status=404),
}


@pytest.mark.parametrize("visit", PAGES.values(), ids=PAGES.keys())
def test_page_is_accessible(visit, request, page, live_server_url, cast, login, browser_problems):
    if visit.needs_frameworks:
        request.getfixturevalue("frameworks")
    if visit.who:
        login(cast.roles()[visit.who])
    response = page.goto(live_server_url + visit.path)
    assert response.status == visit.status
    if visit.text:
        expect(page.locator("main")).to_contain_text(visit.text)
    check_page(page, browser_problems, heading=visit.heading)


def test_password_reset_journey_pages(page, live_server_url, cast, browser_problems):
    """The reset form, "check your email", and the e-mailed link's "choose a new password"."""
    page.goto(live_server_url + "/accounts/password/reset/")
    page.get_by_label("Email", exact=True).fill(cast.member.email)
    page.get_by_role("button", name="Send reset link").click()
    page.wait_for_url(live_server_url + "/accounts/password/reset/sent/")
    check_page(page, browser_problems, heading="Check your email")

    (message,) = mail.outbox
    link = re.search(r"https?://\S+/accounts/password/reset/\S+", message.body).group(0)
    page.goto(live_server_url + urlsplit(link).path)
    check_page(page, browser_problems, heading="Choose a new password")

    # Submitted empty, the form shows an error summary.
    page.get_by_role("button", name="Save password").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_page(page, browser_problems, heading="Choose a new password")


def test_login_errors_are_accessible(page, live_server_url, cast, browser_problems):
    page.goto(live_server_url + "/accounts/login/")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your email address")
    check_page(page, browser_problems, heading="Log in to HICM Portal")


def test_system_page_with_a_pending_invitation(
    page, live_server_url, cast, login, browser_problems
):
    services.invitation_create(
        system=cast.system,
        email="newcomer@test.example",
        full_name="Nell Newcomer",
        role=Invitation.Role.MEMBER,
        partner=cast.partner,
        invited_by=cast.facilitator,
    )
    login(cast.facilitator)
    page.goto(live_server_url + "/systems/testshire/")
    invitations = page.get_by_role("table", name="Invitations not yet accepted")
    expect(invitations).to_contain_text("newcomer@test.example")
    expect(invitations).to_contain_text("Pending")
    check_page(page, browser_problems, heading="Testshire")


def test_invite_form_with_errors(page, live_server_url, cast, login, browser_problems):
    login(cast.facilitator)
    page.goto(live_server_url + "/systems/testshire/invitations/new/")
    page.get_by_role("button", name="Send invitation").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter an email address")
    expect(summary).to_contain_text("Select a role")
    # GOV.UK Frontend moves focus to the error summary, so screen readers announce it.
    expect(summary).to_be_focused()
    check_page(page, browser_problems, heading="Invite someone")


def test_invitation_accept_page(page, live_server_url, cast, browser_problems):
    outcome = services.invitation_create(
        system=cast.system,
        email="newcomer@test.example",
        role=Invitation.Role.MEMBER,
        partner=cast.partner,
        invited_by=cast.facilitator,
    )
    page.goto(f"{live_server_url}/invitations/{outcome.token}/")
    expect(page.locator("main")).to_contain_text("newcomer@test.example")
    check_page(page, browser_problems, heading="Set your password")

    # Submitted empty: the error summary, and the title says so.
    page.get_by_role("button", name="Set password and continue").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_page(page, browser_problems, heading="Set your password")


def test_locked_out_page(page, live_server_url, cast, browser_problems, settings):
    page.goto(live_server_url + "/accounts/login/")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.get_by_label("Email address").fill(cast.member.email)
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
    check_page(page, browser_problems, heading="Too many attempts to log in")


def test_server_error_page(page, live_server_url, browser_problems):
    """The 500 page, as the handler renders it, served under the real policy and static files.

    Nothing in the portal fails on purpose, so the browser is handed the page the handler
    renders, with the Content-Security-Policy header of a real response.
    """
    from hicm_portal.views import error_500

    policy = page.goto(live_server_url + "/accessibility/").headers["content-security-policy"]
    body = error_500(None).content.decode()
    page.route(
        live_server_url + "/broken/",
        lambda route: route.fulfill(
            status=500,
            body=body,
            content_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": policy},
        ),
    )
    response = page.goto(live_server_url + "/broken/")
    assert response.status == 500
    check_page(page, browser_problems, heading="Sorry, there is a problem with the service")
