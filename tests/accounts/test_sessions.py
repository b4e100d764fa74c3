"""Sessions: they end after SESSION_IDLE_MINUTES without a request and are renewed by each one;
"Stay signed in" renews them; signing out of all devices ends every one of them, this one
included; a password change keeps the session it was made in."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AccountEvent
from accounts.services import SIGNED_OUT_EVERYWHERE
from hicm_portal import settings as portal_settings
from tests.accounts.helpers import last_request_minutes_ago, seconds_left
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

SIGN_OUT_EVERYWHERE = "/account/sign-out-everywhere/"
KEEP_ALIVE = "/account/session/keep-alive/"
SESSION_ENDED = "/account/session/ended/"
ACCOUNT = "/account/"


def signed_in(user) -> Client:
    """A browser of its own (a session of its own), signed in as `user`."""
    client = Client()
    client.force_login(user)
    assert client.get(ACCOUNT).status_code == 200
    return client


def is_signed_in(client) -> bool:
    response = client.get(ACCOUNT)
    if response.status_code == 302:
        assert response.url.startswith(reverse("login"))
        return False
    assert response.status_code == 200
    return True


# --- Idle sessions -------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _renew_sessions(settings):
    """As the portal runs (tests/conftest.py turns it off for the other tests' query budgets)."""
    assert portal_settings.SESSION_RENEWAL is True
    settings.SESSION_RENEWAL = True


def test_renewing_costs_a_page_one_update_of_the_session_and_nothing_else(settings, cast):
    client = signed_in(cast.member)
    last_request_minutes_ago(client, 2)
    settings.SESSION_RENEWAL = False
    with CaptureQueriesContext(connection) as without:
        client.get("/accessibility/")
    settings.SESSION_RENEWAL = True
    with CaptureQueriesContext(connection) as renewing:
        client.get("/accessibility/")
    added = [query["sql"] for query in renewing.captured_queries[len(without) :]]
    writes = [sql for sql in added if "SAVEPOINT" not in sql]  # the tests' own transaction
    assert len(writes) == 1
    assert writes[0].startswith('UPDATE "django_session"')


def test_a_session_renewed_within_the_last_minute_is_not_written_again(cast):
    client = signed_in(cast.member)  # its request renewed it
    with CaptureQueriesContext(connection) as queries:
        client.get("/accessibility/")
    assert not [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]][1:]
    assert not any(q["sql"].startswith('UPDATE "django_session"') for q in queries.captured_queries)


def test_a_session_lasts_30_minutes_from_the_last_request(settings, cast):
    assert settings.SESSION_IDLE_MINUTES == 30
    client = signed_in(cast.member)
    last_request_minutes_ago(client, 2)  # renewed more than a minute ago: this renews it
    response = client.get(ACCOUNT)
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 30 * 60
    assert 29 * 60 < seconds_left(client) <= 30 * 60


def test_a_session_idle_for_more_than_30_minutes_is_refused(cast):
    client = signed_in(cast.member)
    last_request_minutes_ago(client, 31)
    assert not is_signed_in(client)


def test_a_session_in_use_is_renewed_by_each_request(cast):
    client = signed_in(cast.member)
    last_request_minutes_ago(client, 29)
    assert seconds_left(client) < 2 * 60
    assert is_signed_in(client)
    assert seconds_left(client) > 29 * 60


# --- Stay signed in ------------------------------------------------------------------------


def test_keep_alive_renews_the_session(cast):
    client = signed_in(cast.member)
    last_request_minutes_ago(client, 29)
    response = client.get(KEEP_ALIVE)
    assert response.status_code == 204
    assert seconds_left(client) > 29 * 60
    assert "no-store" in response["Cache-Control"]


