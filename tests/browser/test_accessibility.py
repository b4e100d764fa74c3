"""Every page of the portal, as the person who sees it: axe-core passes, no CSP or JS errors."""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from assessments import round_services, services, spreadsheets
from assessments.models import Invitation, PartnerReturn, Rating, Round
from tests.browser.helpers import check_page
from tests.factories import MemberFactory, UserFactory
from tests.helpers import rate_everything

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
    "account": Visit("/account/", "member", "Your account", text="Changes to your roles"),
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


# --- Rounds ----------------------------------------------------------------------------------
# The round pages the journey in test_round_journey.py does not visit, on `open_round`
# (2026/27 Q3, in rating). A path's {round} and {partner} are the round's and Testshire
# Hospitals' public ids. `state`: None (no round at all), "draft", "open" (nothing rated),
# "rated" (Testshire Hospitals rated everything) or "submitted" (and submitted it).

RETURN = "/rounds/{round}/partners/{partner}/"
TASK_LIST = "Rate the Managing transfers of care (2020)"
FORBIDDEN = "You do not have permission to do this"


@dataclass(frozen=True)
class RoundVisit:
    path: str
    who: str
    heading: str
    state: str | None = "open"
    status: int = 200
    text: str | None = None


ROUND_PAGES = {
    "round-list-empty-member": RoundVisit(
        "/systems/testshire/rounds/",
        "member",
        "Rounds of self-assessment",
        state=None,
        text="Your facilitator will e-mail you when a round opens.",
    ),
    "round-list-member": RoundVisit(
        "/systems/testshire/rounds/", "member", "Rounds of self-assessment", text="2026/27 Q3"
    ),
    "round-detail-member": RoundVisit(
        "/rounds/{round}/", "member", "2026/27 Q3", text="Testshire Hospitals' return"
    ),
    "round-detail-steering": RoundVisit("/rounds/{round}/", "steering", "2026/27 Q3"),
    "round-edit": RoundVisit(
        "/rounds/{round}/edit/", "facilitator", "Change the round's set-up", state="draft"
    ),
    "return-tasks-submitted": RoundVisit(
        RETURN, "member", TASK_LIST, state="submitted", text="The return is read-only"
    ),
    "rating-readonly": RoundVisit(
        RETURN + "changes/1/",
        "member",
        "1. Early discharge planning",
        state="submitted",
        text="This return is submitted, so it is read-only.",
    ),
    "return-check-submitted": RoundVisit(
        RETURN + "check/",
        "member",
        "Check your answers before you submit",
        state="submitted",
        text="Seen in practice (9)",
    ),
    "rating-history": RoundVisit(
        RETURN + "changes/1/history/",
        "member",
        "History of 1. Early discharge planning",
        state="rated",
        text="Seen in practice (1)",
    ),
    "rating-history-empty": RoundVisit(
        RETURN + "changes/1/history/",
        "member",
        "History of 1. Early discharge planning",
        text="Nothing has been saved for this change yet.",
    ),
    "round-new-403-member": RoundVisit(
        "/systems/testshire/rounds/new/", "member", FORBIDDEN, status=403
    ),
    "return-tasks-403-facilitator": RoundVisit(RETURN, "facilitator", FORBIDDEN, status=403),
    "return-tasks-403-other-partner": RoundVisit(RETURN, "other_member", FORBIDDEN, status=403),
    "round-detail-403-viewer": RoundVisit("/rounds/{round}/", "viewer", FORBIDDEN, status=403),
    "round-detail-404-draft-member": RoundVisit(
        "/rounds/{round}/", "member", "Page not found", state="draft", status=404
    ),
    "round-detail-404-outsider": RoundVisit(
        "/rounds/{round}/", "outsider", "Page not found", status=404
    ),
}


