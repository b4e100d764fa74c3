"""From an agreed round to an improvement plan that is worked on, in the demo system Northshire.

The demo is loaded as `make run` loads it (frameworks, case studies, `seed_demo`). In it,
Northshire's "2025/26 Optimal Handed Care" round is agreed with a gap on every change and no
action yet; its "2025/26" round (Managing transfers of care, 2020) has a plan with actions in
every status, two of them overdue.

1. The facilitator opens the Optimal Handed Care plan from the system page: change F has a gap
   with no action. They add one from the framework's action F1 (pre-filled), meet the error
   summary once (a due date before the start date, no lead partner, no owner), correct it, and
   save: the plan lists the action, the flag is gone, and the owner is e-mailed.
2. The owner opens "My actions", then the action, and posts progress (an empty note first:
   the error summary), setting the status to In progress; the timeline shows it.
3. A member of another partner reads the action, with no progress form; a post is refused.
4. The facilitator follows "Overdue actions" from the 2025/26 plan: the overdue demo actions
   are tagged Overdue, and the CSV download lists them.
5. `send_reminders` e-mails each lead partner its weekly overdue digest.

Every page on the way, error states included, must pass axe and raise no CSP or JavaScript
error.
"""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import ChangeAction, Round
from improvement_plans.models import Action, ProgressUpdate
from tests.browser.helpers import check_page

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Demo-journey-2025"
OHC_ROUND = "2025/26 Optimal Handed Care"
MTOC_ROUND = "2025/26"
F1_TITLE = "F1 Embed optimal handed care approach consistently across all community pathways"
HOSPITALS = "Northshire Hospitals NHS Foundation Trust"
CARE_HOMES = "Northshire Care Association"
# The demo's open actions that are past their due date, by lead partner (improvement_plans.demo).
OVERDUE = {
    HOSPITALS: "Expected date of discharge set within 24 hours of admission on every ward",
    CARE_HOMES: "Trusted assessor for care home placements",
}
GAP_FLAG = "Gap with no action"
NOTE = "Referral criteria agreed with both discharge hubs; the first ward starts on Monday."


def quietly(*args) -> None:
    call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())


@pytest.fixture
def demo(settings, live_server_url):
    """Northshire, as `make run` seeds it, with e-mail links pointing at the live server."""
    settings.PORTAL_URL = live_server_url
    quietly("load_frameworks")
    quietly("load_casestudies")
    quietly("seed_demo", "--password", PASSWORD)
    return {user.email.split("@")[0]: user for user in get_user_model().objects.all()}


def fill_date(page, legend: str, day) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def success_banner(page):
    return page.locator(".govuk-notification-banner--success")


def change_card(page, code: str):
    return page.locator(f"#change-{code}")


