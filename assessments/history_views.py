"""Pages of a system's history: recording a round that took place before the portal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from assessments import history_services
from assessments.access import system_for
from assessments.forms.base import add_service_errors
from assessments.forms.history import RecordedRoundForm, RecordFrameworkForm


@login_required
def round_record(request: HttpRequest, slug: str) -> HttpResponse:
    """Two steps on one address: the framework first (`?framework=<key>`), then the round and
    each change's levels, written only when all of it is valid."""
    system = system_for(request, slug, "assessments.record_round_afterwards")
    choice = RecordFrameworkForm(request.GET or None)
    if not choice.is_valid():
        return render(
            request, "assessments/history/choose_framework.html", {"system": system, "form": choice}
        )
    framework = choice.cleaned_data["framework"]
    form = RecordedRoundForm(
        request.POST if request.method == "POST" else None, system=system, framework=framework
    )
    if request.method == "POST" and form.is_valid():
        try:
            round_ = history_services.round_record_afterwards(
                actor=request.user, system=system, framework=framework, **form.round_details()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Round {round_.name} is recorded, agreed, as recorded afterwards."
            )
            return redirect("round_detail", public_id=round_.public_id)
    return render(
        request,
        "assessments/history/record_round.html",
        {"system": system, "framework": framework, "form": form},
    )
