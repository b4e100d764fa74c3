"""Every key page on a wide screen and on a narrow one (WCAG 2.2 reflow, 1.4.10).

At 1280 and 320 CSS px no key page scrolls sideways: a wide data table scrolls inside its own
keyboard-focusable region instead. The review table of a round with 15 partners keeps each
change's agreement, median, range and proposal in view on a 1280 px screen; the partners'
columns scroll inside the table's region. The improvement plan is checked on a 390 px phone too.

Each person logs in once; the viewport changes between checks, without reloading the page.
"""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from assessments import consensus_services, round_services
from assessments.models import PartnerReturn, Round
from tests.assessments.helpers import propose_every_change
from tests.browser.helpers import assert_accessible
from tests.helpers import add_rated_partners, rate_everything

pytestmark = pytest.mark.django_db(transaction=True)

WIDE = (1280, 800)
NARROW = (320, 640)
PHONE = (390, 844)
PASSWORD = "Demo-reflow-2026"

# How far the page's content reaches, and the width of the viewport (no scroll bar in headless).
PAGE_WIDTH = "[document.documentElement.scrollWidth, window.innerWidth]"


class Reflow:
    """Visits pages at several widths and collects every page that scrolls sideways, so one
    run reports them all."""

    def __init__(self, page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.failures: list[str] = []

    def resize(self, size: tuple[int, int]) -> None:
        width, height = size
        self.page.set_viewport_size({"width": width, "height": height})

    def check(self, path: str, *sizes: tuple[int, int]) -> None:
        """Open `path` and check it at each of `sizes` (by default 1280 and 320 px)."""
        response = self.page.goto(self.base_url + path)
        assert response.status == 200, f"{path}: {response.status}"
        for size in sizes or (WIDE, NARROW):
            self.resize(size)
            content, viewport = self.page.evaluate(PAGE_WIDTH)
            if content > viewport:
                self.failures.append(f"{path} at {viewport} px scrolls sideways: {content} px wide")

    def assert_none(self) -> None:
        assert not self.failures, "\n".join(self.failures)


def right_edge(locator) -> float:
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not shown"
    return box["x"] + box["width"]


def quietly(*args) -> None:
    call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())


@pytest.fixture
def demo(live_server_url):
    """Northshire, as `make run` seeds it: 8 partners with long names, a round in rating with
    returns in progress, and an agreed round with a plan of actions and investments."""
    quietly("load_frameworks")
    quietly("load_casestudies")
    quietly("seed_demo", "--password", PASSWORD)
    return {user.email.split("@")[0]: user for user in get_user_model().objects.all()}


def test_a_partner_members_pages_reflow(page, login, live_server_url, demo):
    member = demo["community-1"]  # rated 5 of 9 changes of the current round; leads an action
    current = Round.objects.get(system__slug="northshire", name="2026/27 Q3")
    partner_return = PartnerReturn.objects.get(round=current, partner__members__user=member)
    return_path = f"/rounds/{current.public_id}/partners/{partner_return.partner.public_id}/"
    login(member, PASSWORD)
    reflow = Reflow(page, live_server_url)
    reflow.check("/")
    reflow.check(return_path)
    reflow.check(return_path + "changes/1/")  # rated: the form with a level chosen
    reflow.check(return_path + "changes/9/")  # not yet rated
    reflow.check("/actions/mine/")
    reflow.check("/frameworks/mtoc-2020/changes/1/")
    reflow.assert_none()


def test_the_plan_return_and_agreed_pages_reflow(page, login, live_server_url, demo):
    agreed = Round.objects.get(system__slug="northshire", name="2025/26")
    round_path = f"/rounds/{agreed.public_id}/"
    login(demo["facilitator"], PASSWORD)
    reflow = Reflow(page, live_server_url)
    reflow.check("/")
    reflow.check(round_path + "plan/", WIDE, PHONE, NARROW)
    assert_accessible(page)  # at 320 px: the actions stacked, the investments in a region
    reflow.check(round_path + "return/")
    reflow.check(round_path + "return/preview/")
    # Its tables scroll by themselves at 320 px, and can be scrolled from the keyboard.
    assert_accessible(page)
    reflow.check(round_path + "agreed/")
    reflow.assert_none()


@pytest.fixture
def review_round(open_round, cast):
    """`open_round` revealed with 15 partners, every one of them rated and submitted."""
    for partner, member, level in (
        (cast.partner, cast.member, 2),
        (cast.other_partner, cast.other_member, 4),
    ):
        rate_everything(open_round, partner, member, level_number=level)
        round_services.return_submit(
            partner_return=PartnerReturn.objects.get(round=open_round, partner=partner),
            submitted_by=member,
        )
    add_rated_partners(open_round, 13)
    consensus_services.round_reveal(round_=open_round, revealed_by=cast.facilitator)
    open_round.refresh_from_db()
    return open_round


def test_the_review_table_with_15_partners_keeps_its_summary_in_view(
    page, page_for, login, live_server_url, cast, review_round
):
    round_path = f"/rounds/{review_round.public_id}/"
    login(cast.facilitator)
    reflow = Reflow(page, live_server_url)
    reflow.check(round_path + "review/")

    reflow.resize(WIDE)
    table = page.get_by_role("table", name="Ratings by change and partner")
    expect(table.locator("thead th")).to_have_count(15 + 5)
    region = page.get_by_role("region", name="Ratings by change and partner")
    expect(region).to_have_attribute("tabindex", "0")
    for name in ("Change", "Agreement", "Median", "Range", "Proposal"):
        header = table.get_by_role("columnheader", name=name, exact=True)
        assert right_edge(header) <= WIDE[0], f"{name} is out of view at 1280 px"
    propose = table.get_by_role("link", name="Propose a level for 1", exact=True)
    assert right_edge(propose) <= WIDE[0], "Propose is out of view at 1280 px"
    # The partners' columns scroll inside the region, not the page.
    reflow.resize(NARROW)
    assert region.evaluate("region => region.scrollWidth > region.clientWidth")
    assert_accessible(page)
    reflow.check(round_path + "review/1/")

    propose_every_change(review_round, cast.facilitator)
    consensus_services.round_submit_for_approval(round_=review_round, submitted_by=cast.facilitator)
    steering = page_for(cast.steering)
    steering_reflow = Reflow(steering, live_server_url)
    steering_reflow.check(round_path + "approval/")
    steering_reflow.check(round_path + "review/")
    reflow.assert_none()
    steering_reflow.assert_none()
