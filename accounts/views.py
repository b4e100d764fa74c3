"""A person's Account page, signing out of all devices, and the session's keep-alive and
timed-out pages (the timeout warning of static/js/timeout-warning.js uses the last two)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts import services
from accounts.selectors import account_history, second_factor_of
from accounts.token_selectors import access_tokens_of
from home.selectors import account_role_changes, account_roles


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """The person's own account: who they are, their roles and every change to them, their
    second factor, their access tokens, and what happened to their account lately."""
    user = request.user
    return render(
        request,
        "accounts/account.html",
        {
            "roles": account_roles(user),
            "role_changes": account_role_changes(user),
            "second_factor": second_factor_of(user),
            "history": account_history(user),
            "access_tokens": access_tokens_of(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    """A confirmation page; its button ends every session of the person, this one included."""
    if request.method == "POST":
        services.sessions_end_everywhere(user=request.user, request=request)
        messages.success(request, services.SIGNED_OUT_EVERYWHERE)
        return redirect(settings.LOGIN_URL)
    return render(request, "accounts/sign_out_everywhere.html")


@never_cache
@login_required
@require_GET
def keep_alive(request: HttpRequest) -> HttpResponse:
    """'Stay signed in': renews the session (204). A visitor whose session has ended is sent
    to sign in instead, which the warning's script takes as the end of the session."""
    request.session.modified = True
    return HttpResponse(status=204)


@require_GET
def session_ended(request: HttpRequest) -> HttpResponse:
    """Where the timeout warning sends a person it has signed out. Someone still signed in
    (say, active in another tab) goes on to their home page."""
    if request.user.is_authenticated:
        return redirect("home")
    return render(
        request,
        "accounts/session_ended.html",
        {
            "idle_minutes": settings.SESSION_IDLE_MINUTES,
            "sign_in_url": resolve_url(settings.LOGIN_URL),
        },
    )
