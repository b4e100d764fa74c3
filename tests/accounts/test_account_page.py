"""The Account page: a person sees who they are, their roles, their second factor, and what
happened to their account lately, and nobody else's."""

from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountEvent
from accounts.selectors import RECENT
from tests.accounts.helpers import account_event
from tests.helpers import query_count

pytestmark = pytest.mark.django_db

Kind = AccountEvent.Kind
URL = "/account/"


def page_of(client, user) -> str:
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def test_it_is_the_accounts_account_page():
    assert reverse("accounts:account") == URL


def test_it_needs_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_shows_the_persons_name_email_and_roles(client, cast):
    page = page_of(client, cast.member)
    assert cast.member.full_name in page
    assert cast.member.email in page
    assert f"{cast.partner}, {cast.system}" in page
    assert "Changes to your roles" in page


def test_it_shows_the_persons_own_sign_ins_and_nobody_elses(client, cast):
    account_event(cast.member, Kind.SIGNED_IN, ip="198.51.100.1", method="password")
    account_event(cast.member, Kind.SIGNED_IN, ip="198.51.100.2", method="NHS CIS2")
    account_event(cast.other_member, Kind.SIGNED_IN, ip="192.0.2.99", method="Entra ID")
    page = page_of(client, cast.member)
    assert "198.51.100.1" in page and "198.51.100.2" in page and "NHS CIS2" in page
    assert "192.0.2.99" not in page
    assert "Entra ID" not in page


def test_it_shows_failed_attempts_second_factor_and_token_changes(client, cast):
    account_event(cast.member, Kind.SIGN_IN_FAILED, ip="198.51.100.3", detail="Wrong password")
    account_event(cast.member, Kind.SECOND_FACTOR_RESET, method="", by=cast.admin)
    account_event(cast.member, Kind.TOKEN_CREATED, method="Action tracker")
    account_event(cast.other_member, Kind.SIGN_IN_FAILED, ip="192.0.2.98")
    account_event(cast.other_member, Kind.TOKEN_REVOKED, method="Someone else's token")
    page = page_of(client, cast.member)
    assert "198.51.100.3" in page and "Wrong password" in page
    assert "Second factor reset by a site administrator" in page
    assert cast.admin.get_full_name() in page
    assert "Action tracker" in page
    assert "192.0.2.98" not in page
    assert "Someone else&#x27;s token" not in page


def test_it_lists_the_last_20_sign_ins_newest_first(client, cast):
    now = timezone.now()
    for minutes in range(RECENT + 5):
        account_event(
            cast.member, Kind.SIGNED_IN, at=now - timedelta(minutes=minutes), ip=f"10.0.0.{minutes}"
        )
    client.force_login(cast.member)
    sign_ins = client.get(URL).context["history"].sign_ins
    assert RECENT == 20
    assert [str(event.ip_address) for event in sign_ins] == [f"10.0.0.{n}" for n in range(20)]


def test_it_says_when_the_person_last_signed_out_of_all_devices(client, cast):
    account_event(cast.member, Kind.SIGNED_OUT_EVERYWHERE)
    page = page_of(client, cast.member)
    assert "You last signed out of all devices at" in page


def test_without_a_second_factor_it_links_to_setting_one_up(client, cast):
    page = page_of(client, cast.member)
    assert "Not set up" in page
    assert reverse("mfa_activate_totp") in page


def test_with_a_second_factor_it_links_to_managing_it(client, cast):
    Authenticator.objects.create(user=cast.member, type=Authenticator.Type.TOTP, data={})
    Authenticator.objects.create(user=cast.member, type=Authenticator.Type.RECOVERY_CODES, data={})
    page = page_of(client, cast.member)
    assert "Set up" in page and "Not set up" not in page
    assert "You have recovery codes" in page
    assert reverse("mfa_index") in page


def test_another_persons_second_factor_does_not_count(client, cast):
    Authenticator.objects.create(user=cast.other_member, type=Authenticator.Type.TOTP, data={})
    assert "Not set up" in page_of(client, cast.member)


def test_it_offers_signing_out_of_all_devices(client, cast):
    page = page_of(client, cast.member)
    assert reverse("accounts:sign_out_everywhere") in page


def test_every_signed_in_page_links_to_it_in_the_service_navigation(client, cast):
    client.force_login(cast.nobody)
    page = client.get("/").content.decode()
    assert f'href="{URL}"' in page


def test_it_runs_as_many_queries_for_many_events_as_for_few(client, cast):
    for kind in Kind.values:
        account_event(cast.member, kind)
    client.force_login(cast.member)
    client.get(URL)
    few = query_count(client, URL)
    # The session and the person; their roles and role changes (4); their second factor;
    # five lists of events; their tokens.
    assert few <= 14
    for kind in Kind.values:
        for _ in range(RECENT + 1):
            account_event(cast.member, kind)
    assert query_count(client, URL) <= few
