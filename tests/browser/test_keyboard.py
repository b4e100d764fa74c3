"""A keyboard-only journey: Tab, Enter and typing, nothing else.

Every element the Tab key lands on must show a visible focus indicator (GOV.UK's yellow
focus state: a yellow background, an outline or a box shadow).
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


# What has focus, and how it looks. `focusVisible`: the browser draws keyboard focus on it.
FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const transparent = (c) => c === "transparent" || /rgba\\(.*,\\s*0\\)$/.test(c);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
    && !transparent(style.outlineColor);
  const shadow = style.boxShadow !== "none";
  const yellow = style.backgroundColor === "rgb(255, 221, 0)";
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    name: el.getAttribute("name"),
    rel: el.getAttribute("rel"),
    href: el.getAttribute("href"),
    text: (el.textContent || el.value || "").replace(/\\s+/g, " ").trim(),
    inNavigation: !!el.closest(".govuk-service-navigation"),
    focusVisible: el.matches(":focus-visible"),
    indicator: outline || shadow || yellow,
    style: `outline ${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}; `
      + `box-shadow ${style.boxShadow}; background ${style.backgroundColor}`,
  };
}"""


def focused(page) -> dict | None:
    return page.evaluate(FOCUS_JS)


def assert_visible_focus(info: dict | None) -> None:
    assert info is not None, "Nothing has focus"
    assert info["focusVisible"], f"{info['tag']} {info['text']!r} does not match :focus-visible"
    assert info["indicator"], (
        f"{info['tag']} {info['text']!r} has focus but no visible focus style ({info['style']})"
    )


def tab_to(page, matches, *, limit: int = 60) -> dict:
    """Press Tab until `matches(focused element)`; each stop on the way must show its focus."""
    visited = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = focused(page)
        if info is None:  # past the last element: focus is in the browser, then wraps round
            visited.append("(out of the page)")
            continue
        assert_visible_focus(info)
        visited.append(f"{info['tag']} {info['text'][:50]!r}")
        if matches(info):
            return info
    raise AssertionError(
        f"Tabbed {limit} times without reaching the element. Visited:\n  " + "\n  ".join(visited)
    )


@pytest.mark.parametrize(
    ("who", "path"),
    [
        pytest.param(None, "/accounts/login/", id="login"),
        pytest.param("facilitator", "/accounts/password/change/", id="password-change"),
        pytest.param(None, "/accounts/password/reset/", id="password-reset"),
        pytest.param("facilitator", "/systems/testshire/invitations/new/", id="invite"),
    ],
)
def test_forms_do_not_take_focus_on_load(who, path, page, live_server_url, cast, login):
    """Nothing has focus when a form page loads, so the first Tab reaches the skip link."""
    if who:
        login(getattr(cast, who))
    page.goto(live_server_url + path)
    assert focused(page) is None, f"{focused(page)} has focus on load"
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to main content"


def test_keyboard_only_journey(page, live_server_url, cast, frameworks, browser_problems):
    page.goto(live_server_url + "/accounts/login/")

    # The first Tab lands on the skip link, and Enter skips to the main content.
    page.keyboard.press("Tab")
    info = focused(page)
    assert info["text"] == "Skip to main content", info
    assert_visible_focus(info)
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()

    # The next Tab is the first field of the form: log in by typing.
    page.keyboard.press("Tab")
    info = focused(page)
    assert info["name"] == "username", info
    assert_visible_focus(info)
    page.keyboard.type(cast.facilitator.email)
    info = tab_to(page, lambda i: i["name"] == "password")
    page.keyboard.type(TEST_PASSWORD)
    info = tab_to(page, lambda i: i["tag"] == "button" and i["text"] == "Log in")
    page.keyboard.press("Enter")
    # The skip link added #main-content to the address, and a redirect keeps the fragment.
    page.wait_for_url(re.compile(re.escape(live_server_url) + r"/(#main-content)?$"))
    expect(page.locator("h1")).to_have_text("Your systems")

    # Service navigation: Frameworks.
    tab_to(page, lambda i: i["inNavigation"] and i["text"] == "Frameworks")
    page.keyboard.press("Enter")
    page.wait_for_url(live_server_url + "/frameworks/")
    expect(page.locator("h1")).to_have_text("Frameworks")

    tab_to(
        page,
        lambda i: i["tag"] == "a" and i["href"] == "/frameworks/mtoc-2020/",
    )
    assert page.evaluate("document.activeElement.textContent").strip() == (
        "Managing transfers of care – a High Impact Change Model (2020)"
    )
    page.keyboard.press("Enter")
    page.wait_for_url(live_server_url + "/frameworks/mtoc-2020/")

    tab_to(page, lambda i: i["tag"] == "a" and i["text"] == "1. Early discharge planning")
    page.keyboard.press("Enter")
    page.wait_for_url(live_server_url + "/frameworks/mtoc-2020/changes/1/")
    expect(page.locator("h1")).to_have_text("Early discharge planning")

    # The pagination's "Next change" link.
    info = tab_to(page, lambda i: i["rel"] == "next")
    assert info["text"].startswith("Next change"), info
    page.keyboard.press("Enter")
    page.wait_for_url(live_server_url + "/frameworks/mtoc-2020/changes/2/")
    expect(page.locator("h1")).to_have_text(
        "Monitoring and responding to system demand and capacity"
    )
    assert_accessible(page)
    browser_problems.assert_none(page.url)


def test_every_focusable_element_on_a_change_page_shows_focus(
    page, live_server_url, cast, login, frameworks, browser_problems
):
    """Tab through a whole page (navigation, breadcrumbs, pagination, footer) back to the top."""
    login(cast.facilitator)
    page.goto(live_server_url + "/frameworks/mtoc-2020/changes/2/")
    first = tab_to(page, lambda i: True)
    assert first["text"] == "Skip to main content"
    stops = 1
    while True:
        page.keyboard.press("Tab")
        info = focused(page)
        if info is None or info["text"] == "Skip to main content":
            break  # wrapped round to the browser chrome or the top of the page
        assert_visible_focus(info)
        stops += 1
        assert stops < 100, "Tab never left the page"
    assert stops > 10
    browser_problems.assert_none(page.url)
