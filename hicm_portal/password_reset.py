"""Password resets, throttled per address: at most `RESET_LIMIT` e-mails an hour to one address.

Without a limit anyone could fill a colleague's inbox with reset e-mails, or use the portal to
send mail at will. Every request counts against the address asked for, whether or not an
account has it, and a throttled request is answered with the same page as any other: the page
tells nobody whether an address has an account, nor whether it was throttled.

The count is kept in Django's default cache. With the default (local memory) each server
process counts on its own, so several processes allow a few more; a shared cache (Redis, the
database cache) makes the limit exact.
"""

import hashlib

from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.http import HttpResponseRedirect

RESET_LIMIT = 3
RESET_WINDOW_SECONDS = 60 * 60


def _cache_key(email: str) -> str:
    # Hashed, so the cache holds no addresses; case and spaces do not make another address.
    address = email.strip().casefold().encode()
    return "password-reset:" + hashlib.sha256(address).hexdigest()


def reset_allowed(email: str) -> bool:
    """Count a reset request for `email`; False once the address has had its `RESET_LIMIT`
    requests in the hour that began with its first."""
    key = _cache_key(email)
    cache.add(key, 0, RESET_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # the hour ran out between add and incr
        cache.set(key, 1, RESET_WINDOW_SECONDS)
        count = 1
    return count <= RESET_LIMIT


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request page, sending nothing once the address is throttled."""

    def form_valid(self, form):
        if not reset_allowed(form.cleaned_data["email"]):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)
