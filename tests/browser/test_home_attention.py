"""Each person's home page lists what waits for them and leads there in one click.

- A steering member with a round in approval sees how many proposals await their decision,
  and one click opens the approval page.
- A partner member sees their partner's return with its due date, and the actions their
  partner leads that are due soon, one click from each.
- A facilitator sees a change the steering committee returned, with who, when and why, one
  click from proposing it again.
- A regional viewer sees a return newly issued in their region, one click from its page.

Every page on the way must pass axe and raise no CSP or JavaScript error.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments.consensus_services import decision_record
from assessments.models import Decision
from improvement_plans.return_services import return_issue
from tests.assessments.helpers import codes, to_approval
from tests.browser.helpers import check_page
from tests.improvement_plans.helpers import agreed_round, make_action
from tests.returns.helpers import plan_round

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_steering_member_goes_from_home_to_the_decisions_waiting_in_one_click(
    page, login, browser_problems, cast, open_round
):
    to_approval(open_round, cast)
    waiting = len(codes(open_round))
    login(cast.steering)
    check_page(page, browser_problems, heading="Your systems")
    expect(page.get_by_role("navigation", name="Menu")).to_contain_text(
        "Home (1 thing needs your attention)"
    )
    page.get_by_role("link", name=f"2026/27 Q3: {waiting} proposals await your decision").click()
    check_page(page, browser_problems, heading="Approve the agreed levels")


def test_a_partner_member_sees_their_return_and_their_partners_actions_due(
    page, login, browser_problems, cast, open_round, frameworks
):
    today = timezone.localdate()
    plan = agreed_round(cast.system, frameworks["mtoc-2020"], name="2025/26")
    make_action(
        plan,
        title="Open the discharge lounge",
        lead_partner=cast.partner,
        owner=cast.other_member,
        due=today + timedelta(days=3),
    )
    closes = open_round.closes_on
    login(cast.member)
    check_page(page, browser_problems, heading="Your systems")
    attention = page.locator(".govuk-summary-list__row", has_text="Needs your attention")
    expect(attention).to_contain_text(
        f"Rate 2026/27 Q3 for Testshire Hospitals by {closes.day} {closes:%B %Y}"
    )
    attention.get_by_role("link", name="Your partner leads or contributes to 1 action").click()
    check_page(page, browser_problems, heading="Actions of Testshire")
    expect(page.locator("main")).to_contain_text("Open the discharge lounge")

    page.go_back()
    page.get_by_role("link", name="Rate 2026/27 Q3 for Testshire Hospitals").click()
    check_page(page, browser_problems, heading="Rate the Managing transfers of care (2020)")


def test_a_facilitator_goes_from_home_to_propose_a_returned_change_again(
    page, login, browser_problems, cast, open_round
):
    """One steering member returns one change: the facilitator's home gives who, when and
    why, and one click opens the page that proposes it again."""
    to_approval(open_round, cast)
    first = codes(open_round)[0]
    change = open_round.framework.changes.get(code=first)
    decision_record(
        round_=open_round,
        change=change,
        decided_by=cast.steering,
        kind=Decision.Kind.RETURN,
        reason="The evidence is from last year",
    )
    login(cast.facilitator)
    check_page(page, browser_problems, heading="Your systems")
    item = page.get_by_role(
        "link", name=f"change {first} was returned by {cast.steering.full_name}"
    )
    expect(item).to_contain_text("The evidence is from last year")
    item.click()
    check_page(page, browser_problems, heading=f"{first}. {change.title}")
    expect(page.locator("main")).to_contain_text("The evidence is from last year")


def test_a_regional_viewer_goes_from_home_to_a_return_issued_in_their_region(
    page, login, browser_problems, cast, frameworks
):
    round_ = plan_round(cast, frameworks["mtoc-2020"])
    return_issue(round_=round_, issued_by=cast.facilitator)
    login(cast.viewer)
    check_page(page, browser_problems, heading="Your systems")
    page.get_by_role("link", name="Version 1 of the BCF return for 2025/26 was issued").click()
    check_page(page, browser_problems, heading="Better Care Fund return")
