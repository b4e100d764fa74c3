"""The second factor: an authenticator app (TOTP) with recovery codes, required for site
administrators, facilitators and regional and national viewers who sign in with a password;
a site administrator's reset for a lost device."""

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP

from accounts.models import AccountEvent
from accounts.second_factor_services import second_factor_reset
from assessments.models import NationalViewer
from tests.factories import TEST_PASSWORD, UserFactory

SET_UP = "/accounts/2fa/totp/activate/"
ENTER_CODE = "/accounts/2fa/authenticate/"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str, at: float | None = None) -> str:
    """The code an authenticator app shows for `secret` now (RFC 6238: 30 s, 6 digits)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int((at or time.time()) // 30))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


@pytest.fixture(autouse=True)
def _required(settings):
    settings.SECOND_FACTOR_REQUIRED = True


def password_sign_in(client, user):
    return client.post("/accounts/login/", {"username": user.email, "password": TEST_PASSWORD})


def test_the_code_helper_matches_the_rfc_example():
    # RFC 6238, appendix B: the SHA-1 secret "12345678901234567890" at 59 s gives 94287082.
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp_code(secret, at=59) == "287082"


@pytest.mark.parametrize("role", ["admin", "facilitator", "viewer"])
def test_a_person_who_must_have_one_is_sent_to_set_it_up_from_every_page(client, cast, role):
    password_sign_in(client, getattr(cast, role))
    for path in ("/", f"/systems/{cast.system.slug}/", "/admin/", "/accounts/2fa/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == SET_UP
    page = client.get(SET_UP)
    assert page.status_code == 200
    assert "Set up an authenticator app" in page.content.decode()


def test_a_national_viewer_must_have_one(client, db):
    national = UserFactory()
    NationalViewer.objects.create(user=national)
    password_sign_in(client, national)
    assert client.get("/")["Location"] == SET_UP


@pytest.mark.parametrize("role", ["member", "steering", "nobody"])
def test_others_are_not_asked(client, cast, role):
    password_sign_in(client, getattr(cast, role))
    assert client.get("/").status_code == 200


def test_a_password_sign_in_and_a_wrong_password_are_recorded(client, cast):
    client.post("/accounts/login/", {"username": cast.member.email, "password": "wrong"})
    failed = AccountEvent.objects.get(user=cast.member, kind=AccountEvent.Kind.SIGN_IN_FAILED)
    assert (failed.method, failed.ip_address) == ("password", "127.0.0.1")
    password_sign_in(client, cast.member)
    signed_in = AccountEvent.objects.get(user=cast.member, kind=AccountEvent.Kind.SIGNED_IN)
    assert (signed_in.method, signed_in.ip_address) == ("password", "127.0.0.1")


def test_signing_out_stays_open_before_setting_it_up(client, cast):
    password_sign_in(client, cast.facilitator)
    client.post("/accounts/logout/")
    assert not client.get("/accounts/login/").wsgi_request.user.is_authenticated


def test_with_the_requirement_off_nobody_is_sent_to_set_it_up(client, cast, settings):
    settings.SECOND_FACTOR_REQUIRED = False
    password_sign_in(client, cast.facilitator)
    assert client.get("/").status_code == 200


def test_setting_it_up_with_a_code_from_the_app_lets_them_in(
    client, cast, django_capture_on_commit_callbacks
):
    password_sign_in(client, cast.facilitator)
    page = client.get(SET_UP).content.decode()
    secret = re.search(r'<code id="authenticator-secret">(\w+)</code>', page).group(1)
    empty = client.post(SET_UP, {"code": ""})
    assert "Enter the 6-digit code from your authenticator app" in empty.content.decode()
    wrong = client.post(SET_UP, {"code": "000000" if totp_code(secret) != "000000" else "1"})
    assert wrong.status_code == 200
    assert "The code is not right" in wrong.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SET_UP, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/recovery-codes/"
    assert client.get(response["Location"]).status_code == 200
    assert client.get("/").status_code == 200
    kinds = set(AccountEvent.objects.filter(user=cast.facilitator).values_list("kind", flat=True))
    assert AccountEvent.Kind.SECOND_FACTOR_ADDED in kinds
    assert AccountEvent.Kind.RECOVERY_CODES_MADE in kinds


def test_signing_in_with_a_password_asks_for_the_code(client, cast):
    TOTP.activate(cast.facilitator, SECRET)
    response = password_sign_in(client, cast.facilitator)
    assert response["Location"] == ENTER_CODE
    assert not client.get(ENTER_CODE).wsgi_request.user.is_authenticated
    empty = client.post(ENTER_CODE, {"code": ""})
    assert "Enter the code from your authenticator app" in empty.content.decode()
    wrong = client.post(ENTER_CODE, {"code": "12345"})
    assert "The code is not right" in wrong.content.decode()
    assert AccountEvent.objects.filter(
        user=cast.facilitator, kind=AccountEvent.Kind.SIGN_IN_FAILED, method="second factor"
    ).exists()
    response = client.post(ENTER_CODE, {"code": totp_code(SECRET)})
    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert home.wsgi_request.user == cast.facilitator
    assert AccountEvent.objects.filter(
        user=cast.facilitator, kind=AccountEvent.Kind.SIGNED_IN, method="password"
    ).exists()


def test_a_member_who_chose_a_second_factor_is_asked_for_it(client, cast):
    TOTP.activate(cast.member, SECRET)
    assert password_sign_in(client, cast.member)["Location"] == ENTER_CODE


def test_the_admin_login_page_sends_people_to_the_portal_sign_in(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_recovery_code_works_once(client, cast):
    TOTP.activate(cast.facilitator, SECRET)
    code = RecoveryCodes.activate(cast.facilitator).get_unused_codes()[0]
    password_sign_in(client, cast.facilitator)
    assert client.post(ENTER_CODE, {"code": code})["Location"] == "/"
    assert client.get("/").wsgi_request.user == cast.facilitator
    client.post("/accounts/logout/")
    password_sign_in(client, cast.facilitator)
    again = client.post(ENTER_CODE, {"code": code})
    assert again.status_code == 200
    assert "The code is not right" in again.content.decode()
    assert not client.get("/accounts/login/").wsgi_request.user.is_authenticated


def test_a_site_administrator_resets_a_lost_second_factor(
    client, cast, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SECOND_FACTOR_REQUIRED = False  # the administrator's own is not under test
    TOTP.activate(cast.facilitator, SECRET)
    RecoveryCodes.activate(cast.facilitator)
    client.force_login(cast.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/hicm_portal/user/",
            {"action": "second_factor_reset_action", "_selected_action": [cast.facilitator.pk]},
        )
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=cast.facilitator).exists()
    event = AccountEvent.objects.get(
        user=cast.facilitator, kind=AccountEvent.Kind.SECOND_FACTOR_RESET
    )
    assert event.by == cast.admin
    assert [message.to for message in mailoutbox] == [[cast.facilitator.email]]
    assert "has reset the second factor" in mailoutbox[0].body
    assert "Ada Admin" in mailoutbox[0].body


def test_after_a_reset_they_are_sent_to_set_it_up_again(client, cast):
    TOTP.activate(cast.facilitator, SECRET)
    second_factor_reset(user=cast.facilitator, by=cast.admin)
    password_sign_in(client, cast.facilitator)
    assert client.get("/")["Location"] == SET_UP


def test_a_reset_ends_the_sessions_that_had_passed_the_second_factor(client, cast, settings):
    """A session remembers that its person has a second factor; the reset ends it, so the
    next page asks them to sign in, and then to set one up again."""
    settings.SECOND_FACTOR_REQUIRED = True
    TOTP.activate(cast.facilitator, SECRET)
    client.force_login(cast.facilitator)
    assert client.get("/").status_code == 200  # has one: remembered in the session
    second_factor_reset(user=cast.facilitator, by=cast.admin)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_resetting_someone_without_a_second_factor_changes_nothing(
    cast, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert second_factor_reset(user=cast.member, by=cast.admin) == 0
    assert not AccountEvent.objects.filter(user=cast.member).exists()
    assert mailoutbox == []


def test_removing_ones_own_authenticator_app_is_recorded(
    client, cast, django_capture_on_commit_callbacks
):
    TOTP.activate(cast.member, SECRET)
    client.force_login(cast.member)
    assert client.get("/accounts/2fa/totp/deactivate/").status_code == 200
    client.post("/accounts/2fa/totp/deactivate/")
    assert not Authenticator.objects.filter(user=cast.member, type=Authenticator.Type.TOTP).exists()
    assert AccountEvent.objects.filter(
        user=cast.member, kind=AccountEvent.Kind.SECOND_FACTOR_REMOVED
    ).exists()