def test_keep_alive_needs_sign_in(client):
    response = client.get(KEEP_ALIVE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_keep_alive_cannot_bring_an_ended_session_back(cast):
    client = signed_in(cast.member)
    last_request_minutes_ago(client, 31)
    assert client.get(KEEP_ALIVE).status_code == 302
    assert not is_signed_in(client)


def test_keep_alive_answers_get_only(cast):
    assert signed_in(cast.member).post(KEEP_ALIVE).status_code == 405


# --- The timeout warning's place in the page -----------------------------------------------


def test_pages_tell_the_warning_the_timeout_for_signed_in_people_only(client, cast):
    page = signed_in(cast.member).get("/").content.decode()
    assert 'data-session-timeout="1800"' in page
    assert 'id="timeout-warning"' in page
    assert "js/timeout-warning.js" in page

    anonymous = client.get(reverse("login")).content.decode()
    assert "data-session-timeout" not in anonymous
    assert "timeout-warning" not in anonymous


def test_the_signed_out_page_says_why(client):
    response = client.get(SESSION_ENDED)
    assert response.status_code == 200
    page = response.content.decode()
    assert "You have been signed out" in page
    assert "for 30 minutes" in page
    assert reverse("login") in page


def test_the_signed_out_page_sends_someone_still_signed_in_home(cast):
    response = signed_in(cast.member).get(SESSION_ENDED)
    assert response.status_code == 302
    assert response.url == reverse("home")


# --- Signing out of all devices ------------------------------------------------------------


def test_the_confirmation_page_changes_nothing(cast):
    client = signed_in(cast.member)
    response = client.get(SIGN_OUT_EVERYWHERE)
    assert response.status_code == 200
    assert "Sign out of all devices" in response.content.decode()
    assert is_signed_in(client)
    assert not AccountEvent.objects.filter(user=cast.member).exists()


def test_signing_out_of_all_devices_ends_every_session_this_one_too(cast):
    laptop = signed_in(cast.member)
    phone = signed_in(cast.member)
    colleague = signed_in(cast.other_member)

    response = laptop.post(SIGN_OUT_EVERYWHERE)

    assert response.status_code == 302
    assert response.url == reverse("login")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [SIGNED_OUT_EVERYWHERE]
    assert not is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert is_signed_in(colleague)


def test_the_sign_in_page_says_so(cast):
    laptop = signed_in(cast.member)
    response = laptop.post(SIGN_OUT_EVERYWHERE, follow=True)
    assert "You have been signed out of all devices" in response.content.decode()


def test_signing_out_of_all_devices_is_recorded(cast):
    signed_in(cast.member).post(SIGN_OUT_EVERYWHERE, REMOTE_ADDR="198.51.100.20")
    (event,) = AccountEvent.objects.filter(user=cast.member)
    assert event.kind == AccountEvent.Kind.SIGNED_OUT_EVERYWHERE
    assert str(event.ip_address) == "198.51.100.20"


def test_signing_in_again_afterwards_works_and_lasts(cast):
    signed_in(cast.member).post(SIGN_OUT_EVERYWHERE)
    again = signed_in(get_user_model().objects.get(pk=cast.member.pk))
    assert is_signed_in(again)
    assert is_signed_in(again)


def test_it_can_be_done_twice(cast):
    signed_in(cast.member).post(SIGN_OUT_EVERYWHERE)
    first_again = signed_in(get_user_model().objects.get(pk=cast.member.pk))
    other = signed_in(get_user_model().objects.get(pk=cast.member.pk))
    first_again.post(SIGN_OUT_EVERYWHERE)
    assert not is_signed_in(other)
    assert get_user_model().objects.get(pk=cast.member.pk).sessions_version == 2


def test_signing_out_of_all_devices_needs_sign_in(client):
    response = client.post(SIGN_OUT_EVERYWHERE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not AccountEvent.objects.exists()


def test_a_rotated_secret_key_keeps_sessions_after_signing_out_everywhere(settings, cast):
    signed_in(cast.member).post(SIGN_OUT_EVERYWHERE)
    client = signed_in(get_user_model().objects.get(pk=cast.member.pk))
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-this-test-" * 2
    assert is_signed_in(client)


# --- A password change ---------------------------------------------------------------------


def change_password(client) -> None:
    new = "a-new-long-password-9"
    response = client.post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302, response.content.decode()


@pytest.mark.parametrize("signed_out_everywhere_before", [False, True])
def test_a_password_change_keeps_this_session_and_ends_the_others(
    cast, signed_out_everywhere_before
):
    if signed_out_everywhere_before:
        signed_in(cast.member).post(SIGN_OUT_EVERYWHERE)
    person = get_user_model().objects.get(pk=cast.member.pk)
    this = signed_in(person)
    other = signed_in(person)
    change_password(this)
    assert is_signed_in(this)
    assert not is_signed_in(other)
