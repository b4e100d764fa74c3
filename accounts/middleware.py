"""Two middlewares of the signed-in person's session:

- `SecondFactorRequiredMiddleware` sends a person who must have a second factor, and signed in
  with a password without one, to set it up before any other page
  (`accounts.sign_in.second_factor_required`).
- `SessionRenewalMiddleware` starts a signed-in person's SESSION_IDLE_MINUTES again on their
  requests, writing the session at most once a minute.
"""

import time

from django.conf import settings
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from accounts.sign_in import (
    has_second_factor,
    second_factor_required,
    signed_in_with_single_sign_on,
)

SET_UP_PAGE = "mfa_activate_totp"
# The session remembers that its person has a second factor, so that pages do not ask again.
HAS_SECOND_FACTOR_KEY = "hicm_has_second_factor"
# Pages open before the second factor is set up: setting it up, signing out, and the pages
# anybody may read.
OPEN_PAGES = frozenset(
    {
        SET_UP_PAGE,
        "logout",
        "accessibility",
        "healthz",
        "healthz_ready",
        "favicon",
    }
)


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SECOND_FACTOR_REQUIRED and self._must_set_up(request):
            return redirect(SET_UP_PAGE)
        return self.get_response(request)

    @staticmethod
    def _must_set_up(request) -> bool:
        user = request.user
        if not user.is_authenticated or signed_in_with_single_sign_on(request):
            return False
        # The cheap answers first: most requests end here, before the URL is resolved.
        if request.session.get(HAS_SECOND_FACTOR_KEY) or not second_factor_required(user):
            return False
        if request.path_info.startswith(settings.STATIC_URL):
            return False
        try:
            name = resolve(request.path_info).url_name
        except Resolver404:
            return False  # the page is not found either way
        if name in OPEN_PAGES:
            return False
        if has_second_factor(user):
            # Remembered for the session: a reset of the second factor also ends the person's
            # sessions (`second_factor_reset`), so the next sign-in asks again.
            request.session[HAS_SECOND_FACTOR_KEY] = True
            return False
        return True


# Seconds between two writes of a session that its requests renew.
RENEW_AFTER_SECONDS = 60
RENEWED_AT_KEY = "hicm_renewed_at"


class SessionRenewalMiddleware:
    """A session ends SESSION_IDLE_MINUTES after it was last saved (SESSION_COOKIE_AGE). A
    signed-in person's request saves it again, and so renews it, when it was last renewed more
    than a minute ago: a page costs no write of the session most of the time, and a session
    ends between SESSION_IDLE_MINUTES and a minute less after the last request. ("Stay signed
    in" always renews: `accounts.views.keep_alive`.) SESSION_RENEWAL off (the tests' query
    budgets) renews nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_RENEWAL and request.user.is_authenticated:
            now = int(time.time())
            if now - request.session.get(RENEWED_AT_KEY, 0) >= RENEW_AFTER_SECONDS:
                request.session[RENEWED_AT_KEY] = now
        return self.get_response(request)