def round_in_state(request, cast, state: str | None) -> Round | None:
    if state is None:
        return None
    round_ = request.getfixturevalue("open_round")
    if state == "draft":
        round_.status, round_.opened_at = Round.Status.DRAFT, None
        round_.save(update_fields=["status", "opened_at"])
    if state in ("rated", "submitted"):
        partner_return = rate_everything(round_, cast.partner, cast.member)
        if state == "submitted":
            round_services.return_submit(partner_return=partner_return, submitted_by=cast.member)
    return round_


@pytest.mark.parametrize("visit", ROUND_PAGES.values(), ids=ROUND_PAGES.keys())
def test_round_page_is_accessible(
    visit, request, page, live_server_url, cast, login, browser_problems
):
    round_ = round_in_state(request, cast, visit.state)
    path = visit.path
    if round_ is not None:
        path = path.format(round=round_.public_id, partner=cast.partner.public_id)
    login(cast.roles()[visit.who])
    response = page.goto(live_server_url + path)
    assert response.status == visit.status
    if visit.text:
        expect(page.locator("main")).to_contain_text(visit.text)
    check_page(page, browser_problems, heading=visit.heading)


def test_round_form_with_errors(page, live_server_url, cast, frameworks, login, browser_problems):
    login(cast.facilitator)
    page.goto(live_server_url + "/systems/testshire/rounds/new/")
    page.get_by_label("Name of the round").fill("")
    closing = page.get_by_role("group", name="Closing date")
    for part in ("Day", "Month", "Year"):
        closing.get_by_label(part).fill("")
    page.get_by_role("button", name="Save round").click()
    expect(page).to_have_title(re.compile(r"^Error: Set up a round"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a name for the round")
    expect(summary).to_contain_text("Select a framework")
    expect(summary).to_contain_text("Enter the closing date")
    expect(summary).to_be_focused()
    check_page(page, browser_problems, heading="Set up a round")


def test_rating_form_with_errors(page, live_server_url, cast, open_round, login, browser_problems):
    """ "Save and continue" with nothing chosen: every error links to its own question."""
    login(cast.member)
    page.goto(
        f"{live_server_url}/rounds/{open_round.public_id}/partners/{cast.partner.public_id}"
        "/changes/1/"
    )
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_title(re.compile(r"^Error: 1. Early discharge planning"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    check_page(page, browser_problems, heading="1. Early discharge planning")

    # GOV.UK Frontend moves focus to the question when its error is followed: a radio group's
    # link must name its first radio, since the group itself has no id to go to.
    for error, question in (
        ("Select a maturity level", page.get_by_label("1 Not yet established", exact=True)),
        ("Enter the rationale for this level", page.get_by_label("Rationale", exact=True)),
        ("Select how confident you are in this rating", page.get_by_label("Low", exact=True)),
    ):
        summary.get_by_role("link", name=error).click()
        expect(question).to_be_focused()


def test_rating_conflict_page(
    page, page_for, live_server_url, cast, open_round, login, browser_problems
):
    """Two members of one partner edit change 1 at once; the second to save sees both."""
    colleague = UserFactory(email="colleague@test.example", full_name="Cal Colleague")
    MemberFactory(user=colleague, partner=cast.partner)
    change_url = (
        f"{live_server_url}/rounds/{open_round.public_id}/partners/{cast.partner.public_id}"
        "/changes/1/"
    )
    login(cast.member)
    page.goto(change_url)
    other = page_for(colleague)
    other.goto(change_url)

    # The first saves…
    page.get_by_label("3 Established", exact=True).check()
    page.get_by_label("Rationale", exact=True).fill("Mina's view: discharge plans from day one")
    page.get_by_label("Medium", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url(change_url.replace("/changes/1/", "/changes/2/"))

    # …then the second, from a form loaded before that save.
    other.get_by_label("2 Plans in place", exact=True).check()
    other.get_by_label("Rationale", exact=True).fill("Cal's view: only on some wards")
    other.get_by_label("Low", exact=True).check()
    with other.expect_response(lambda r: r.request.method == "POST") as posted:
        other.get_by_role("button", name="Save and continue").click()
    assert posted.value.status == 409
    main = other.locator("main")
    expect(main).to_contain_text("Mina Member saved it on")
    expect(main).to_contain_text("Mina's view: discharge plans from day one")
    expect(main).to_contain_text("Cal's view: only on some wards")
    check_page(
        other, browser_problems, heading="Someone else saved this change while you were editing it"
    )

    # Keeping their own version replaces the saved one, as a draft, and says so.
    other.get_by_role("button", name="Replace the saved version with mine").click()
    expect(other.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your draft for change 1 is saved."
    )
    check_page(other, browser_problems, heading=TASK_LIST)
    rating = Rating.objects.get(round=open_round, partner=cast.partner, change__code="1")
    assert rating.rationale == "Cal's view: only on some wards"
    assert rating.updated_by == colleague


def test_upload_with_errors(
    page, live_server_url, cast, open_round, login, browser_problems, tmp_path
):
    """The upload form submitted empty, then a spreadsheet with a level that does not exist."""
    from openpyxl import load_workbook

    tasks_url = (
        f"{live_server_url}/rounds/{open_round.public_id}/partners/{cast.partner.public_id}/"
    )
    login(cast.member)
    page.goto(tasks_url)
    page.get_by_role("link", name="Upload a completed spreadsheet").click()
    expect(page).to_have_url(tasks_url + "upload/")

    page.get_by_role("button", name="Upload and preview").click()
    expect(page).to_have_title(
        "Error: Upload your spreadsheet – Testshire Hospitals' return – HICM Portal"
    )
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select a spreadsheet to upload")
    expect(summary).to_be_focused()
    check_page(page, browser_problems, heading="Upload your completed spreadsheet")

    partner_return = PartnerReturn.objects.get(round=open_round, partner=cast.partner)
    downloaded = tmp_path / "return.xlsx"
    downloaded.write_bytes(spreadsheets.return_workbook(partner_return))
    workbook = load_workbook(downloaded)
    sheet = workbook["Return"]
    assert sheet["A2"].value == "1"
    sheet["C2"], sheet["D2"], sheet["F2"] = "Brilliant", "Better than ever", "Medium"
    workbook.save(downloaded)

    page.get_by_label("Your completed spreadsheet").set_input_files(downloaded)
    page.get_by_role("button", name="Upload and preview").click()
    expect(page).to_have_title(re.compile(r"^Error: Check your spreadsheet"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Row 2: Brilliant is not a level of this framework")
    expect(summary).to_be_focused()
    expect(page.get_by_role("table", name="Rows in the spreadsheet")).to_contain_text("Error")
    expect(page.get_by_role("button", name="Save these ratings")).to_have_count(0)
    check_page(page, browser_problems, heading="Correct the spreadsheet and upload it again")
    assert not Rating.objects.filter(round=open_round).exists()


def test_check_answers_with_a_submit_error(
    page, live_server_url, cast, open_round, login, browser_problems
):
    """Everything was rated when the page loaded; a colleague then saved change 5 as a draft."""
    partner_return = rate_everything(open_round, cast.partner, cast.member)
    login(cast.member)
    page.goto(
        f"{live_server_url}/rounds/{open_round.public_id}/partners/{cast.partner.public_id}/check/"
    )
    expect(page.get_by_role("button", name="Submit the return")).to_be_visible()

    rating = Rating.objects.get(round=open_round, partner=cast.partner, change__code="5")
    round_services.rating_save(
        partner_return=partner_return,
        change=rating.change,
        data=round_services.RatingInput(
            level=rating.level, rationale="", evidence=[], confidence=""
        ),
        saved_by=cast.member,
        expected_version=rating.version,
    )
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Submit the return").click()
    assert posted.value.status == 400
    expect(page).to_have_title(re.compile(r"^Error: Check your answers"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Rate every change before you submit. Still to rate: 5.")
    expect(summary).to_be_focused()
    check_page(page, browser_problems, heading="Check your answers before you submit")
    assert PartnerReturn.objects.get(pk=partner_return.pk).submitted_at is None


# --- Improvement plans ---------------------------------------------------------------------
# The plan pages the journey in test_plan_journey.py does not visit, on an agreed 2025/26
# round of Testshire (tests.improvement_plans.helpers): one overdue action on change 1, in
# progress, led by Testshire Hospitals and owned by Mina Member, with one progress update; one
# investment. A path's {round}, {action}, {change} and {partner} are that round's and
# action's public ids, and change 1's and Testshire Hospitals' primary keys.

ACTION_TITLE = "Set up a discharge hub"
ACTION_NOTE = "Kick-off held with both wards."


@dataclass(frozen=True)
class PlanVisit:
    path: str
    who: str
    heading: str
    text: str | None = None
    absent: tuple[str, str] | None = None  # (role, name): a control the person is not offered


PLAN_PAGES = {
    "plan-viewer": PlanVisit(
        "/rounds/{round}/plan/",
        "viewer",
        "Improvement plan",
        text=ACTION_TITLE,
        absent=("link", "Add an action"),
    ),
    "action-detail-steering": PlanVisit(
        "/actions/{action}/",
        "steering",
        ACTION_TITLE,
        text=ACTION_NOTE,
        absent=("button", "Post update"),
    ),
    "action-import": PlanVisit(
        "/rounds/{round}/plan/actions/import/", "facilitator", "Import actions from a spreadsheet"
    ),
    "system-actions-filtered": PlanVisit(
        "/systems/testshire/actions/?change={change}&lead_partner={partner}&status=in_progress"
        "&overdue=on",
        "facilitator",
        "Actions of Testshire",
        text="Overdue",
    ),
    "my-actions-empty": PlanVisit(
        "/actions/mine/",
        "steering",
        "My actions",
        text="Actions you own, or that your partner leads or contributes to, appear here.",
    ),
}


@pytest.fixture
def plan(cast, frameworks):
    from datetime import timedelta

    from django.utils import timezone

    from improvement_plans.models import Action
    from tests.improvement_plans.helpers import (
        agreed_round,
        make_action,
        make_investment,
        make_update,
    )

    today = timezone.localdate()
    round_ = agreed_round(cast.system, frameworks["mtoc-2020"], planner=cast.facilitator)
    action = make_action(
        round_,
        title=ACTION_TITLE,
        lead_partner=cast.partner,
        owner=cast.member,
        start=today - timedelta(days=60),
        due=today - timedelta(days=5),
        status=Action.Status.IN_PROGRESS,
    )
    make_update(action, cast.member, ACTION_NOTE, new_status=Action.Status.IN_PROGRESS)
    make_investment(round_)
    return round_, action


@pytest.mark.parametrize("visit", PLAN_PAGES.values(), ids=PLAN_PAGES.keys())
def test_plan_page_is_accessible(visit, page, live_server_url, cast, plan, login, browser_problems):
    round_, action = plan
    path = visit.path.format(
        round=round_.public_id,
        action=action.public_id,
        change=action.change_id,
        partner=cast.partner.pk,
    )
    login(cast.roles()[visit.who])
    response = page.goto(live_server_url + path)
    assert response.status == 200
    if visit.text:
        expect(page.locator("main")).to_contain_text(visit.text)
    if visit.absent:
        role, name = visit.absent
        expect(page.get_by_role(role, name=name)).to_have_count(0)
    check_page(page, browser_problems, heading=visit.heading)


def test_system_actions_filters_are_kept(
    page, live_server_url, cast, plan, login, browser_problems
):
    """The filtered list shows its filters as chosen, and the one matching action."""
    login(cast.facilitator)
    page.goto(f"{live_server_url}/systems/testshire/actions/")
    page.get_by_label("Lead partner").select_option(label="Testshire Hospitals")
    page.get_by_label("Status").select_option(label="In progress")
    page.get_by_label("Overdue only").check()
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"status=in_progress&overdue=on$"))
    expect(page.get_by_label("Lead partner")).to_have_value(str(cast.partner.pk))
    expect(page.get_by_label("Overdue only")).to_be_checked()
    table = page.get_by_role("table", name="Actions of Testshire")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text(ACTION_TITLE)
    check_page(page, browser_problems, heading="Actions of Testshire")

    page.get_by_label("Status").select_option(label="Done")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("main")).to_contain_text("No actions match. Change the filters")
    check_page(page, browser_problems, heading="Actions of Testshire")


def test_investment_form_with_errors(page, live_server_url, cast, plan, login, browser_problems):
    """A negative amount: the error summary, and its link goes to the amount."""
    round_, _ = plan
    login(cast.facilitator)
    page.goto(f"{live_server_url}/rounds/{round_.public_id}/plan/")
    page.get_by_role("link", name="Add an investment").click()
    expect(page).to_have_url(f"{live_server_url}/rounds/{round_.public_id}/plan/investments/new/")
    check_page(page, browser_problems, heading="Add an investment")

    page.get_by_label("Scheme name").fill("Discharge hub staffing")
    first_line = page.locator("#funding-line-1")
    first_line.get_by_label("Source").select_option("bcf")
    first_line.get_by_label("Amount in pounds").fill("-£2,500")
    page.get_by_label("Financial year").fill("2026/27")
    page.get_by_label("1. Early discharge planning").check()
    page.get_by_role("button", name="Save investment").click()
    expect(page).to_have_title(re.compile(r"^Error: Add an investment – 2025/26 – "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.locator("li")).to_have_count(1)
    expect(summary).to_contain_text("Funding line 1: the amount must be £0 or more")
    expect(page.get_by_label("Scheme name")).to_have_value("Discharge hub staffing")
    expect(first_line.get_by_label("Amount in pounds")).to_have_value("-£2,500")
    check_page(page, browser_problems, heading="Add an investment")
    summary.get_by_role("link", name=re.compile("the amount must be £0 or more")).click()
    expect(first_line.get_by_label("Amount in pounds")).to_be_focused()


def test_action_import_with_an_error_row(
    page, live_server_url, cast, plan, login, browser_problems, tmp_path
):
    """The import form submitted empty, then a spreadsheet whose second row has no such
    partner: the preview lists every row, names the problem, and offers no import."""
    round_, _ = plan
    import_url = f"{live_server_url}/rounds/{round_.public_id}/plan/actions/import/"
    login(cast.facilitator)
    page.goto(f"{live_server_url}/rounds/{round_.public_id}/plan/")
    page.get_by_role("link", name="Import actions from a spreadsheet").click()
    expect(page).to_have_url(import_url)

    page.get_by_role("button", name="Upload and preview").click()
    expect(page).to_have_title(re.compile(r"^Error: Import actions – "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select a spreadsheet to upload")
    expect(summary).to_be_focused()
    check_page(page, browser_problems, heading="Import actions from a spreadsheet")

    spreadsheet = tmp_path / "actions.csv"
    spreadsheet.write_text(
        "change,title,description,target_level,lead_partner,owner,start_date,due_date,status\n"
        "1,Discharge lounge,,4,Testshire Hospitals,member@test.example,01/04/2026,31/03/2027,"
        "Not started\n"
        "4,Home first pathway,,,Nowhere Trust,member@test.example,01/04/2026,31/03/2027,"
        "Not started\n",
        encoding="utf-8",
    )
    page.get_by_label("Spreadsheet of actions (.xlsx or .csv)").set_input_files(spreadsheet)
    page.get_by_role("button", name="Upload and preview").click()
    expect(page).to_have_title(re.compile(r"^Error: Check the actions to import – "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Row 2: This system has no partner called 'Nowhere Trust'")
    expect(summary).not_to_contain_text("Row 1")
    expect(summary).to_be_focused()
    table = page.get_by_role("table", name="Rows in the spreadsheet")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(page.get_by_role("button", name=re.compile(r"^Import"))).to_have_count(0)
    check_page(page, browser_problems, heading="Correct the spreadsheet and upload it again")
