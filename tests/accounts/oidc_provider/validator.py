"""The test provider's claims. A test account's groups make the provider answer as a real one
might: "unverified-email" (email_verified false), "expired-id-token" (an ID token that has
already expired) and "other-audience" (an ID token issued for the client "another-portal")."""

from datetime import timedelta

from django.utils import timezone
from oauth2_provider.oauth2_validators import OAuth2Validator

from tests.accounts.oidc_provider.testing import OTHER_AUDIENCE


def _groups(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


class TestProviderValidator(OAuth2Validator):
    def get_additional_claims(self, request) -> dict:
        user = request.user
        return {
            "email": user.email,
            "email_verified": "unverified-email" not in _groups(user),
            "name": user.get_full_name(),
        }

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        groups = _groups(request.user)
        if "expired-id-token" in groups:
            expiration_time = timezone.now() - timedelta(minutes=10)
            claims["exp"] = int(expiration_time.timestamp())
        if "other-audience" in groups:
            claims["aud"] = OTHER_AUDIENCE
        return claims, expiration_time
