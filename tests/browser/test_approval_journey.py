"""The steering committee's decisions, in the browser, as the people who make them.

The round waits for approval with a quorum of two. Both partners rated every change
Established; the round started from 2025/26, which agreed changes 3 and 5 at Mature, so both
are now proposed below their previous agreed level.

- A steering member approves one change, then all their remaining changes in one confirmed
  step (after trying without the confirmation: 400, error summary); a second member does the
  same, and the round is agreed.
- A steering member returns one change with a reason: the other changes stay decidable for
  everyone, the reason shows on the approval page and on the change's page, and the
  facilitator proposes it again (with the previous-level warning) straight back to approval.

Every page on the way must pass axe and raise no CSP or JavaScript error.
"""

import re

import pytest
from playwright.sync_api import expect

from assessments import consensus_services
from assessments.models import Consensus, Decision, Round
from tests.assessments.helpers import agreed_earlier, approve, propose_every_change, reveal
from tests.browser.helpers import check_page
from tests.factories import SystemRoleFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

REASON = "The audit quoted is from 2019; bring this year's figures to the next meeting."
BELOW = "The proposed level is below the previous agreed level, 4 Mature."


@pytest.fixture
def in_approval(open_round, cast):
    """Waiting for approval, quorum two, started from an agreed round with changes 3 and 5 at
    Mature; a second steering member, Sam Second."""
    framework = open_round.framework
    earlier = agreed_earlier(cast, framework, {"3": 4, "5": 4})
    open_round.previous_round = earlier
    open_round.quorum = 2
    open_round.save(update_fields=["previous_round", "quorum"])
    reveal(open_round, cast)
    propose_every_change(open_round, cast.facilitator)
    consensus_services.round_submit_for_approval(round_=open_round, submitted_by=cast.facilitator)
    open_round.refresh_from_db()
    second = UserFactory(email="steering2@test.example", full_name="Sam Second")
    SystemRoleFactory(user=second, system=cast.system, role="steering")
    return open_round, second


def success_banner(page):
    return page.locator(".govuk-notification-banner--success")


def approval_card(page, code: str):
    return page.locator(f"#change-{code}")


def test_a_steering_member_approves_all_remaining_changes_in_one_confirmed_step(
    page, page_for, live_server_url, cast, login, in_approval, browser_problems
):
    round_, second = in_approval
    approval_url = f"{live_server_url}/rounds/{round_.public_id}/approval/"
    approve(round_, "1", cast.steering)

    login(cast.steering)
    page.goto(approval_url)
    expect(approval_card(page, "5")).to_contain_text(BELOW)
    check_page(page, browser_problems, heading="Approve the agreed levels")
    page.get_by_role("link", name="Approve all 8 remaining changes").click()
    expect(page).to_have_url(approval_url + "approve-all/")
    waiting = page.get_by_role("table", name="Proposals waiting for your decision")
    expect(waiting.locator("tbody tr")).to_have_count(8)
    expect(waiting.locator("#waiting-5")).to_contain_text("3 Established")
    expect(waiting.locator("#waiting-5")).to_contain_text(
        "Below the previous agreed level (4 Mature)"
    )
    expect(waiting.locator("#waiting-2")).to_contain_text("Nothing")
    expect(waiting.locator("#waiting-1")).to_have_count(0)  # decided already
    check_page(page, browser_problems, heading="Approve all your remaining changes")

    # Without the confirmation: nothing is approved.
    with page.expect_navigation() as unconfirmed:
        page.get_by_role("button", name="Approve all 8 changes").click()
    assert unconfirmed.value.status == 400
    expect(page).to_have_title(re.compile(r"^Error: Approve all your remaining changes"))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Confirm that you approve every change listed"
    )
    check_page(page, browser_problems, heading="Approve all your remaining changes")
    assert Decision.objects.filter(decided_by=cast.steering).count() == 1

    page.get_by_label("I have read every proposal listed and approve them all").check()
    page.get_by_role("button", name="Approve all 8 changes").click()
    expect(page).to_have_url(approval_url)
    expect(success_banner(page)).to_contain_text("You approved 8 changes.")
    expect(page.get_by_role("button", name=re.compile(r"^Approve change"))).to_have_count(0)
    expect(approval_card(page, "9")).to_contain_text("You approved this proposal on")
    expect(approval_card(page, "9")).to_contain_text("1 of 2 approvals")
    check_page(page, browser_problems, heading="Approve the agreed levels")
    assert Round.objects.get(pk=round_.pk).status == Round.Status.APPROVAL

    # The second member's approvals reach the quorum everywhere: the round is agreed.
    colleague = page_for(second)
    colleague.goto(approval_url)
    colleague.get_by_role("link", name="Approve all 9 remaining changes").click()
    check_page(colleague, browser_problems, heading="Approve all your remaining changes")
    colleague.get_by_label("I have read every proposal listed and approve them all").check()
    colleague.get_by_role("button", name="Approve all 9 changes").click()
    expect(colleague).to_have_url(approval_url.replace("approval/", "agreed/"))
    expect(success_banner(colleague)).to_contain_text(
        "Every change is approved: the round is agreed."
    )
    assert Round.objects.get(pk=round_.pk).status == Round.Status.AGREED
    assert Consensus.objects.filter(round=round_, state=Consensus.State.APPROVED).count() == 9


