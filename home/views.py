from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from home.selectors import account_role_changes, account_roles, home_cards


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home/home.html", {"cards": home_cards(request.user)})


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """The person's own account: the roles they hold and every grant and removal of them, so
    that nobody gains or loses a role unseen."""
    return render(
        request,
        "home/account.html",
        {
            "roles": account_roles(request.user),
            "role_changes": account_role_changes(request.user),
        },
    )
