"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Every test in this folder is marked `browser`. Without Chromium the tests are skipped, except
under CI (CI=true), where a missing browser is a failure: a CI run must not pass by skipping.

Fixtures:
- `login(user)`: logs a cast user in through the real login form.
- `browser_problems`: collects CSP violations, JavaScript errors and failed sub-resources
  on the test's page; `browser_problems.assert_none()` fails on any. It is attached to every
  test that uses `page`, and checked again when the test ends.
- `page_for(user)`: a second person: a browser context of their own (so a session of their
  own), logged in as `user`, watched by `browser_problems`.

`assert_accessible(page)` and `check_page(page, browser_problems, heading=...)` are in
helpers.py.
"""

import os
from pathlib import Path

import pytest

from tests.browser.helpers import PAGE_TIMEOUT_MS, BrowserProblems, log_in
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


# --- Watching the page, logging in ---------------------------------------------------------


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
