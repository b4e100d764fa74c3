"""The pages of personal access tokens: the person's list, making a token (shown once) and
revoking one. The Account page (accounts.views) lists the tokens too, through
templates/accounts/_tokens.html with `access_tokens` from `access_tokens_of`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import AccessToken
from accounts.token_forms import AccessTokenForm, RevokeTokenForm
from accounts.token_selectors import access_tokens_of
from accounts.token_services import access_token_create, access_token_revoke
from assessments.forms.base import add_service_errors


@login_required
@require_GET
def token_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/tokens/list.html",
        {"access_tokens": access_tokens_of(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def token_new(request: HttpRequest) -> HttpResponse:
    form = AccessTokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            token, plain = access_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # Shown in the answer to the POST itself, never kept to show again (not even in
            # the session), and never cached: a reload asks to send the form again.
            response = render(
                request, "accounts/tokens/created.html", {"token": token, "plain": plain}
            )
            add_never_cache_headers(response)
            return response
    return render(request, "accounts/tokens/new.html", {"form": form})


@login_required
@require_POST
def token_revoke(request: HttpRequest) -> HttpResponse:
    form = RevokeTokenForm(request.POST)
    token = None
    if form.is_valid():
        # Only the person's own tokens: anyone else's is as if it did not exist.
        token = AccessToken.objects.filter(user=request.user, pk=form.cleaned_data["token"]).first()
    if token is None:
        raise Http404("No such token")
    access_token_revoke(token=token, by=request.user, request=request)
    messages.success(request, f"The token “{token.name}” is revoked: it no longer works.")
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    """Back to the page the revoke button was on (the Account page or the token list): a path
    of this site only."""
    back = request.POST.get("back", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return reverse("accounts:tokens")
