"""At most API_THROTTLE_RATE requests per token (or per signed-in person, for the docs and the
session), counted in Django's default cache; past it the API answers 429 with Retry-After."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import AccessToken


class AccessTokenRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self) -> str:
        # Read when asked, not when the class is made, so a setting's change takes effect.
        return settings.API_THROTTLE_RATE

    def allow_request(self, request, view) -> bool:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str | None:
        token = request.auth
        if isinstance(token, AccessToken):
            # The hash names the token for ever: an id may be given again to a later token.
            ident = f"token:{token.key_hash[:32]}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}:{request.user.date_joined.timestamp()}"
        else:
            ident = f"address:{self.get_ident(request)}"
        return f"api-throttle:{ident}"
