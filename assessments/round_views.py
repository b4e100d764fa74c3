"""Pages of a round: setting it up, opening it, running it while open (a new closing date, a
reminder now, cancelling), and what it offers each person next. A partner's return within it
has its own pages in return_views."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from assessments import round_services, selectors
from assessments.access import round_for, system_for
from assessments.forms.base import add_service_errors
from assessments.forms.rounds import CancelRoundForm, ClosingDateForm, RoundForm
from assessments.models import Round, SystemRole

# The URLs still name a partner's return pages from here.
from assessments.return_views import (  # noqa: F401
    rating_edit,
    rating_history,
    return_check,
    return_download,
    return_reopen,
    return_submitted,
    return_tasks,
    return_upload,
    return_upload_confirm,
)
from hicm_portal.words import govuk_date


@login_required
def round_list(request: HttpRequest, slug: str) -> HttpResponse:
    system = system_for(request, slug)
    return render(
        request,
        "rounds/round_list.html",
        {
            "system": system,
            "rounds": selectors.rounds_for_system(request.user, system),
            "can_manage": request.user.has_perm("assessments.invite_people", system),
        },
    )


def _default_quorum(system) -> int:
    steering = SystemRole.objects.filter(system=system, role=SystemRole.Role.STEERING).count()
    return steering // 2 + 1


@login_required
def round_new(request: HttpRequest, slug: str) -> HttpResponse:
    system = system_for(request, slug, "assessments.add_round")
    today = timezone.localdate()
    initial = {
        "partners": list(system.partners.values_list("pk", flat=True)),
        "quorum": _default_quorum(system),
        "opens_on": today,
        "closes_on": today + timedelta(days=28),
    }
    last_agreed = system.rounds.filter(status=Round.Status.AGREED).order_by("-closes_on").first()
    if last_agreed:
        initial["previous_round"] = last_agreed.pk
    form = RoundForm(
        request.POST if request.method == "POST" else None, system=system, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            round_ = round_services.round_create(
                system=system, details=form.details(), created_by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Round {round_.name} is set up as a draft.")
            return redirect("round_detail", public_id=round_.public_id)
    return render(request, "rounds/round_form.html", {"system": system, "form": form})


@login_required
def round_edit(request: HttpRequest, public_id) -> HttpResponse:
    round_ = round_for(request, public_id, "assessments.manage_round")
    if not round_.is_draft:
        messages.error(request, round_services.ROUND_NOT_DRAFT)
        return redirect("round_detail", public_id=round_.public_id)
    initial = {
        "name": round_.name,
        "framework": round_.framework_id,
        "partners": list(round_.returns.values_list("partner_id", flat=True)),
        "opens_on": round_.opens_on,
        "closes_on": round_.closes_on,
        "quorum": round_.quorum,
        "previous_round": round_.previous_round_id,
    }
    form = RoundForm(
        request.POST if request.method == "POST" else None, system=round_.system, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            round_services.round_update(
                round_=round_, details=form.details(), updated_by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The round's set-up is saved.")
            return redirect("round_detail", public_id=round_.public_id)
    return render(
        request, "rounds/round_form.html", {"system": round_.system, "form": form, "round": round_}
    )


@login_required
def round_detail(request: HttpRequest, public_id) -> HttpResponse:
    round_ = round_for(request, public_id)
    is_facilitator = request.user.has_perm("assessments.manage_round", round_)
    context = {
        "round": round_,
        "system": round_.system,
        "is_facilitator": is_facilitator,
        "own_returns": selectors.own_returns(request.user, round_),
        "tracker": selectors.tracker_rows(round_) if is_facilitator else None,
    }
    if is_facilitator and round_.is_draft:
        context["member_count"] = round_services.member_count(round_)
    context["phase_links"] = _phase_links(request.user, round_)
    return render(request, "rounds/round_detail.html", context)


def _phase_links(user, round_: Round) -> list[tuple[str, str]]:
    """What this person can do next with the round, in the order of its lifecycle."""
    links = []
    key = [round_.public_id]
    if user.has_perm("assessments.reveal_round", round_):
        links.append(("Reveal the ratings", reverse("reveal", args=key)))
    if round_.is_agreed and user.has_perm("assessments.view_review", round_):
        links.append(("Agreed levels and trend", reverse("agreed", args=key)))
    # A round recorded afterwards has no partner ratings to review and no decisions.
    if user.has_perm("assessments.view_review", round_) and not round_.recorded_afterwards:
        links.append(("Review the ratings side by side", reverse("review", args=key)))
        if round_.status == Round.Status.APPROVAL or round_.is_agreed:
            label = (
                "Approve the agreed levels"
                if user.has_perm("assessments.decide", round_)
                else "Approvals"
            )
            links.append((label, reverse("approval", args=key)))
    # The plan lives in improvement_plans; asking by name keeps assessments independent of it.
    if user.has_perm("improvement_plans.view_plan", round_):
        links.insert(0, ("Improvement plan", reverse("plan", args=key)))
        links.insert(1, ("Better Care Fund return", reverse("return_page", args=key)))
    if user.has_perm("assessments.view_audit", round_):
        links.append(("Audit trail", reverse("audit", args=key)))
    return links


@login_required
@require_POST
def round_open(request: HttpRequest, public_id) -> HttpResponse:
    round_ = round_for(request, public_id, "assessments.manage_round")
    try:
        round_services.round_open(round_=round_, opened_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"Round {round_.name} is open. Every member of the partners was e-mailed."
        )
    return redirect("round_detail", public_id=round_.public_id)


@login_required
def round_closing_date(request: HttpRequest, public_id) -> HttpResponse:
    round_ = round_for(request, public_id, "assessments.manage_round")
    if not round_.is_rating:
        messages.error(request, round_services.ROUND_NOT_RATING)
        return redirect("round_detail", public_id=round_.public_id)
    form = ClosingDateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = round_services.round_closing_date_change(
                round_=round_, closes_on=form.cleaned_data["closes_on"], changed_by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Returns are now due {govuk_date(round_.closes_on)}. "
                "The partners' members were e-mailed the new date.",
            )
            return redirect("round_detail", public_id=round_.public_id)
    return render(
        request,
        "rounds/round_closing_date.html",
        {"round": round_, "system": round_.system, "form": form},
    )


@login_required
def round_remind(request: HttpRequest, public_id) -> HttpResponse:
    round_ = round_for(request, public_id, "assessments.manage_round")
    if not round_.is_rating:
        messages.error(request, round_services.ROUND_NOT_RATING)
        return redirect("round_detail", public_id=round_.public_id)
    if request.method == "POST":
        try:
            done = round_services.round_remind_now(round_=round_, reminded_by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _reminded_message(done))
        return redirect("round_detail", public_id=round_.public_id)
    return render(
        request,
        "rounds/round_remind.html",
        {"round": round_, "system": round_.system, "plan": round_services.reminder_plan(round_)},
    )


def _reminded_message(done: round_services.ReminderPlan) -> str:
    count = len(done.to_remind)
    parts = [f"{count} partner{'' if count == 1 else 's'} reminded."]
    if done.reminded_today:
        names = ", ".join(str(partner) for partner in done.reminded_today)
        parts.append(f"Skipped because already reminded today: {names}.")
    if done.without_members:
        names = ", ".join(str(partner) for partner in done.without_members)
        parts.append(f"Nobody to e-mail at: {names}.")
    return " ".join(parts)


@login_required
def round_cancel(request: HttpRequest, public_id) -> HttpResponse:
    round_ = round_for(request, public_id, "assessments.manage_round")
    if not round_.is_rating:
        messages.error(request, round_services.ROUND_NOT_CANCELLABLE)
        return redirect("round_detail", public_id=round_.public_id)
    form = CancelRoundForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            round_services.round_cancel(
                round_=round_,
                cancel_reason=form.cleaned_data["cancel_reason"],
                cancelled_by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Round {round_.name} is cancelled. Everyone taking part was e-mailed."
            )
            return redirect("round_detail", public_id=round_.public_id)
    return render(
        request,
        "rounds/round_cancel.html",
        {"round": round_, "system": round_.system, "form": form},
    )