def test_from_agreed_gaps_to_an_action_worked_on_and_overdue_reminders(
    page, page_for, live_server_url, login, demo, browser_problems, tmp_path
):
    facilitator = demo["facilitator"]
    owner = demo["hospitals-1"]  # the first member of the hospitals trust
    other_partner_member = demo["council-1"]
    today = timezone.localdate()
    ohc_round = Round.objects.get(system__slug="northshire", name=OHC_ROUND)
    mtoc_round = Round.objects.get(system__slug="northshire", name=MTOC_ROUND)
    assert not Action.objects.filter(rounds=ohc_round).exists()  # the demo leaves it to us
    plan_url = f"{live_server_url}/rounds/{ohc_round.public_id}/plan/"

    # --- 1. The facilitator plans an action for change F from the framework's F1 ---------
    login(facilitator, PASSWORD)
    page.get_by_role("link", name="Northshire", exact=True).click()
    expect(page).to_have_url(f"{live_server_url}/systems/northshire/")
    check_page(page, browser_problems, heading="Northshire")
    page.get_by_role("link", name="Rounds of self-assessment").click()
    check_page(page, browser_problems, heading="Rounds of self-assessment")
    page.get_by_role("link", name=OHC_ROUND, exact=True).click()
    expect(page).to_have_url(f"{live_server_url}/rounds/{ohc_round.public_id}/")
    check_page(page, browser_problems, heading=OHC_ROUND)
    page.get_by_role("link", name="Improvement plan").click()
    expect(page).to_have_url(plan_url)
    expect(page).to_have_title(f"Improvement plan – {OHC_ROUND} – HICM Portal")
    card = change_card(page, "F")
    expect(card.locator("h2")).to_have_text(
        "F. Transfer of care into the community with consistency"
    )
    expect(card).to_contain_text(GAP_FLAG)
    expect(card).to_contain_text("No action yet.")
    expect(card.locator("dl")).to_contain_text("1 level")  # the gap
    # Both changes of the (incomplete) framework have a gap and no action yet.
    expect(page.locator("main")).to_contain_text("2 changes with a gap have no action.")
    check_page(page, browser_problems, heading="Improvement plan")

    card.get_by_role("link", name="Add an action for change F").click()
    expect(page).to_have_url(plan_url + "actions/new/?change=F")
    check_page(page, browser_problems, heading="Add an action")
    page.get_by_text("Start from one of the framework's actions").click()
    f1 = ChangeAction.objects.get(change__framework=ohc_round.framework, code="F1")
    page.get_by_role("link", name="Add to our plan: F1", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/actions/new/\?(.*&)?template={f1.pk}$"))
    expect(page.locator(".govuk-inset-text")).to_contain_text(
        "Filled in from the framework's action F1."
    )
    title = page.get_by_label("Title", exact=True)
    expect(title).to_have_value(F1_TITLE)
    description = page.get_by_label("Description (optional)")
    for point in f1.points:
        expect(description).to_contain_text(f"- {point}")
    expect(page.get_by_label("Change", exact=True)).to_have_value(str(f1.change_id))
    # The level and date the round planned for change F come with it.
    planned = ohc_round.consensus.get(change=f1.change_id)
    expect(page.get_by_label("Level it helps reach (optional)")).to_have_value(
        str(planned.planned_level_id)
    )
    planned_year = page.get_by_role("group", name="Due date").get_by_label("Year")
    expect(planned_year).to_have_value(str(planned.planned_by.year))
    check_page(page, browser_problems, heading="Add an action")

    # A due date before the start date (the demo's planned date for F has passed, but set it
    # anyway), and neither lead partner nor owner chosen.
    fill_date(page, "Start date", today)
    fill_date(page, "Due date", today - timedelta(days=1))
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Save action").click()
    assert posted.value.status == 200
    expect(page).to_have_title(re.compile(rf"^Error: Add an action – {re.escape(OHC_ROUND)} – "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("The due date must be the same as or after the start date")
    expect(summary).to_contain_text("Select the lead partner")
    expect(summary).to_contain_text("Select the owner")
    expect(title).to_have_value(F1_TITLE)  # kept, and still from F1
    expect(page.locator(".govuk-inset-text")).to_contain_text("the framework's action F1")
    check_page(page, browser_problems, heading="Add an action")
    summary.get_by_role("link", name="The due date must be the same as or after").click()
    expect(page.get_by_role("group", name="Due date").get_by_label("Day")).to_be_focused()
    assert not Action.objects.filter(rounds=ohc_round).exists()

    due = today + timedelta(days=120)
    fill_date(page, "Due date", due)
    page.get_by_label("Lead partner").select_option(label=HOSPITALS)
    page.get_by_label("Owner", exact=True).select_option(
        label=f"{owner.get_full_name()} ({owner.email})"
    )
    page.get_by_role("button", name="Save action").click()
    expect(page).to_have_url(plan_url)
    expect(success_banner(page)).to_contain_text(f"Action added; {owner.get_full_name()} was told.")
    card = change_card(page, "F")
    expect(card.get_by_role("link", name=F1_TITLE)).to_be_visible()
    row = card.locator("tbody tr")
    expect(row).to_contain_text(HOSPITALS)
    expect(row).to_contain_text(owner.get_full_name())
    expect(row).to_contain_text("Not started")
    expect(card).not_to_contain_text(GAP_FLAG)
    expect(change_card(page, "A")).to_contain_text(GAP_FLAG)  # untouched
    expect(page.locator("main")).to_contain_text("1 change with a gap has no action.")
    check_page(page, browser_problems, heading="Improvement plan")

    action = Action.objects.get(rounds=ohc_round)
    assert (action.template, action.owner, action.due_date) == (f1, owner, due)
    action_path = reverse("action_detail", args=[action.public_id])
    (assigned,) = [m for m in mail.outbox if m.subject.startswith("You own an improvement")]
    assert assigned.subject == f"You own an improvement action: {F1_TITLE}"
    assert assigned.to == [owner.email]
    assert f"{live_server_url}{action_path}" in assigned.body

    # --- 2. The owner posts progress --------------------------------------------------------
    owner_page = page_for(owner, PASSWORD)
    owner_page.get_by_role("link", name="My actions").click()
    expect(owner_page).to_have_url(f"{live_server_url}/actions/mine/")
    mine = owner_page.get_by_role("table", name="My actions")
    expect(mine.get_by_role("link", name=F1_TITLE)).to_be_visible()
    check_page(owner_page, browser_problems, heading="My actions")
    mine.get_by_role("link", name=F1_TITLE).click()
    expect(owner_page).to_have_url(live_server_url + action_path)  # the e-mail's link
    expect(owner_page.locator("main")).to_contain_text("No progress has been posted yet.")
    check_page(owner_page, browser_problems, heading=F1_TITLE)

    owner_page.get_by_label("Change the status (optional)").select_option(label="In progress")
    owner_page.get_by_role("button", name="Post update").click()  # no note
    expect(owner_page).to_have_title(re.compile(r"^Error: F1 Embed optimal handed care"))
    summary = owner_page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter what has happened")
    check_page(owner_page, browser_problems, heading=F1_TITLE)
    summary.get_by_role("link", name="Enter what has happened").click()
    note = owner_page.get_by_label("What has happened")
    expect(note).to_be_focused()
    assert not ProgressUpdate.objects.filter(action=action).exists()

    note.fill(NOTE)
    expect(owner_page.get_by_label("Change the status (optional)")).to_have_value("in_progress")
    owner_page.get_by_role("button", name="Post update").click()
    expect(owner_page).to_have_url(live_server_url + action_path)
    expect(success_banner(owner_page)).to_contain_text("Your update is posted.")
    status = owner_page.locator(".govuk-summary-list__row").filter(has_text="Status")
    expect(status).to_contain_text("In progress")
    timeline = owner_page.locator("main li.govuk-inset-text")
    expect(timeline).to_have_count(1)
    expect(timeline).to_contain_text(NOTE)
    expect(timeline).to_contain_text(f"{owner.get_full_name()} · status: in progress")
    check_page(owner_page, browser_problems, heading=F1_TITLE)
    assert Action.objects.get(pk=action.pk).status == Action.Status.IN_PROGRESS

    # --- 3. A member of another partner reads it, and may not post --------------------------
    reader = page_for(other_partner_member, PASSWORD)
    reader.goto(live_server_url + action_path)
    expect(reader.locator("main")).to_contain_text(NOTE)
    expect(reader.get_by_role("button", name="Post update")).to_have_count(0)
    expect(reader.get_by_label("What has happened")).to_have_count(0)
    expect(reader.get_by_role("link", name="Change the action")).to_have_count(0)
    check_page(reader, browser_problems, heading=F1_TITLE)
    client = Client()
    client.force_login(other_partner_member)
    refused = client.post(action_path, {"note": "Council view", "new_status": "done"})
    assert refused.status_code == 403
    assert ProgressUpdate.objects.filter(action=action).count() == 1
    assert Action.objects.get(pk=action.pk).status == Action.Status.IN_PROGRESS

    # --- 4. The facilitator follows the overdue actions of the 2025/26 plan -----------------
    page.get_by_role("link", name="Northshire", exact=True).click()  # the breadcrumb
    check_page(page, browser_problems, heading="Northshire")
    page.get_by_role("link", name="its improvement plan").click()
    expect(page).to_have_url(f"{live_server_url}/rounds/{mtoc_round.public_id}/plan/")
    expect(page.locator("main .govuk-caption-l")).to_have_text(f"Northshire · {MTOC_ROUND}")
    for title in OVERDUE.values():
        expect(page.get_by_role("row").filter(has_text=title)).to_contain_text("Overdue")
    check_page(page, browser_problems, heading="Improvement plan")

    page.get_by_role("link", name="Overdue actions").click()
    expect(page).to_have_url(f"{live_server_url}/systems/northshire/actions/?overdue=on")
    expect(page.get_by_label("Overdue only")).to_be_checked()
    table = page.get_by_role("table", name="Actions of Northshire")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(len(OVERDUE))
    for lead, title in OVERDUE.items():
        row = rows.filter(has=page.get_by_role("link", name=title))
        expect(row).to_contain_text(lead)
        expect(row.locator(".govuk-tag", has_text="Overdue")).to_be_visible()
    expect(table).not_to_contain_text(F1_TITLE)
    check_page(page, browser_problems, heading="Actions of Northshire")

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == "actions-of-northshire.csv"
    saved = tmp_path / "overdue.csv"
    download.value.save_as(saved)
    exported = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert {row["title"]: row["lead_partner"] for row in exported} == {
        title: lead for lead, title in OVERDUE.items()
    }
    assert {row["status"] for row in exported} == {"In progress"}
    # The download leaves the page as it was, with the CSV link focused: GOV.UK's focus style
    # (yellow background, thick underline drawn as a box shadow) is one axe's link-in-text-block
    # rule cannot see, so only the CSP and JavaScript checks run here.
    expect(page).to_have_url(f"{live_server_url}/systems/northshire/actions/?overdue=on")
    browser_problems.assert_none(page.url)

    # --- 5. The weekly overdue digest -------------------------------------------------------
    mail.outbox.clear()
    quietly("send_reminders", "--today", today.isoformat())
    digests = [m for m in mail.outbox if "overdue improvement action" in m.subject]
    hospitals_members = sorted(
        user.email for key, user in demo.items() if key.startswith("hospitals-")
    )
    to_hospitals = [m for m in digests if m.subject.endswith(f"for {HOSPITALS}")]
    assert sorted(address for m in to_hospitals for address in m.to) == hospitals_members
    for message in to_hospitals:
        assert message.subject == f"1 overdue improvement action for {HOSPITALS}"
        assert OVERDUE[HOSPITALS] in message.body
        assert F1_TITLE not in message.body
        overdue_action = Action.objects.get(title=OVERDUE[HOSPITALS])
        assert live_server_url + reverse("action_detail", args=[overdue_action.public_id]) in (
            message.body
        )
    assert any(OVERDUE[CARE_HOMES] in m.body for m in digests if m.subject.endswith(CARE_HOMES))
