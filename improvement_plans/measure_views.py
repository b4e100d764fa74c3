"""Pages of a system's local measures, reached from a change's card on the plan of an agreed
round: add a measure (perhaps one the framework suggests), change it, remove it. Whoever may
manage the plan may; outsiders get 404 and other people 403 (`round_for`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from assessments.access import round_for
from assessments.forms import add_service_errors
from assessments.framework_content import content_for_round
from assessments.models import Change, Round
from improvement_plans import measure_services
from improvement_plans.measure_forms import MeasureForm
from improvement_plans.models import Measure


def _bound(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _card_url(round_: Round, change: Change) -> str:
    """The change's card on the plan."""
    return reverse("plan", args=[round_.public_id]) + f"#change-{change.code}"


def _measure_of(round_: Round, measure_id) -> Measure:
    """A measure of the round's system, of a change of the round's framework; 404 otherwise."""
    return get_object_or_404(
        Measure.objects.select_related("change"),
        system=round_.system_id,
        change__framework=round_.framework_id,
        public_id=measure_id,
    )


def _suggested(change: Change, index: str | None) -> dict:
    """The framework's suggested measure number `index` of the change ({name, unit}), or {}."""
    suggestions = change.suggested_measures or []
    if index and index.isdigit() and int(index) < len(suggestions):
        return suggestions[int(index)]
    return {}


@login_required
def measure_new(request: HttpRequest, public_id, code: str) -> HttpResponse:
    round_ = round_for(request, public_id, "improvement_plans.manage_plan")
    change = content_for_round(round_).change(code)
    if change is None:
        raise Http404("No such change")
    suggestion = _suggested(change, request.GET.get("suggested"))
    initial = {"name": suggestion.get("name", ""), "unit": suggestion.get("unit", "")}
    form = MeasureForm(_bound(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            measure = measure_services.measure_create(
                actor=request.user, round_=round_, change=change, data=form.measure_input()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The measure “{measure.name}” is added.")
            return redirect(_card_url(round_, change))
    return render(
        request,
        "plans/measures/measure_form.html",
        {
            "round": round_,
            "system": round_.system,
            "change": change,
            "form": form,
            "suggestion": suggestion,
            "back_url": _card_url(round_, change),
        },
    )


@login_required
def measure_edit(request: HttpRequest, public_id, measure_id) -> HttpResponse:
    round_ = round_for(request, public_id, "improvement_plans.manage_plan")
    measure = _measure_of(round_, measure_id)
    form = MeasureForm(_bound(request), initial=MeasureForm.initial_for(measure))
    if request.method == "POST" and form.is_valid():
        try:
            measure_services.measure_update(
                actor=request.user, round_=round_, measure=measure, data=form.measure_input()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The measure is saved.")
            return redirect(_card_url(round_, measure.change))
    return render(
        request,
        "plans/measures/measure_form.html",
        {
            "round": round_,
            "system": round_.system,
            "change": measure.change,
            "form": form,
            "measure": measure,
            "back_url": _card_url(round_, measure.change),
        },
    )


@login_required
def measure_remove(request: HttpRequest, public_id, measure_id) -> HttpResponse:
    """Asks first; removes on the confirmation's POST."""
    round_ = round_for(request, public_id, "improvement_plans.manage_plan")
    measure = _measure_of(round_, measure_id)
    if request.method == "POST":
        measure_services.measure_delete(actor=request.user, round_=round_, measure=measure)
        messages.success(request, f"The measure “{measure.name}” is removed.")
        return redirect(_card_url(round_, measure.change))
    return render(
        request,
        "plans/measures/measure_remove.html",
        {
            "round": round_,
            "system": round_.system,
            "change": measure.change,
            "measure": measure,
            "back_url": _card_url(round_, measure.change),
        },
    )
