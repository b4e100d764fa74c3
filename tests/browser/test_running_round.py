"""Running an open round in the browser, as its facilitator: the closing date moves and the
partners are told; a reminder goes now to the partners that have not submitted, and a second
one the same day is refused for them.

Every page on the way must pass axe and raise no CSP or JavaScript error.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from assessments.models import Round
from tests.assessments.helpers import submit
from tests.browser.helpers import check_page

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_facilitator_changes_the_closing_date_and_sends_a_reminder_now(
    page, login, browser_problems, live_server, cast, open_round
):
    submit(open_round, cast.partner, cast.member)
    new_date = open_round.closes_on + timedelta(days=7)
    login(cast.facilitator)
    page.goto(live_server.url + reverse("round_detail", args=[open_round.public_id]))
    check_page(page, browser_problems, heading=open_round.name)

    page.get_by_role("link", name="Change the closing date").click()
    check_page(page, browser_problems, heading="Change the closing date")
    group = page.get_by_role("group", name="New closing date")
    group.get_by_label("Day").fill(str(new_date.day))
    group.get_by_label("Month").fill(str(new_date.month))
    group.get_by_label("Year").fill(str(new_date.year))
    mail.outbox.clear()
    page.get_by_role("button", name="Change the closing date and tell partners").click()
    check_page(page, browser_problems, heading=open_round.name)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Returns are now due {new_date.day} {new_date:%B %Y}"
    )
    assert Round.objects.get(pk=open_round.pk).closes_on == new_date
    told = {address for message in mail.outbox for address in message.to}
    assert {cast.member.email, cast.other_member.email} <= told

    page.get_by_role("link", name="Send a reminder now").click()
    check_page(page, browser_problems, heading="Send a reminder now")
    expect(page.locator("main")).to_contain_text(cast.other_partner.name)
    mail.outbox.clear()
    page.get_by_role("button", name="Send 1 reminder").click()
    check_page(page, browser_problems, heading=open_round.name)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("1 partner reminded.")
    assert [m.to for m in mail.outbox] == [[cast.other_member.email]]

    page.get_by_role("link", name="Send a reminder now").click()
    check_page(page, browser_problems, heading="Send a reminder now")
    expect(page.locator("main")).to_contain_text("already reminded today")
