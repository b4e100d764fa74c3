"""Issue 12, fault 10b: password reset e-mails are throttled per address.

At most three reset e-mails an hour go to one address. The page after a request is the same
whether or not an account has the address and whether or not it was throttled, so it tells
nobody either. Before, every request sent an e-mail: anyone could fill a colleague's inbox.
"""

import re

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db

RESET = "/accounts/password/reset/"
LIMIT = 3


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    """Ask for a reset link for `email`; the page the person then sees, as (address, text)."""

    def _ask(email: str) -> tuple[str, str]:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(RESET, {"email": email})
        assert response.status_code == 302
        page = client.get(response["Location"])
        assert page.status_code == 200
        # The nonce of the page's scripts changes with every response; nothing else may.
        return response["Location"], re.sub(r'nonce="[^"]*"', "", page.content.decode())

    return _ask


def test_the_fourth_request_within_the_hour_sends_no_email_and_looks_the_same(cast, ask):
    pages = [ask("member@test.example") for _ in range(LIMIT + 1)]
    assert len(mail.outbox) == LIMIT
    assert pages[LIMIT] == pages[0]
    assert "Check your email" in pages[0][1]


def test_the_address_is_counted_whatever_its_case_and_spaces(cast, ask):
    for email in ("member@test.example", "MEMBER@test.example", " Member@Test.Example "):
        ask(email)
    ask("member@test.example")
    assert len(mail.outbox) == LIMIT


def test_the_limit_is_per_address(cast, ask):
    for _ in range(LIMIT + 1):
        ask("member@test.example")
    ask("other@test.example")
    assert [message.to for message in mail.outbox[LIMIT:]] == [["other@test.example"]]


def test_an_unknown_address_gets_the_same_page_throttled_or_not(cast, ask):
    known = ask("member@test.example")
    unknown = [ask("nobody@nowhere.example") for _ in range(LIMIT + 1)]
    assert all(page == known for page in unknown)
    assert len(mail.outbox) == 1


def test_the_limit_lifts_after_an_hour(cast, ask, monkeypatch):
    for _ in range(LIMIT + 1):
        ask("member@test.example")
    assert len(mail.outbox) == LIMIT
    from django.core.cache.backends import locmem

    later = locmem.time.time() + 60 * 60 + 1
    monkeypatch.setattr(locmem, "time", type("Later", (), {"time": staticmethod(lambda: later)}))
    ask("member@test.example")
    assert len(mail.outbox) == LIMIT + 1
