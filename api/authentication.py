"""Who is asking: a personal access token sent as `Authorization: Bearer <token>`.

The token is looked up by its hash (only the hash is stored); a token that is unknown, expired
or revoked, or whose person can no longer sign in, is refused with 401. The person then has
their own roles and permissions, read by the same rules as the pages (`assessments.rules`).
"""

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from accounts.models import AccessToken
from assessments.models import hash_token

KEYWORD = b"bearer"
REFUSED = "The access token is not valid: it is unknown, expired or revoked."
MALFORMED = "Send the access token as 'Authorization: Bearer <token>'."
# `last_used_at` is written at most this often per token, not on every request.
LAST_USED_EVERY = timedelta(minutes=1)


class AccessTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            return None  # not ours: the session may still sign the person in
        if len(parts) != 2:
            raise AuthenticationFailed(MALFORMED)
        try:
            plain = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(MALFORMED) from None
        token = (
            AccessToken.objects.select_related("user").filter(key_hash=hash_token(plain)).first()
        )
        now = timezone.now()
        if token is None or not token.is_usable(now) or not token.user.is_active:
            raise AuthenticationFailed(REFUSED)
        if token.last_used_at is None or token.last_used_at < now - LAST_USED_EVERY:
            AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token

    def authenticate_header(self, request) -> str:
        # Makes a refusal 401 (with this challenge) rather than 403.
        return 'Bearer realm="api"'


class AccessTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI description names the token (drf-spectacular finds it by import)."""

    target_class = "api.authentication.AccessTokenAuthentication"
    name = "accessToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token from your Account page, e.g. hicm_…",
        }
