from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from home import services
from home.forms import DIGEST, IMMEDIATE, EmailSettingsForm
from home.selectors import attention_total, home_cards


@login_required
def home(request: HttpRequest) -> HttpResponse:
    cards = home_cards(request.user)
    return render(
        request, "home/home.html", {"cards": cards, "attention_count": attention_total(cards)}
    )


@login_required
def account_settings(request: HttpRequest) -> HttpResponse:
    """The person chooses each e-mail as it happens, or one a day for news (`notify`)."""
    current = DIGEST if request.user.email_digest else IMMEDIATE
    form = EmailSettingsForm(
        request.POST if request.method == "POST" else None, initial={"frequency": current}
    )
    if request.method == "POST" and form.is_valid():
        digest = form.cleaned_data["frequency"] == DIGEST
        services.email_preference_set(user=request.user, digest=digest)
        messages.success(
            request,
            "You will get one e-mail a day with everything that is not a deadline."
            if digest
            else "You will get each e-mail as it happens.",
        )
        return redirect("accounts:account")
    return render(request, "home/account_settings.html", {"form": form})
