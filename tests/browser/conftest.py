"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Every test in this folder is marked `browser`. Without Chromium the tests are skipped, except
under CI (CI=true), where a missing browser is a failure: a CI run must not pass by skipping.

Helpers:
- `login(user)`: logs a cast user in through the real login form.
- `assert_accessible(page)`: runs axe-core on the page and fails with a readable list.
- `browser_problems`: collects CSP violations, JavaScript errors and failed sub-resources
  on the test's page; `browser_problems.assert_none()` fails on any. It is attached to every
  test that uses `page`, and checked again when the test ends.
- `check_page(page, browser_problems, heading=...)`: the page's <h1> is `heading`, axe passes
  and no CSP or JavaScript error was raised.
- `page_for(user)`: a second person: a browser context of their own (so a session of their
  own), logged in as `user`, watched by `browser_problems`.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.factories import TEST_PASSWORD

# Playwright's sync API keeps an asyncio event loop running in the main thread from the first
# browser test to the end of the session, and Django refuses ORM calls beside a running loop.
# The loop outlives these tests (later tests in the same session see it too), so this has to
# be process-wide, not a per-test monkeypatch.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
MISSING_CHROMIUM = f"Chromium is not installed ({CHROMIUM} is missing): apt-get install -y chromium"
HERE = Path(__file__).resolve().parent
PAGE_TIMEOUT_MS = 10_000  # Playwright's default is 30 s; the live server answers in far less


def _chromium_missing() -> bool:
    return not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK))


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def _is_browser_test(item) -> bool:
    return Path(item.path).resolve().parent == HERE or HERE in Path(item.path).resolve().parents


def pytest_collection_modifyitems(config, items) -> None:
    """Mark this folder's tests `browser`; skip them when Chromium is missing (not under CI)."""
    missing = _chromium_missing() and not _in_ci()
    parallel = config.pluginmanager.hasplugin("xdist")
    for item in items:
        if not _is_browser_test(item):
            continue
        item.add_marker(pytest.mark.browser)
        if parallel:
            # With `make test`'s two processes, one process runs every browser test, one
            # Chromium at a time; the other takes the rest.
            item.add_marker(pytest.mark.xdist_group("browser"))
        if missing:
            item.add_marker(pytest.mark.skip(reason=MISSING_CHROMIUM))


@pytest.fixture(scope="session", autouse=True)
def _chromium_required_in_ci() -> None:
    """Under CI a missing Chromium fails every browser test (before Playwright tries to launch)."""
    if _chromium_missing() and _in_ci():
        pytest.fail(f"{MISSING_CHROMIUM} (CI=true: browser tests must run)", pytrace=False)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def live_server_url(live_server, transactional_db) -> str:
    """The live server's address. The server thread has its own connection, so the tests
    need real commits: `transactional_db` (the same as `django_db(transaction=True)`)."""
    return live_server.url


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


@pytest.fixture
def browser_problems(page):
    problems = BrowserProblems(page)
    yield problems
    # A safety net for anything raised after the test's last explicit check.
    problems.assert_none("the last page")


@pytest.fixture(autouse=True)
def _prepare_page(request) -> None:
    """For tests that use `page`: fail fast against the local server, and watch for problems."""
    if "page" in request.fixturenames:
        request.getfixturevalue("page").set_default_timeout(PAGE_TIMEOUT_MS)
        request.getfixturevalue("browser_problems")


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


@pytest.fixture
def login(page, live_server_url):
    """`login(user)`: log a cast user in through the login form, in the test's page."""

    def _login(user, password: str = TEST_PASSWORD) -> None:
        log_in(page, live_server_url, user, password)

    return _login


@pytest.fixture
def page_for(new_context, live_server_url, browser_problems):
    """`page_for(user)`: a page in a browser context of its own, logged in as `user`.

    Each person gets their own cookies, so two people (or two members of one partner) can
    work side by side in one test. Their pages are watched for CSP and JavaScript errors too.
    """

    def _page_for(user, password: str = TEST_PASSWORD):
        other = new_context().new_page()
        other.set_default_timeout(PAGE_TIMEOUT_MS)
        browser_problems.watch(other)
        log_in(other, live_server_url, user, password)
        return other

    return _page_for