def test_a_returned_change_leaves_the_others_decidable_and_its_reason_is_shown(
    page, page_for, live_server_url, cast, login, in_approval, browser_problems
):
    round_, second = in_approval
    round_url = f"{live_server_url}/rounds/{round_.public_id}/"
    approval_url = round_url + "approval/"

    steering = page_for(cast.steering)
    steering.goto(approval_url)
    approval_card(steering, "3").get_by_label("Reason, if you return it for a new proposal").fill(
        REASON
    )
    steering.get_by_role("button", name="Return change 3").click()
    expect(success_banner(steering)).to_contain_text("Change 3: you returned the proposal")
    expect(approval_card(steering, "3")).to_contain_text("Returned by Stu Steering")
    expect(approval_card(steering, "3")).to_contain_text(REASON)
    check_page(steering, browser_problems, heading="Approve the agreed levels")

    # The other member can still decide every other change; the return is explained.
    colleague = page_for(second)
    colleague.goto(approval_url)
    expect(colleague.get_by_role("button", name=re.compile(r"^Approve change"))).to_have_count(8)
    expect(colleague.get_by_role("button", name="Approve change 3")).to_have_count(0)
    expect(approval_card(colleague, "3")).to_contain_text(REASON)
    expect(approval_card(colleague, "5")).to_contain_text(BELOW)
    check_page(colleague, browser_problems, heading="Approve the agreed levels")
    colleague.get_by_role("button", name="Approve change 2", exact=True).click()
    expect(success_banner(colleague)).to_contain_text("Change 2: you approved the proposal.")
    check_page(colleague, browser_problems, heading="Approve the agreed levels")

    # The change's own page says who returned it, when and why.
    colleague.goto(round_url + "review/3/")
    expect(colleague.locator("#returned")).to_contain_text("Returned by Stu Steering on")
    expect(colleague.locator("#returned")).to_contain_text(REASON)
    expect(colleague.locator("main")).not_to_contain_text("returned by the facilitator")
    check_page(colleague, browser_problems, heading="3. Multi-disciplinary working")

    # The facilitator proposes it again, warned that it is below the previous level.
    login(cast.facilitator)
    page.goto(round_url + "review/3/")
    page.get_by_role("link", name="Propose it again").click()
    expect(page).to_have_url(round_url + "review/3/propose/")
    expect(page.locator("#returned")).to_contain_text(REASON)
    expect(page.locator("#previous-level")).to_contain_text("4 Mature")
    expect(page.locator(".govuk-warning-text")).to_contain_text(
        "This level is below the previous agreed level, 4 Mature"
    )
    check_page(page, browser_problems, heading="3. Multi-disciplinary working")
    page.get_by_role("group", name="Agreed level").get_by_label("4 Mature", exact=True).check()
    page.get_by_role("group", name="Planned level").get_by_label("4 Mature", exact=True).check()
    page.get_by_label("Rationale", exact=True).fill("This year's audit shows it held.")
    page.get_by_role("button", name="Save the proposal").click()
    expect(page).to_have_url(approval_url + "#change-3")
    expect(success_banner(page)).to_contain_text("is with the steering committee")
    check_page(page, browser_problems, heading="Approve the agreed levels")

    colleague.goto(approval_url)
    expect(colleague.get_by_role("button", name="Approve change 3")).to_have_count(1)
    assert Round.objects.get(pk=round_.pk).status == Round.Status.APPROVAL
