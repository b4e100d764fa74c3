"""The region and national pages in a browser, as their viewers see them, and a system's
comparison with its peers: axe-core passes, no CSP or JavaScript errors."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import check_page
from tests.factories import UserFactory
from tests.regions.helpers import build_region, national_viewer_user, regional_viewer
from tests.regions.national_helpers import agreed_round, peers

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def testland(frameworks):
    admin = UserFactory(email="admin@test.example", is_staff=True, is_superuser=True)
    return build_region(frameworks, admin)


REGION_PAGES = [
    ("/regions/testland/", "Testland"),
    ("/regions/testland/levels/", "Levels map"),
    ("/regions/testland/levels/?framework=mtoc-2020&crosswalk=yes", re.compile("Levels map")),
    ("/regions/testland/summary/", "Summary per change"),
]


@pytest.mark.parametrize(("path", "heading"), REGION_PAGES, ids=[p for p, _h in REGION_PAGES])
def test_region_page_is_accessible(
    path, heading, page, live_server_url, testland, login, browser_problems
):
    login(regional_viewer(testland))
    response = page.goto(live_server_url + path)
    assert response.status == 200
    check_page(page, browser_problems, heading=heading)


def test_national_pages_are_accessible(page, live_server_url, testland, login, browser_problems):
    login(national_viewer_user())
    page.goto(f"{live_server_url}/")
    page.get_by_role("link", name=re.compile("nation", re.IGNORECASE)).first.click()
    check_page(page, browser_problems, heading=re.compile(".+"))
    expect(page.locator("main")).to_contain_text("Testland")
    response = page.goto(f"{live_server_url}/national/summary/")
    assert response.status == 200
    check_page(page, browser_problems, heading=re.compile(".+"))


def test_a_bad_date_filter_is_named(page, live_server_url, testland, login, browser_problems):
    login(regional_viewer(testland))
    page.goto(f"{live_server_url}/regions/testland/levels/?as_of=31+Febtember")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, browser_problems, heading=re.compile("Levels map"))


def test_the_comparison_on_an_agreed_round_and_the_naming_page(
    page, live_server_url, cast, frameworks, login, browser_problems
):
    """Testshire and five peers, one named to the region: the facilitator sees where their
    levels sit, the named peer's name, and the page to choose to be named."""
    framework = frameworks["mtoc-2020"]
    admin = UserFactory(email="admin@test.example", is_staff=True, is_superuser=True)
    levels = {name: {"1": number} for number, name in enumerate(PEERS, start=1)}
    peers(cast.system.region, framework, levels, actor=admin, named={"Ashshire"})
    round_ = agreed_round(cast.system, framework, {"1": 3}, actor=admin)
    login(cast.facilitator)
    page.goto(f"{live_server_url}/rounds/{round_.public_id}/agreed/")
    expect(page.locator("main")).to_contain_text("Your level")
    expect(page.locator("main")).to_contain_text("Ashshire")
    check_page(page, browser_problems, heading=re.compile(".+"))

    page.goto(f"{live_server_url}/systems/testshire/naming/")
    check_page(page, browser_problems, heading=re.compile("Naming your system"))


PEERS = ["Ashshire", "Birchshire", "Cedarshire", "Dunshire", "Elmshire"]
