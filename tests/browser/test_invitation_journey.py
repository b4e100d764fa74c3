"""A facilitator invites a new partner member; the invitee follows the e-mailed link."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from assessments import services
from assessments.models import Invitation
from hicm_portal.models import User
from tests.browser.helpers import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "a-long-and-unusual-passphrase"


def test_facilitator_invites_a_partner_member_who_accepts(
    page, new_context, live_server_url, cast, login, settings, browser_problems
):
    # The e-mailed link is built from PORTAL_URL: point it at the live server.
    settings.PORTAL_URL = live_server_url

    login(cast.facilitator)
    page.get_by_role("link", name="Testshire", exact=True).click()
    page.wait_for_url(live_server_url + "/systems/testshire/")
    page.get_by_role("link", name="Invite someone").click()
    page.wait_for_url(live_server_url + "/systems/testshire/invitations/new/")

    page.get_by_label("Email address").fill("newcomer@test.example")
    page.get_by_label("Full name (optional)").fill("Nell Newcomer")
    page.get_by_label("Partner member").check()
    page.get_by_label("Partner organisation").select_option(label=cast.partner.name)
    page.get_by_role("button", name="Send invitation").click()

    page.wait_for_url(live_server_url + "/systems/testshire/")
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text(
        "Invitation sent to newcomer@test.example. The link lasts 7 days."
    )
    expect(page.get_by_role("table", name="Invitations not yet accepted")).to_contain_text(
        "newcomer@test.example"
    )
    assert_accessible(page)  # the page with a success banner
    browser_problems.assert_none(page.url)

    # The e-mail (locmem: the live server thread shares this process's outbox).
    (message,) = mail.outbox
    assert message.to == ["newcomer@test.example"]
    link = re.search(r"^https?://\S+/invitations/\S+/$", message.body, re.MULTILINE).group(0)
    assert link.startswith(live_server_url + "/invitations/")

    # The invitee, in a browser of their own.
    invitee = new_context().new_page()
    browser_problems.watch(invitee)
    invitee.goto(link)
    expect(invitee.locator("h1")).to_have_text("Set your password")
    expect(invitee.locator("main")).to_contain_text("newcomer@test.example")
    expect(invitee.get_by_label("Full name")).to_have_value("Nell Newcomer")
    invitee.get_by_label("Full name").fill("Nell Newcomer-Smith")
    invitee.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    invitee.get_by_label("Confirm password").fill(NEW_PASSWORD)
    invitee.get_by_role("button", name="Set password and continue").click()

    invitee.wait_for_url(live_server_url + "/")
    expect(invitee.locator(".govuk-notification-banner--success")).to_contain_text(
        "Welcome to Testshire. Your password is set."
    )
    main = invitee.locator("main")
    expect(main.get_by_role("link", name="Testshire", exact=True)).to_be_visible()
    expect(main).to_contain_text("Member of Testshire Hospitals")
    assert_accessible(invitee)
    browser_problems.assert_none(invitee.url)

    # The link works once.
    response = invitee.goto(link)
    assert response.status == 410
    expect(invitee.locator("h1")).to_have_text("This invitation link does not work")
    browser_problems.assert_none(invitee.url)

    # The facilitator's page now lists them as a member, with no invitation waiting.
    page.reload()
    expect(page.get_by_role("table", name="Partner organisations of Testshire")).to_contain_text(
        "Nell Newcomer-Smith"
    )
    expect(page.locator("main")).to_contain_text("No invitations are waiting to be accepted.")


def test_invitee_can_log_in_with_the_new_password(page, live_server_url, cast, login):
    """After accepting, the password set on the invitation page is the one that logs in."""
    outcome = services.invitation_create(
        system=cast.system,
        email="newcomer@test.example",
        role=Invitation.Role.MEMBER,
        partner=cast.partner,
        invited_by=cast.facilitator,
    )
    page.goto(f"{live_server_url}/invitations/{outcome.token}/")
    page.get_by_label("Full name").fill("Nell Newcomer")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password and continue").click()
    page.wait_for_url(live_server_url + "/")

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/accounts/login/$"))
    login(User.objects.get(email="newcomer@test.example"), NEW_PASSWORD)
    expect(page.locator("main")).to_contain_text("Member of Testshire Hospitals")
