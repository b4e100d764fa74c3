"""Single sign-on against a real OpenID Connect provider (django-oauth-toolkit) that these
tests start on 127.0.0.1: a person is found by their verified e-mail address, and nobody gains
an account by signing in."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP

from accounts.models import AccountEvent
from hicm_portal.models import User
from tests.accounts.oidc_provider.testing import (
    OTHER_AUDIENCE,
    portal_app,
    provider_start,
    sign_in_through,
)
from tests.factories import TEST_PASSWORD, UserFactory

PROVIDER_ID = "test-nhs"
BUTTON = "Sign in with your NHS or council account"
CLIENT_ID = "hicm-portal"
SECRET = "portal-secret"  # noqa: S105
CALLBACK = f"http://testserver/accounts/oidc/{PROVIDER_ID}/login/callback/"

# One test provider per module: keep the module on one test worker (make test's --dist loadgroup).
pytestmark = pytest.mark.xdist_group("oidc_provider")


@pytest.fixture(scope="module")
def provider():
    provider = provider_start(
        clients=[
            {"client_id": CLIENT_ID, "secret": SECRET, "redirect_uri": CALLBACK},
            {
                "client_id": OTHER_AUDIENCE,
                "secret": "other-secret",
                "redirect_uri": "http://127.0.0.1:9/callback/",
            },
        ],
        people=[
            {"username": "member", "email": "member@test.example"},
            {"username": "facilitator", "email": "facilitator@test.example"},
            {"username": "shouting", "email": "MEMBER@Test.Example"},
            {
                "username": "unverified",
                "email": "member@test.example",
                "groups": ["unverified-email"],
            },
            {
                "username": "expired",
                "email": "member@test.example",
                "groups": ["expired-id-token"],
            },
            {
                "username": "other-audience",
                "email": "member@test.example",
                "groups": ["other-audience"],
            },
            {"username": "stranger", "email": "stranger@test.example"},
            {"username": "deactivated", "email": "gone@test.example"},
        ],
    )
    yield provider
    provider.stop()


@pytest.fixture
def portal(settings, provider):
    """The portal, configured with the test provider (as OIDC_1_* would configure it)."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                portal_app(
                    provider=provider,
                    provider_id=PROVIDER_ID,
                    name=BUTTON,
                    client_id=CLIENT_ID,
                    secret=SECRET,
                )
            ],
        }
    }
    settings.SECOND_FACTOR_REQUIRED = True
    return provider


def sign_in(client, portal, username):
    return sign_in_through(client, portal, provider_id=PROVIDER_ID, username=username)


def signed_in_user(client):
    return client.get("/").wsgi_request.user


def test_the_login_page_has_a_button_for_each_provider(client, portal, db):
    page = client.get("/accounts/login/").content.decode()
    assert BUTTON in page
    assert f'action="/accounts/oidc/{PROVIDER_ID}/login/"' in page
    assert 'name="password"' in page


def test_opening_a_providers_address_asks_before_leaving_the_portal(client, portal, db):
    response = client.get(f"/accounts/oidc/{PROVIDER_ID}/login/")
    assert response.status_code == 200
    assert "Log in with your organisation's account" in response.content.decode()


def test_an_invited_person_signs_in_and_it_is_recorded(client, portal, cast):
    response = sign_in(client, portal, "member")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user(client) == cast.member
    event = AccountEvent.objects.get(user=cast.member, kind=AccountEvent.Kind.SIGNED_IN)
    assert event.method == BUTTON
    assert event.ip_address == "127.0.0.1"


def test_they_go_on_to_the_page_they_asked_for(client, portal, cast):
    page = client.get("/accounts/login/?next=/frameworks/").content.decode()
    assert 'name="next" value="/frameworks/"' in page
    response = sign_in_through(
        client, portal, provider_id=PROVIDER_ID, username="member", next_url="/frameworks/"
    )
    assert response["Location"] == "/frameworks/"


def test_the_address_is_matched_whatever_its_case(client, portal, cast):
    sign_in(client, portal, "shouting")
    assert signed_in_user(client) == cast.member


def test_signing_in_again_finds_the_same_person(client, portal, cast):
    sign_in(client, portal, "member")
    client.post("/accounts/logout/")
    sign_in(client, portal, "member")
    assert signed_in_user(client) == cast.member


def test_a_person_who_must_have_a_second_factor_is_not_asked_for_it(client, portal, cast):
    sign_in(client, portal, "facilitator")
    response = client.get("/")
    assert response.status_code == 200
    assert response.wsgi_request.user == cast.facilitator


def test_a_person_with_an_authenticator_app_is_not_asked_for_a_code(client, portal, cast):
    TOTP.activate(cast.member, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    response = sign_in(client, portal, "member")
    assert response["Location"] == "/"
    assert signed_in_user(client) == cast.member


def test_a_token_issued_for_another_client_is_refused(client, portal, cast):
    response = sign_in(client, portal, "other-audience")
    assert response.status_code == 403
    assert "could not be trusted" in response.content.decode()
    assert not signed_in_user(client).is_authenticated
    assert not AccountEvent.objects.filter(kind=AccountEvent.Kind.SIGNED_IN).exists()


def test_an_expired_token_is_refused(client, portal, cast):
    response = sign_in(client, portal, "expired")
    assert response.status_code == 403
    assert "could not be trusted" in response.content.decode()
    assert not signed_in_user(client).is_authenticated


def test_an_unverified_email_address_is_refused_and_recorded(client, portal, cast):
    response = sign_in(client, portal, "unverified")
    page = response.content.decode()
    assert response.status_code == 403
    assert "did not confirm that your email address is verified" in page
    assert "Ask your system's facilitator to invite you" in page
    assert not signed_in_user(client).is_authenticated
    failed = AccountEvent.objects.get(user=cast.member, kind=AccountEvent.Kind.SIGN_IN_FAILED)
    assert failed.method == BUTTON


def test_an_unknown_person_is_refused_and_no_account_is_made(client, portal, cast):
    people = User.objects.count()
    response = sign_in(client, portal, "stranger")
    page = response.content.decode()
    assert response.status_code == 403
    assert "There is no account on HICM Portal for the email address stranger@test.example" in (
        page
    )
    assert "Ask your system's facilitator to invite you" in page
    assert User.objects.count() == people
    assert not signed_in_user(client).is_authenticated


def test_a_deactivated_person_is_refused(client, portal, db):
    UserFactory(email="gone@test.example", is_active=False)
    response = sign_in(client, portal, "deactivated")
    assert response.status_code == 403
    assert not signed_in_user(client).is_authenticated


def test_with_password_sign_in_off_only_site_administrators_use_a_password(
    client, portal, cast, settings
):
    settings.PASSWORD_SIGNIN_STAFF_ONLY = True
    page = client.get("/accounts/login/").content.decode()
    assert "Only site administrators can log in with a password" in page
    response = client.post(
        "/accounts/login/", {"username": cast.member.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 200
    assert "Logging in with a password is for site administrators only" in (
        response.content.decode()
    )
    assert not signed_in_user(client).is_authenticated
    assert AccountEvent.objects.filter(
        user=cast.member, kind=AccountEvent.Kind.SIGN_IN_FAILED
    ).exists()
    settings.SECOND_FACTOR_REQUIRED = False
    client.post("/accounts/login/", {"username": cast.admin.email, "password": TEST_PASSWORD})
    assert signed_in_user(client) == cast.admin
