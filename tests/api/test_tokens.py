"""Personal access tokens: made on the token pages, shown once, stored hashed, revoked, and
refused by the API once expired or revoked."""

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessToken, AccountEvent
from accounts.token_services import access_token_create, access_token_revoke
from assessments.services import role_remove
from tests.api.helpers import api, bearer, get, token_for
from tests.improvement_plans.helpers import agreed_round

pytestmark = pytest.mark.django_db


def test_creating_a_token_shows_it_once_and_keeps_only_its_hash(client, cast):
    client.force_login(cast.member)
    response = client.post(reverse("accounts:token_new"), {"name": "Trust tracker", "days": "30"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = AccessToken.objects.get(user=cast.member)
    plain = response.context["plain"]
    assert plain.startswith("hicm_") and plain in response.content.decode()
    assert "it will not be shown again" in response.content.decode()
    assert token.key_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert plain not in {token.name, token.prefix, token.key_hash}
    assert plain.startswith(token.prefix)
    assert token.expires_at.date() == (timezone.now() + timedelta(days=30)).date()
    event = AccountEvent.objects.get(user=cast.member)
    assert (event.kind, event.method) == (AccountEvent.Kind.TOKEN_CREATED, "Trust tracker")
    # The list shows the token by its name and first characters, never whole.
    listing = client.get(reverse("accounts:tokens")).content.decode()
    assert "Trust tracker" in listing and token.prefix in listing and plain not in listing


def test_a_new_token_lasts_90_days_unless_chosen(cast):
    token, _plain = access_token_create(user=cast.member, name="Default")
    assert token.expires_at - token.created_at == timedelta(days=90)


def test_a_token_needs_a_name_of_its_own(client, cast):
    client.force_login(cast.member)
    response = client.post(reverse("accounts:token_new"), {"name": " ", "days": "90"})
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["Enter a name for the token"]
    token_for(cast.member, name="Tracker")
    response = client.post(reverse("accounts:token_new"), {"name": "tracker", "days": "90"})
    assert "already have a token with this name" in response.context["form"].errors["name"][0]
    assert AccessToken.objects.filter(user=cast.member).count() == 1


def test_the_token_works_and_records_when_it_was_last_used(client, cast):
    plain = token_for(cast.member)
    response = get(client, api("systems"), plain=plain)
    assert response.status_code == 200
    assert [s["slug"] for s in response.json()["results"]] == ["testshire"]
    assert AccessToken.objects.get(user=cast.member).last_used_at is not None


def test_revoking_a_token_on_its_page_stops_it_at_once(client, cast):
    plain = token_for(cast.member)
    token = AccessToken.objects.get(user=cast.member)
    client.force_login(cast.member)
    response = client.post(reverse("accounts:token_revoke"), {"token": token.pk})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AccountEvent.objects.filter(
        user=cast.member, kind=AccountEvent.Kind.TOKEN_REVOKED
    ).exists()
    client.logout()
    assert get(client, api("systems"), plain=plain).status_code == 401


def test_nobody_revokes_another_persons_token(client, cast):
    token_for(cast.member)
    token = AccessToken.objects.get(user=cast.member)
    client.force_login(cast.other_member)
    assert client.post(reverse("accounts:token_revoke"), {"token": token.pk}).status_code == 404
    with pytest.raises(PermissionDenied):
        access_token_revoke(token=token, by=cast.other_member)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_expired_token_is_refused(client, cast):
    plain = token_for(cast.member)
    AccessToken.objects.filter(user=cast.member).update(expires_at=timezone.now())
    response = get(client, api("systems"), plain=plain)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_or_malformed_token_is_refused(client, cast):
    token_for(cast.member)
    assert get(client, api("systems"), plain="hicm_not-a-token").status_code == 401
    assert client.get(api("systems"), HTTP_AUTHORIZATION="Bearer").status_code == 401
    assert client.get(api("systems")).status_code == 401


def test_a_deactivated_persons_token_is_refused(client, cast):
    plain = token_for(cast.member)
    cast.member.is_active = False
    cast.member.save()
    assert client.get(api("systems"), **bearer(plain)).status_code == 401


def test_a_signed_in_person_reads_the_api_with_their_session(client, cast):
    client.force_login(cast.member)
    assert client.get(api("systems")).status_code == 200


def test_the_account_page_lists_the_tokens_with_a_revoke_button(client, cast):
    token_for(cast.member, name="Trust tracker")
    token = AccessToken.objects.get(user=cast.member)
    client.force_login(cast.member)
    page = client.get(reverse("accounts:account")).content.decode()
    assert "Trust tracker" in page and f"{token.prefix}…" in page
    assert reverse("accounts:token_revoke") in page and reverse("accounts:token_new") in page
    response = client.post(
        reverse("accounts:token_revoke"), {"token": token.pk, "back": reverse("accounts:account")}
    )
    assert response["Location"] == reverse("accounts:account")
    # Somewhere else than this site is never where a revoke sends a person.
    other = token_for(cast.member, name="Other")
    other_token = AccessToken.objects.get(user=cast.member, name="Other")
    assert other
    response = client.post(
        reverse("accounts:token_revoke"), {"token": other_token.pk, "back": "https://evil.example/"}
    )
    assert response["Location"] == reverse("accounts:tokens")


def test_a_token_carries_its_persons_roles_as_they_are_now(client, cast, frameworks):
    round_ = agreed_round(cast.system, frameworks["mtoc-2020"])
    plain = token_for(cast.viewer)
    assert get(client, api("round", round_.public_id), plain=plain).status_code == 200
    role_remove(
        user=cast.viewer,
        role="regional_viewer",
        removed_by=cast.admin,
        region=cast.system.region,
    )
    assert get(client, api("round", round_.public_id), plain=plain).status_code == 404
    assert get(client, api("systems"), plain=plain).json()["results"] == []
