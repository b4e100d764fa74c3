"""From reveal to agreement, in the browser, as the people who do it.

Both partners of Testshire have rated and submitted every change of the 2020 model: Testshire
Hospitals at Plans in place, Testshire Council at Mature, except changes 4 and 8, which the
Hospitals rate Not yet established (1 against 4: split). The round needs two approvals.

1. The facilitator reveals the ratings and lands on the review table, split changes first.
2. They open change 4 and join its discussion (an empty comment first: the error summary).
3. They run the workshop: attendance, then changes 1 to 5 one at a time (ratings shown on
   demand, the suggested level pre-selected), meeting the "Exemplary needs a rationale" error
   once; then they propose changes 6 to 9 from the review table, one of them with dissent.
4. They submit the round for approval.
5. The first steering member approves change 1 and returns change 3 with a reason (after
   trying without one: 400, error summary); the other changes stay decidable. The facilitator
   proposes change 3 again with a rationale, straight back to the steering committee.
6. Both steering members approve every change; the last approval agrees the round. The agreed
   page shows the agreed levels, and the audit trail lists what happened, in order.

Every page on the way, error pages included, must pass axe and raise no CSP or JavaScript
error.
"""

import re
from datetime import timedelta
from itertools import chain

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments import round_services
from assessments.models import Consensus, Decision, PartnerReturn, Rating, Round
from tests.browser.helpers import check_page
from tests.factories import SystemRoleFactory, UserFactory
from tests.helpers import rate_everything

pytestmark = pytest.mark.django_db(transaction=True)

ROUND_NAME = "2026/27 Q3"
CHANGES = {
    "1": "Early discharge planning",
    "2": "Monitoring and responding to system demand and capacity",
    "3": "Multi-disciplinary working",
    "4": "Home first (and discharge to assess)",
    "5": "Flexible working patterns",
    "6": "Trusted assessment",
    "7": "Engagement and choice",
    "8": "Improved discharge to care homes",
    "9": "Housing and related services",
}
SPLIT = ("4", "8")  # Hospitals 1, Council 4: median 2.5, suggested Plans in place
COMMENT = "The council's evidence on home first is strong; the wards do not see it yet."
RETURN_REASON = "Say why the partners agree on Established for multi-disciplinary working."
NEW_RATIONALE = "Joint ward rounds run every weekday in both hospitals, minuted with the council."


def heading(code: str) -> str:
    return f"{code}. {CHANGES[code]}"


def fill_date(page, legend: str, day) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def level_radio(page, legend: str, level: str):
    return page.get_by_role("group", name=legend).get_by_label(level, exact=True)


def fill_proposal(page, *, level=None, planned: str, planned_by=None, rationale=None) -> None:
    """Fill the proposal fields (the same on the workshop screen and the propose page)."""
    if level is not None:
        level_radio(page, "Agreed level", level).check()
    if rationale is not None:
        page.get_by_label("Rationale", exact=True).fill(rationale)
    level_radio(page, "Planned level", planned).check()
    if planned_by is not None:
        fill_date(page, "Date to reach the planned level", planned_by)


def workshop_at(workshop_url: str, code: str):
    """A workshop page's address. Saving from a page opened at "#main-content" (after "Show
    the ratings") keeps the fragment through the redirect, as browsers do."""
    return re.compile(rf"^{re.escape(workshop_url)}{code}/(#main-content)?$")


def success_banner(page):
    return page.locator(".govuk-notification-banner--success")


def review_row(page, code: str):
    table = page.get_by_role("table", name="Ratings by change and partner")
    return table.locator("tbody tr").filter(has=page.get_by_role("link", name=heading(code)))


def approval_card(page, code: str):
    return page.locator(f"#change-{code}")


@pytest.fixture
def revealable_round(open_round, cast):
    """`open_round` with both returns rated and submitted, a second steering member, and a
    quorum of two."""
    rate_everything(open_round, cast.partner, cast.member, level_number=2)
    rate_everything(open_round, cast.other_partner, cast.other_member, level_number=4)
    Rating.objects.filter(round=open_round, partner=cast.partner, change__code__in=SPLIT).update(
        level=open_round.framework.levels.get(number=1)
    )
    for partner, member in ((cast.partner, cast.member), (cast.other_partner, cast.other_member)):
        round_services.return_submit(
            partner_return=PartnerReturn.objects.get(round=open_round, partner=partner),
            submitted_by=member,
        )
    second = UserFactory(email="steering2@test.example", full_name="Sam Second")
    SystemRoleFactory(user=second, system=cast.system, role="steering")
    open_round.quorum = 2
    open_round.save(update_fields=["quorum"])
    return open_round, second


