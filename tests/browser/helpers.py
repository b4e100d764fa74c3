"""Helpers for the browser tests (fixtures are in conftest.py).

- `assert_accessible(page)`: runs axe-core on the page and fails with a readable list.
- `check_page(page, browser_problems, heading=...)`: the page's <h1> is `heading`, axe passes
  and no CSP or JavaScript error was raised.
- `BrowserProblems`: what went wrong in a page (the `browser_problems` fixture).
- `log_in(page, base_url, user)`: logs in through the real login form.
"""

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.factories import TEST_PASSWORD

PAGE_TIMEOUT_MS = 10_000  # Playwright's default is 30 s; the live server answers in far less

# --- CSP and JavaScript errors -------------------------------------------------------------

CSP_MARKERS = ("Content Security Policy", "Refused to")


class BrowserProblems:
    """What went wrong in the page: console errors, uncaught exceptions, failed resources."""

    def __init__(self, page) -> None:
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.failed_resources: list[str] = []
        self.watch(page)

    def watch(self, page) -> None:
        """Collect from this page too (say, a second person's page in another context)."""
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)
        page.on("response", self._on_response)
        page.on("requestfailed", self._on_request_failed)

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def _on_page_error(self, error) -> None:
        self.page_errors.append(f"{error.name}: {error.message}")

    def _on_response(self, response) -> None:
        # The document itself may be a 403, 404 or 410 on purpose; its resources may not.
        if response.status >= 400 and response.request.resource_type != "document":
            self.failed_resources.append(f"{response.status} {response.url}")

    def _on_request_failed(self, request) -> None:
        # ERR_ABORTED: the browser dropped the request because the test navigated on.
        if request.resource_type != "document" and "ERR_ABORTED" not in (request.failure or ""):
            self.failed_resources.append(f"{request.failure} {request.url}")

    @property
    def csp_violations(self) -> list[str]:
        return [m for m in self.console_errors if any(k in m for k in CSP_MARKERS)]

    def problems(self) -> list[str]:
        return (
            [f"CSP: {m}" for m in self.csp_violations]
            + [f"JavaScript error: {m}" for m in self.page_errors]
            + [f"Resource did not load: {m}" for m in self.failed_resources]
        )

    def assert_none(self, where: str = "") -> None:
        found = self.problems()
        if found:
            self.clear()
            at = f" on {where}" if where else ""
            pytest.fail(
                f"{len(found)} browser problem(s){at}:\n" + "\n".join(f"  - {p}" for p in found),
                pytrace=False,
            )

    def clear(self) -> None:
        self.console_errors.clear()
        self.page_errors.clear()
        self.failed_resources.clear()


# --- Accessibility -------------------------------------------------------------------------


def assert_accessible(page, *, max_targets: int = 3) -> None:
    """Run axe-core (bundled with axe-playwright-python) and fail with a readable list."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    if results.violations_count == 0:
        return
    lines = [f"{results.violations_count} accessibility violation(s) on {page.url}:"]
    for violation in results.response["violations"]:
        nodes = violation.get("nodes", [])
        targets = [" ".join(map(str, node.get("target", []))) for node in nodes[:max_targets]]
        more = f" (+{len(nodes) - max_targets} more)" if len(nodes) > max_targets else ""
        lines.append(
            f"  - {violation['id']} [{violation.get('impact')}]: {violation.get('help')}\n"
            f"      {violation.get('helpUrl', '')}\n"
            f"      at: {', '.join(targets)}{more}"
        )
    pytest.fail("\n".join(lines), pytrace=False)


def check_page(page, browser_problems, *, heading: str | None = None) -> None:
    """The page is what we think it is, passes axe, and raised no CSP or JS errors."""
    from playwright.sync_api import expect

    if heading is not None:
        expect(page.locator("h1")).to_have_text(heading)
    assert_accessible(page)
    browser_problems.assert_none(page.url)


# --- Logging in ----------------------------------------------------------------------------


def log_in(page, base_url: str, user, password: str = TEST_PASSWORD) -> None:
    """Log in through the real login form and wait for the home page."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    try:
        page.wait_for_url(f"{base_url}/")
    except PlaywrightTimeoutError:
        summary = page.locator(".govuk-error-summary, main h1").first.inner_text()
        pytest.fail(f"Could not log in as {user.email}: {page.url}\n{summary}", pytrace=False)
