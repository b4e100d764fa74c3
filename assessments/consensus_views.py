"""Pages from reveal to agreement: review, discussion, proposals, workshop, approval,
the agreed round and its audit trail."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_POST

from assessments import consensus_services, review_selectors, selectors
from assessments.access import round_for
from assessments.forms import (
    AttendanceForm,
    CommentForm,
    ProposalForm,
    ReturnDecisionForm,
    add_service_errors,
)
from assessments.forms.consensus import ApproveAllForm
from assessments.framework_content import content_for_round
from assessments.models import (
    Change,
    Comment,
    Consensus,
    Decision,
    Member,
    Partner,
    Round,
    SystemRole,
)
from assessments.rules import roles_of
from hicm_portal.charts import trend_charts
from hicm_portal.jinja_env import render_html


def _round_change(round_: Round, code: str) -> Change:
    """A change the round takes, in the wording it opened with; 404 for any other code."""
    change = content_for_round(round_).change(code)
    if change is None:
        raise Http404("No such change in this round")
    return change


@login_required
def reveal(request: HttpRequest, public_id) -> HttpResponse:
    round_ = round_for(request, public_id, "assessments.reveal_round")
    tracker = selectors.tracker_rows(round_)
    missing = [row.partner_return.partner for row in tracker if not row.partner_return.is_submitted]
    error = None
    if request.method == "POST":
        try:
            consensus_services.round_reveal(
                round_=round_,
                revealed_by=request.user,
                confirm_missing=request.POST.get("confirm_missing") == "yes",
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(request, "The ratings are revealed and everyone has been e-mailed.")
            return redirect("review", public_id=round_.public_id)
    return render(
        request,
        "consensus/reveal.html",
        {"round": round_, "system": round_.system, "missing": missing, "error": error},
        status=400 if error else 200,
    )


@login_required
def review(request: HttpRequest, public_id) -> HttpResponse:
    round_ = round_for(request, public_id, "assessments.view_review")
    partner_type = request.GET.get("type", "")
    valid_types = dict(Partner.Type.choices)
    if partner_type not in valid_types:
        partner_type = ""
    own_ids = roles_of(request.user).partner_ids_by_system.get(round_.system_id, frozenset())
    can_propose = request.user.has_perm("assessments.propose", round_)

    data = review_selectors.review_rows(round_, own_ids, partner_type=partner_type)
    present = sorted(
        {r.partner.partner_type for r in data["all_returns"]}, key=lambda t: valid_types[t]
    )
    return render(
        request,
        "consensus/review.html",
        {
            **data,
            "own_ids": own_ids,
            "type_choices": [(t, valid_types[t]) for t in present],
            "all_proposed": all(row.consensus for row in data["rows"]),
            "round": round_,
            "system": round_.system,
            "partner_type": partner_type,
            "can_propose": can_propose,
            "can_submit": request.user.has_perm("assessments.submit_for_approval", round_),
        },
    )


@login_required
def review_change(request: HttpRequest, public_id, code: str) -> HttpResponse:
    round_ = round_for(request, public_id, "assessments.view_review")
    can_comment = request.user.has_perm("assessments.comment", round_)
    form = CommentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_comment:
            raise PermissionDenied
        change = _round_change(round_, code)
        if form.is_valid():
            consensus_services.comment_post(
                round_=round_, change=change, author=request.user, text=form.cleaned_data["text"]
            )
            messages.success(request, "Your comment is posted.")
            return redirect(reverse("review_change", args=[round_.public_id, code]) + "#discussion")
    data = review_selectors.review_change(round_, code, request.user)
    returned = data["consensus"] and data["consensus"].state == Consensus.State.RETURNED
    return render(
        request,
        "consensus/review_change.html",
        {
            **data,
            "round": round_,
            "system": round_.system,
            "form": form,
            "can_comment": can_comment,
            "can_propose": request.user.has_perm("assessments.propose", round_)
            or (returned and request.user.has_perm("assessments.propose_again", round_)),
            "returned": review_selectors.returned_decision(round_, data["change"])
            if returned
            else None,
        },
    )


@login_required
def comment_edit(request: HttpRequest, public_id, comment_id) -> HttpResponse:
    round_ = round_for(request, public_id, "assessments.comment")
    comment = get_object_or_404(Comment, round=round_, public_id=comment_id)
    if comment.author_id != request.user.pk:
        raise PermissionDenied
    form = CommentForm(
        request.POST if request.method == "POST" else None, initial={"text": comment.text}
    )
    if request.method == "POST" and form.is_valid():
        consensus_services.comment_edit(
            comment=comment, editor=request.user, text=form.cleaned_data["text"]
        )
        messages.success(request, "Your comment is updated; the earlier text is kept in history.")
        return redirect(
            reverse("review_change", args=[round_.public_id, comment.change.code]) + "#discussion"
        )
    return render(
        request,
        "consensus/comment_edit.html",
        {"round": round_, "system": round_.system, "comment": comment, "form": form},
    )


def _round_to_propose(request: HttpRequest, public_id, code: str, *, workshop: bool):
    """The round and the change's review data, if this person may propose its level now: in
    review, or (not at the workshop) while the round waits for approval and the change was
    returned. 403 otherwise."""
    round_ = round_for(request, public_id)
    if request.user.has_perm("assessments.propose", round_):
        return round_, review_selectors.review_change(round_, code, request.user)
    if workshop or not request.user.has_perm("assessments.propose_again", round_):
        raise PermissionDenied
    data = review_selectors.review_change(round_, code, request.user)
    if data["consensus"] is None or data["consensus"].state != Consensus.State.RETURNED:
        raise PermissionDenied
    return round_, data


def _proposal(request: HttpRequest, public_id, code: str, template: str) -> HttpResponse:
    workshop = template == "consensus/workshop.html"
    round_, data = _round_to_propose(request, public_id, code, workshop=workshop)
    partners = [r.partner for r in data["returns"]]
    form = ProposalForm(
        request.POST if request.method == "POST" else None,
        levels=data["levels"],
        suggested=data["suggested_level"],
        partners=partners,
        initial=ProposalForm.initial_for(data["consensus"], data["suggested_level"]),
    )
    previous = selectors.previous_agreed_level(round_, data["change"])
    shown = form.shown_level()
    context = {
        **data,
        "round": round_,
        "system": round_.system,
        "form": form,
        "previous_level": previous,
        "below_previous": bool(previous and shown and shown.number < previous["number"]),
        "returned": review_selectors.returned_decision(round_, data["change"])
        if data["consensus"] and data["consensus"].state == Consensus.State.RETURNED
        else None,
    }
    if request.method == "POST" and form.is_valid():
        try:
            consensus_services.consensus_propose(
                round_=round_,
                change=data["change"],
                data=form.proposal_input(),
                proposed_by=request.user,
                expected_version=form.cleaned_data["version"],
                suggested=data["stats"].suggested,
            )
        except consensus_services.ProposalConflict as conflict:
            context.update({"saved": conflict.saved, "mine": form.proposal_input()})
            return render(request, "consensus/proposal_conflict.html", context, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if round_.status == Round.Status.APPROVAL:
                messages.success(
                    request,
                    f"The new proposal for change {code} is with the steering committee, "
                    "who have been e-mailed.",
                )
                return redirect(reverse("approval", args=[round_.public_id]) + f"#change-{code}")
            messages.success(request, f"The proposal for change {code} is saved.")
            if workshop and data["next_code"]:
                return redirect("workshop", public_id=round_.public_id, code=data["next_code"])
            return redirect("review", public_id=round_.public_id)
    if workshop:
        context["show_ratings"] = request.GET.get("show") == "ratings" or form.is_bound
        context["bars"] = review_selectors.distribution(data["stats"], data["levels"])
        context["chart_height"] = len(context["bars"]) * review_selectors.BAR_STEP
        context["attendees"] = review_selectors.workshop_attendees(round_)
    return render(request, template, context)


@login_required
def propose(request: HttpRequest, public_id, code: str) -> HttpResponse:
    return _proposal(request, public_id, code, "consensus/propose.html")


@login_required
def workshop(request: HttpRequest, public_id, code: str) -> HttpResponse:
    """The live-meeting screen: one change at a time, full width, ratings shown on demand."""
    return _proposal(request, public_id, code, "consensus/workshop.html")


@login_required
def workshop_attendance(request: HttpRequest, public_id) -> HttpResponse:
    round_ = round_for(request, public_id, "assessments.propose")
    people_ids = set(
        Member.objects.filter(partner__returns__round=round_).values_list("user", flat=True)
    ) | set(SystemRole.objects.filter(system=round_.system).values_list("user", flat=True))
    people = list(get_user_model().objects.filter(pk__in=people_ids).order_by("full_name"))
    form = AttendanceForm(
        request.POST if request.method == "POST" else None,
        people=people,
        initial={
            "attendees": [str(pk) for pk in round_.attendees.values_list("pk", flat=True)],
            "note": round_.attendance_note,
        },
    )
    if request.method == "POST" and form.is_valid():
        chosen = [form.people[pk] for pk in form.cleaned_data["attendees"]]
        consensus_services.attendance_record(
            round_=round_,
            recorded_by=request.user,
            attendees=chosen,
            note=form.cleaned_data["note"],
        )
        messages.success(request, "Attendance is saved.")
        first = content_for_round(round_).live_changes[0]
        return redirect("workshop", public_id=round_.public_id, code=first.code)
    return render(
        request,
        "consensus/workshop_attendance.html",
        {"round": round_, "system": round_.system, "form": form},
    )


@login_required
@require_POST
def submit_for_approval(request: HttpRequest, public_id) -> HttpResponse:
    round_ = round_for(request, public_id, "assessments.submit_for_approval")
    try:
        consensus_services.round_submit_for_approval(round_=round_, submitted_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("review", public_id=round_.public_id)
    messages.success(request, "Sent to the steering committee, who have been e-mailed.")
    return redirect("round_detail", public_id=round_.public_id)


@login_required
def approval(request: HttpRequest, public_id) -> HttpResponse:
    round_ = round_for(request, public_id, "assessments.view_review")
    return _approval_page(request, round_)


def _approval_page(request, round_, *, error_code: str = "") -> HttpResponse:
    data = review_selectors.decision_rows(round_, request.user)
    cards = {
        "rows": data["rows"],
        "round": round_,
        "can_decide": request.user.has_perm("assessments.decide", round_),
        "can_propose_again": request.user.has_perm("assessments.propose_again", round_),
        "error_code": error_code,
        "decide_urls": {},
        "propose_urls": {},
    }
    for row in data["rows"]:
        code = row.change.code
        cards["decide_urls"][code] = reverse("decide", args=[round_.public_id, code])
        cards["propose_urls"][code] = reverse("propose", args=[round_.public_id, code])
    return render(
        request,
        "consensus/approval.html",
        {
            **data,
            **cards,
            "approval_cards": render_html("consensus/approval_cards.html", cards, request),
            "system": round_.system,
        },
        status=400 if error_code else 200,
    )


@login_required
def approve_all(request: HttpRequest, public_id) -> HttpResponse:
    """A summary of every proposal still waiting for this steering member, with what to
    notice about each, and one confirmed step that approves them all."""
    round_ = round_for(request, public_id, "assessments.decide")
    data = review_selectors.decision_rows(round_, request.user)
    form = ApproveAllForm(
        request.POST if request.method == "POST" else None, waiting=data["waiting"]
    )
    if request.method == "POST" and form.is_valid():
        try:
            decisions = consensus_services.decisions_approve_all(
                round_=round_, decided_by=request.user, versions=form.versions()
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("approve_all", public_id=round_.public_id)
        if round_.is_agreed:
            messages.success(request, "Every change is approved: the round is agreed.")
            return redirect("agreed", public_id=round_.public_id)
        count = len(decisions)
        messages.success(request, f"You approved {count} change{pluralize(count)}.")
        return redirect("approval", public_id=round_.public_id)
    return render(
        request,
        "consensus/approve_all.html",
        {**data, "round": round_, "system": round_.system, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def decide(request: HttpRequest, public_id, code: str) -> HttpResponse:
    round_ = round_for(request, public_id, "assessments.decide")
    change = _round_change(round_, code)
    kind = Decision.Kind.RETURN if "return" in request.POST else Decision.Kind.APPROVE
    form = ReturnDecisionForm(request.POST)
    if kind == Decision.Kind.RETURN and not form.is_valid():
        return _approval_page(request, round_, error_code=code)
    try:
        consensus_services.decision_record(
            round_=round_,
            change=change,
            decided_by=request.user,
            kind=kind,
            reason=form.cleaned_data.get("reason", "") if kind == Decision.Kind.RETURN else "",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if round_.is_agreed:
            messages.success(request, "Every change is approved: the round is agreed.")
            return redirect("agreed", public_id=round_.public_id)
        if kind == Decision.Kind.RETURN:
            messages.success(
                request,
                f"Change {code}: you returned the proposal for a new proposal. "
                "The other changes stay with the steering committee.",
            )
        else:
            messages.success(request, f"Change {code}: you approved the proposal.")
    return redirect(reverse("approval", args=[round_.public_id]) + f"#change-{code}")


@login_required
def agreed(request: HttpRequest, public_id) -> HttpResponse:
    round_ = round_for(request, public_id, "assessments.view_review")
    if not round_.is_agreed:
        raise Http404("This round is not agreed yet")
    trend = review_selectors.trend_rows(round_)
    charts = trend_charts(review_selectors.trend_values(trend))
    return render(
        request,
        "consensus/agreed.html",
        {
            "round": round_,
            "system": round_.system,
            "rows": review_selectors.approval_rows(round_, request.user, ratings=False),
            "trend": trend,
            "trend_section": render_html("charts/trend_section.html", {"trends": charts}),
        },
    )


@login_required
def audit(request: HttpRequest, public_id) -> HttpResponse:
    round_ = round_for(request, public_id, "assessments.view_audit")
    return render(
        request,
        "consensus/audit.html",
        {"round": round_, "system": round_.system, "events": review_selectors.audit_events(round_)},
    )