def test_from_reveal_to_agreed_levels(
    page, page_for, live_server_url, cast, login, revealable_round, browser_problems
):
    round_, second_steering = revealable_round
    round_url = f"{live_server_url}/rounds/{round_.public_id}/"
    review_url = round_url + "review/"
    today = timezone.localdate()
    next_year = today + timedelta(days=365)

    # --- 1. Reveal -------------------------------------------------------------------------
    login(cast.facilitator)
    page.goto(round_url)
    check_page(page, browser_problems, heading=ROUND_NAME)
    page.get_by_role("link", name="Reveal the ratings").click()
    expect(page).to_have_url(round_url + "reveal/")
    expect(page).to_have_title(re.compile(rf"^Reveal the ratings – {re.escape(ROUND_NAME)}"))
    expect(page.locator("main")).to_contain_text("Every partner has submitted.")
    check_page(page, browser_problems, heading="Reveal the ratings")

    page.get_by_role("button", name="Reveal the ratings").click()
    expect(page).to_have_url(review_url)
    expect(success_banner(page)).to_contain_text("The ratings are revealed")
    table = page.get_by_role("table", name="Ratings by change and partner")
    expect(table).to_be_visible()
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(len(CHANGES))
    # The agenda: the split changes first, in their order, then the agreed ones.
    expect(rows.nth(0)).to_contain_text(heading("4"))
    expect(rows.nth(0)).to_contain_text("Split")
    expect(rows.nth(1)).to_contain_text(heading("8"))
    expect(rows.nth(1)).to_contain_text("Split")
    expect(rows.nth(2)).to_contain_text(heading("1"))
    expect(rows.nth(2)).to_contain_text("Agreed")
    expect(review_row(page, "4")).to_contain_text("1 to 4")
    expect(review_row(page, "4")).to_contain_text("Suggested: Plans in place")
    expect(review_row(page, "1")).to_contain_text("Suggested: Established")
    expect(page.locator("main")).to_contain_text("Propose a level for every change first")
    check_page(page, browser_problems, heading="Review the ratings")
    assert Round.objects.get(pk=round_.pk).status == Round.Status.REVIEW

    # --- 2. Discussion of one change -------------------------------------------------------
    review_row(page, "4").get_by_role("link", name=heading("4")).click()
    expect(page).to_have_url(review_url + "4/")
    main = page.locator("main")
    expect(main).to_contain_text("Nobody has commented yet.")
    expect(page.get_by_role("table", name="Every partner's rating")).to_contain_text(
        "Testshire Council"
    )
    check_page(page, browser_problems, heading=heading("4"))

    page.get_by_role("button", name="Post comment").click()  # nothing written
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your comment")
    check_page(page, browser_problems, heading=heading("4"))

    page.get_by_label("Add to the discussion").fill(COMMENT)
    page.get_by_role("button", name="Post comment").click()
    expect(page).to_have_url(review_url + "4/#discussion")
    expect(success_banner(page)).to_contain_text("Your comment is posted.")
    expect(main.locator(".govuk-inset-text")).to_contain_text(COMMENT)
    expect(main.locator(".govuk-inset-text")).to_contain_text("Fay Facilitator")
    check_page(page, browser_problems, heading=heading("4"))

    # --- 3a. The workshop screen: attendance, then changes 1 to 5 --------------------------
    page.get_by_role("link", name="Review", exact=True).click()  # the breadcrumb
    expect(page).to_have_url(review_url)
    page.get_by_role("link", name="Open the workshop screen").click()
    expect(page).to_have_url(round_url + "workshop/attendance/")
    check_page(page, browser_problems, heading="Who is at the meeting?")
    page.get_by_label("Mina Member").check()
    page.get_by_label("Otto Other").check()
    page.get_by_role("button", name="Save attendance").click()

    workshop_url = round_url + "workshop/"
    expect(page).to_have_url(workshop_url + "1/")
    expect(success_banner(page)).to_contain_text("Attendance is saved.")
    # The ratings stay hidden until the room is ready.
    expect(page.get_by_role("table", name="Every partner's rating")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("2 of 2 partners rated this change.")
    check_page(page, browser_problems, heading=heading("1"))

    page.get_by_role("link", name="Show the ratings").click()
    expect(page).to_have_url(workshop_url + "1/?show=ratings#main-content")
    expect(page.get_by_role("table", name="Every partner's rating")).to_be_visible()
    expect(level_radio(page, "Agreed level", "3 Established")).to_be_checked()  # suggested
    check_page(page, browser_problems, heading=heading("1"))
    fill_proposal(page, planned="4 Mature", planned_by=next_year)
    page.get_by_role("button", name="Save and go to the next change").click()

    # Changes 2 and 3: the suggested level, planned to stay there (no date needed).
    for code in ("2", "3"):
        expect(page).to_have_url(workshop_at(workshop_url, code))
        expect(success_banner(page)).to_contain_text(
            f"The proposal for change {int(code) - 1} is saved."
        )
        expect(level_radio(page, "Agreed level", "3 Established")).to_be_checked()
        check_page(page, browser_problems, heading=heading(code))
        fill_proposal(page, planned="3 Established")
        page.get_by_role("button", name="Save and go to the next change").click()

    # Change 4 is split: the suggestion is the median rounded down.
    expect(page).to_have_url(workshop_at(workshop_url, "4"))
    page.get_by_role("link", name="Show the ratings").click()
    expect(page.locator("main .govuk-summary-list").first).to_contain_text("Split")
    expect(level_radio(page, "Agreed level", "2 Plans in place")).to_be_checked()
    check_page(page, browser_problems, heading=heading("4"))
    fill_proposal(page, planned="3 Established", planned_by=next_year)
    page.get_by_role("button", name="Save and go to the next change").click()

    # Change 5: Exemplary without a rationale is refused.
    expect(page).to_have_url(workshop_at(workshop_url, "5"))
    check_page(page, browser_problems, heading=heading("5"))
    fill_proposal(page, level="5 Exemplary", planned="5 Exemplary")
    page.get_by_role("button", name="Save and go to the next change").click()
    expect(page).to_have_url(workshop_at(workshop_url, "5"))
    expect(page).to_have_title(re.compile(rf"^Error: Workshop: {re.escape(heading('5'))} – "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the rationale: it is needed when Exemplary is proposed")
    expect(level_radio(page, "Agreed level", "5 Exemplary")).to_be_checked()  # kept
    expect(page.get_by_role("table", name="Every partner's rating")).to_be_visible()
    check_page(page, browser_problems, heading=heading("5"))
    summary.get_by_role("link", name="Enter the rationale").click()
    expect(page.get_by_label("Rationale", exact=True)).to_be_focused()
    page.get_by_label("Rationale", exact=True).fill(
        "Seven-day discharge teams in every ward; the council's audit shows the impact."
    )
    page.get_by_role("button", name="Save and go to the next change").click()
    expect(page).to_have_url(workshop_at(workshop_url, "6"))
    expect(success_banner(page)).to_contain_text("The proposal for change 5 is saved.")
    check_page(page, browser_problems, heading=heading("6"))

    page.get_by_role("link", name="Leave the workshop").click()
    expect(page).to_have_url(review_url)
    for code in ("1", "2", "3", "4", "5"):
        link = review_row(page, code).get_by_role("link", name=f"Change the proposal for {code}")
        expect(link).to_be_visible()
    expect(review_row(page, "5")).to_contain_text("5 Exemplary")
    check_page(page, browser_problems, heading="Review the ratings")

    # --- 3b. Changes 6 to 9 from the review table ------------------------------------------
    for code in ("6", "7", "8", "9"):
        page.get_by_role("link", name=f"Propose a level for {code}").click()
        expect(page).to_have_url(review_url + f"{code}/propose/")
        expect(page).to_have_title(re.compile(rf"^Propose the level of {code} – "))
        if code == "8":  # split: the meeting settles below the suggestion, and one dissents
            expect(level_radio(page, "Agreed level", "2 Plans in place")).to_be_checked()
            check_page(page, browser_problems, heading=heading(code))
            fill_proposal(
                page,
                level="1 Not yet established",
                rationale="Care homes report delays every week; the council's audit is older.",
                planned="2 Plans in place",
                planned_by=next_year,
            )
            page.get_by_role("group", name="Dissent (optional)").get_by_label(
                "Testshire Council"
            ).fill("We rate this Mature on our own audit.")
        else:
            expect(level_radio(page, "Agreed level", "3 Established")).to_be_checked()
            check_page(page, browser_problems, heading=heading(code))
            fill_proposal(page, planned="3 Established")
        page.get_by_role("button", name="Save the proposal").click()
        expect(page).to_have_url(review_url)
        expect(success_banner(page)).to_contain_text(f"The proposal for change {code} is saved.")
        check_page(page, browser_problems, heading="Review the ratings")
    expect(review_row(page, "8")).to_contain_text("1 Not yet established")

    # --- 4. Submit for approval ------------------------------------------------------------
    page.get_by_role("button", name="Submit for approval").click()
    expect(page).to_have_url(round_url)
    expect(success_banner(page)).to_contain_text("Sent to the steering committee")
    check_page(page, browser_problems, heading=ROUND_NAME)
    assert Round.objects.get(pk=round_.pk).status == Round.Status.APPROVAL

    # --- 5. The first steering member approves one and returns one -------------------------
    steering = page_for(cast.steering)
    steering.goto(round_url)
    check_page(steering, browser_problems, heading=ROUND_NAME)
    steering.get_by_role("link", name="Approve the agreed levels").click()
    approval_url = round_url + "approval/"
    expect(steering).to_have_url(approval_url)
    expect(steering.locator("main")).to_contain_text("Each change needs 2 approvals")
    expect(approval_card(steering, "8")).to_contain_text(
        "Testshire Council: We rate this Mature on our own audit."
    )
    check_page(steering, browser_problems, heading="Approve the agreed levels")

    steering.get_by_role("button", name="Approve change 1", exact=True).click()
    expect(steering).to_have_url(approval_url + "#change-1")
    expect(success_banner(steering)).to_contain_text("Change 1: you approved the proposal.")
    expect(approval_card(steering, "1")).to_contain_text("You approved this proposal on")
    expect(approval_card(steering, "2")).to_contain_text("0 of 2 approvals")
    check_page(steering, browser_problems, heading="Approve the agreed levels")

    with steering.expect_navigation() as returned_without_reason:
        steering.get_by_role("button", name="Return change 3").click()
    assert returned_without_reason.value.status == 400
    expect(steering).to_have_title(re.compile(r"^Error: Approve the agreed levels – "))
    summary = steering.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the reason for returning this proposal")
    check_page(steering, browser_problems, heading="Approve the agreed levels")
    summary.get_by_role("link", name="Enter the reason for returning this proposal").click()
    reason = approval_card(steering, "3").get_by_label(
        "Reason, if you return it for a new proposal"
    )
    expect(reason).to_be_focused()
    reason.fill(RETURN_REASON)
    steering.get_by_role("button", name="Return change 3").click()
    expect(steering).to_have_url(approval_url + "#change-3")
    expect(success_banner(steering)).to_contain_text(
        "Change 3: you returned the proposal for a new proposal"
    )
    expect(approval_card(steering, "3")).to_contain_text("Returned by Stu Steering")
    expect(approval_card(steering, "3")).to_contain_text(RETURN_REASON)
    # The round stays in approval: every other change can still be decided.
    expect(steering.get_by_role("button", name=re.compile(r"^Approve change"))).to_have_count(7)
    check_page(steering, browser_problems, heading="Approve the agreed levels")
    assert Round.objects.get(pk=round_.pk).status == Round.Status.APPROVAL

    # The facilitator proposes change 3 again, with a rationale: straight back to approval.
    page.goto(approval_url)
    check_page(page, browser_problems, heading="Approve the agreed levels")
    approval_card(page, "3").get_by_role("link", name="Propose change 3 again").click()
    expect(page).to_have_url(review_url + "3/propose/")
    expect(page.locator("#returned")).to_contain_text(RETURN_REASON)
    expect(level_radio(page, "Agreed level", "3 Established")).to_be_checked()
    expect(level_radio(page, "Planned level", "3 Established")).to_be_checked()
    check_page(page, browser_problems, heading=heading("3"))
    page.get_by_label("Rationale", exact=True).fill(NEW_RATIONALE)
    page.get_by_role("button", name="Save the proposal").click()
    expect(page).to_have_url(approval_url + "#change-3")
    expect(success_banner(page)).to_contain_text(
        "The new proposal for change 3 is with the steering committee"
    )
    expect(approval_card(page, "3")).not_to_contain_text("Returned by")
    check_page(page, browser_problems, heading="Approve the agreed levels")

    # --- 6. Both steering members approve everything ---------------------------------------
    steering.goto(approval_url)
    expect(approval_card(steering, "1")).to_contain_text("You approved this proposal on")
    expect(approval_card(steering, "1")).to_contain_text("1 of 2 approvals")
    expect(approval_card(steering, "3")).to_contain_text(NEW_RATIONALE)
    check_page(steering, browser_problems, heading="Approve the agreed levels")
    for code in CHANGES:
        if code == "1":
            continue
        steering.get_by_role("button", name=f"Approve change {code}", exact=True).click()
        expect(steering).to_have_url(approval_url + f"#change-{code}")
        expect(success_banner(steering)).to_contain_text(f"Change {code}: you approved")
        check_page(steering, browser_problems, heading="Approve the agreed levels")

    second = page_for(second_steering)
    second.goto(approval_url)
    expect(approval_card(second, "9")).to_contain_text("1 of 2 approvals")
    check_page(second, browser_problems, heading="Approve the agreed levels")
    for code in list(CHANGES)[:-1]:
        second.get_by_role("button", name=f"Approve change {code}", exact=True).click()
        expect(second).to_have_url(approval_url + f"#change-{code}")
        expect(approval_card(second, code)).to_contain_text("Approved")
        check_page(second, browser_problems, heading="Approve the agreed levels")
    assert Round.objects.get(pk=round_.pk).status == Round.Status.APPROVAL

    # The last approval agrees the round.
    second.get_by_role("button", name="Approve change 9", exact=True).click()
    expect(second).to_have_url(round_url + "agreed/")
    expect(success_banner(second)).to_contain_text("Every change is approved: the round is agreed.")
    expect(second).to_have_title(re.compile(rf"^Agreed levels – {re.escape(ROUND_NAME)}"))
    agreed_rows = second.get_by_role("table", name="Consensus summary").locator("tbody tr")
    expect(agreed_rows).to_have_count(len(CHANGES))

    def agreed_row(code: str):
        return agreed_rows.filter(has=second.get_by_role("link", name=heading(code)))

    expect(agreed_row("1")).to_contain_text("3 Established")
    expect(agreed_row("1")).to_contain_text(f"Mature by {next_year:%b %Y}")
    expect(agreed_row("3")).to_contain_text("3 Established")
    expect(agreed_row("4")).to_contain_text("2 Plans in place")
    expect(agreed_row("5")).to_contain_text("5 Exemplary")
    expect(agreed_row("8")).to_contain_text("1 Not yet established")
    expect(agreed_row("8")).to_contain_text("Testshire Council")  # the dissent
    expect(agreed_row("9")).to_contain_text("None")  # no dissent
    check_page(second, browser_problems, heading=f"{ROUND_NAME}: agreed levels")
    assert Round.objects.get(pk=round_.pk).status == Round.Status.AGREED
    assert Consensus.objects.filter(round=round_, state=Consensus.State.APPROVED).count() == 9
    assert Decision.objects.filter(consensus__round=round_, kind="approve").count() == 18

    # The audit trail, as the facilitator: oldest first.
    page.goto(round_url)
    expect(page.locator("main")).to_contain_text("Agreed")
    expect(page.get_by_role("link", name="Agreed levels and trend")).to_be_visible()
    check_page(page, browser_problems, heading=ROUND_NAME)
    page.get_by_role("link", name="Audit trail").click()
    expect(page).to_have_url(round_url + "audit/")
    events = page.get_by_role("table", name="Events, oldest first")
    expect(events).to_be_visible()
    # (when, who, what, details) of every event, read in one go.
    trail = events.evaluate(
        "table => [...table.tBodies[0].rows].map(row => [...row.cells].map(c => c.innerText))"
    )
    assert [what for _, _, what, _ in trail] == [
        "Submitted Testshire Hospitals' return",
        "Submitted Testshire Council's return",
        "Revealed the ratings",
        "Recorded workshop attendance",
        *(f"Proposed {code}" for code in CHANGES),
        "Submitted for approval",
        "Approved 1",
        "Returned 3 for a new proposal",
        "Changed the proposal for 3",
        *(f"Approved {code}" for code in CHANGES if code != "1"),
        # The second approval of each change reaches the quorum and approves it.
        *chain.from_iterable((f"Approved {code}", f"{code} approved") for code in CHANGES),
        "Round agreed",
    ]
    by_what = {}
    for _, who, what, details in trail:
        by_what.setdefault(what, []).append((who, details))
    assert by_what["Revealed the ratings"] == [("Fay Facilitator", "All returns in.")]
    assert by_what["Recorded workshop attendance"] == [("Fay Facilitator", "2 people")]
    assert by_what["Proposed 8"] == [
        (
            "Fay Facilitator",
            "Level 1 Not yet established; planned 2 Plans in place by "
            f"{next_year:%d %B %Y}; dissent from 1 partner(s)",
        )
    ]
    assert by_what["Returned 3 for a new proposal"] == [("Stu Steering", RETURN_REASON)]
    for code in CHANGES:
        assert [who for who, _ in by_what[f"Approved {code}"]] == ["Stu Steering", "Sam Second"]
    assert by_what["Round agreed"] == [
        ("The portal", "Every change approved by the steering committee")
    ]
    check_page(page, browser_problems, heading="Audit trail")
