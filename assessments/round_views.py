"""Pages of a round: setting it up (facilitators) and a partner's return (its members)."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from assessments import round_services, selectors, spreadsheets
from assessments.access import return_for, round_for, system_for
from assessments.forms import RatingForm, RoundForm, UploadForm, add_service_errors
from assessments.models import Change, Round, SystemRole
from hicm_portal import uploads


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
    if user.has_perm("assessments.view_review", round_):
        if round_.is_agreed:
            links.append(("Agreed levels and trend", reverse("agreed", args=key)))
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


# ---------------------------------------------------------------------------
# A partner's return


def _return_context(round_, partner_return, request) -> dict:
    return {
        "round": round_,
        "system": round_.system,
        "partner_return": partner_return,
        "partner": partner_return.partner,
        "can_rate": request.user.has_perm("assessments.rate", partner_return),
    }


@login_required
def return_tasks(request: HttpRequest, public_id, partner_id) -> HttpResponse:
    partner_return = return_for(request, public_id, partner_id)
    round_ = partner_return.round
    rows = selectors.task_rows(partner_return)
    context = _return_context(round_, partner_return, request)
    context.update(
        {
            "rows": rows,
            "rated": sum(row.status == "Rated" for row in rows),
            "all_rated": all(row.status == "Rated" for row in rows),
        }
    )
    return render(request, "rounds/return_tasks.html", context)


@login_required
def rating_edit(request: HttpRequest, public_id, partner_id, code: str) -> HttpResponse:
    partner_return = return_for(request, public_id, partner_id)
    round_ = partner_return.round
    page = selectors.rating_page(partner_return, code)
    context = {**_return_context(round_, partner_return, request), **page}
    if not context["can_rate"]:
        return render(request, "rounds/rating_readonly.html", context)

    complete = "save_draft" not in request.POST
    form = RatingForm(
        request.POST if request.method == "POST" else None,
        level_hints=page["level_hints"],
        complete=complete,
        initial=RatingForm.initial_for(page["rating"]),
    )
    if request.method == "POST" and form.is_valid():
        try:
            round_services.rating_save(
                partner_return=partner_return,
                change=page["change"],
                data=form.rating_input(),
                saved_by=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except round_services.RatingConflict as conflict:
            context.update({"form": form, "saved": conflict.saved, "mine": form.rating_input()})
            return render(request, "rounds/rating_conflict.html", context, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            tasks = reverse(
                "return_tasks", args=[round_.public_id, partner_return.partner.public_id]
            )
            if not complete:
                messages.success(request, f"Your draft for change {code} is saved.")
                return redirect(tasks)
            if page["next_code"]:
                return redirect(
                    "rating_edit",
                    public_id=round_.public_id,
                    partner_id=partner_return.partner.public_id,
                    code=page["next_code"],
                )
            return redirect("return_check", public_id=round_.public_id, partner_id=partner_id)
    context["form"] = form
    return render(request, "rounds/rating_form.html", context)


@login_required
def rating_history(request: HttpRequest, public_id, partner_id, code: str) -> HttpResponse:
    partner_return = return_for(request, public_id, partner_id)
    round_ = partner_return.round
    change = Change.objects.filter(framework=round_.framework, code=code).first()
    if change is None:
        raise Http404("No such change in this round")
    context = _return_context(round_, partner_return, request)
    context.update({"change": change, "entries": selectors.rating_history(partner_return, change)})
    return render(request, "rounds/rating_history.html", context)


@login_required
def return_check(request: HttpRequest, public_id, partner_id) -> HttpResponse:
    partner_return = return_for(request, public_id, partner_id)
    round_ = partner_return.round
    rows = selectors.task_rows(partner_return)
    context = _return_context(round_, partner_return, request)
    context.update({"rows": rows, "missing": [r for r in rows if r.status != "Rated"]})
    if request.method == "POST":
        try:
            round_services.return_submit(partner_return=partner_return, submitted_by=request.user)
        except PermissionDenied:
            raise
        except ValidationError as error:
            context["submit_error"] = " ".join(error.messages)
            return render(request, "rounds/return_check.html", context, status=400)
        return redirect("return_submitted", public_id=round_.public_id, partner_id=partner_id)
    return render(request, "rounds/return_check.html", context)


@login_required
def return_submitted(request: HttpRequest, public_id, partner_id) -> HttpResponse:
    partner_return = return_for(request, public_id, partner_id)
    round_ = partner_return.round
    if not partner_return.is_submitted:
        return redirect("return_tasks", public_id=round_.public_id, partner_id=partner_id)
    return render(
        request, "rounds/return_submitted.html", _return_context(round_, partner_return, request)
    )


@login_required
@require_POST
def return_reopen(request: HttpRequest, public_id, partner_id) -> HttpResponse:
    partner_return = return_for(request, public_id, partner_id, "assessments.manage_return")
    round_ = partner_return.round
    try:
        round_services.return_reopen(partner_return=partner_return, reopened_by=request.user)
    except (PermissionDenied, ValidationError):
        messages.error(
            request,
            f"{partner_return.partner}'s return cannot be reopened: it is not submitted, "
            "or the round is past rating.",
        )
    else:
        messages.success(
            request, f"{partner_return.partner}'s return is reopened and its members were told."
        )
    return redirect("round_detail", public_id=round_.public_id)


# ---------------------------------------------------------------------------
# The offline spreadsheet

# The session holds only the id of the preview, a PendingUpload of this kind.
UPLOAD_SESSION_KEY = "return-upload-{}"
UPLOAD_KIND = "return-upload:{}"
NO_UPLOAD_PREVIEW = "There is no previewed spreadsheet to save. Upload it again."


@login_required
def return_download(request: HttpRequest, public_id, partner_id) -> HttpResponse:
    partner_return = return_for(request, public_id, partner_id)
    content = spreadsheets.return_workbook(partner_return)
    filename = spreadsheets.workbook_filename(partner_return)
    response = HttpResponse(content, content_type=spreadsheets.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@uploads.upload_view
def return_upload(request: HttpRequest, public_id, partner_id) -> HttpResponse:
    """Upload a filled-in spreadsheet: a preview with every error. No rating is written yet;
    a clean preview is kept (server-side) for the confirmation."""
    partner_return = return_for(request, public_id, partner_id, "assessments.rate")
    round_ = partner_return.round
    form = uploads.upload_form(request, UploadForm)
    context = {
        **_return_context(round_, partner_return, request),
        "form": form,
        "max_size": uploads.size_text(settings.UPLOAD_MAX_BYTES),
    }
    if request.method == "POST" and form.is_valid():
        parsed = spreadsheets.parse_return_workbook(
            partner_return, form.cleaned_data["spreadsheet"]
        )
        key = UPLOAD_SESSION_KEY.format(partner_return.public_id)
        if parsed.has_errors:
            uploads.pending_upload_delete(pk=request.session.pop(key, None))
        else:
            preview = uploads.pending_upload_create(
                owner=request.user,
                kind=UPLOAD_KIND.format(partner_return.public_id),
                payload=parsed.to_json(),
            )
            request.session[key] = str(preview.pk)
        context["parsed"] = parsed
        return render(request, "rounds/return_upload_preview.html", context)
    return render(request, "rounds/return_upload.html", context)


@login_required
@require_POST
def return_upload_confirm(request: HttpRequest, public_id, partner_id) -> HttpResponse:
    """Write the previewed upload: all of it or none of it."""
    partner_return = return_for(request, public_id, partner_id, "assessments.rate")
    round_ = partner_return.round
    key = UPLOAD_SESSION_KEY.format(partner_return.public_id)
    kind = UPLOAD_KIND.format(partner_return.public_id)
    try:
        preview = uploads.pending_upload_get(
            pk=request.session.get(key), owner=request.user, kind=kind
        )
    except uploads.UploadRefused as expired:
        request.session.pop(key, None)
        messages.error(request, expired.message)
        return redirect("return_upload", public_id=round_.public_id, partner_id=partner_id)
    if preview is None:
        messages.error(request, NO_UPLOAD_PREVIEW)
        return redirect("return_upload", public_id=round_.public_id, partner_id=partner_id)
    choices = _version_choices(request.POST)
    parsed = spreadsheets.upload_resolve(
        spreadsheets.ParsedUpload.from_json(preview.payload), choices
    )
    try:
        count = spreadsheets.upload_apply(partner_return, parsed, request.user)
    except spreadsheets.UploadConflicts as conflicts:
        # Keep the choices made so far; the page asks about the ratings still in conflict.
        preview = uploads.pending_upload_create(
            owner=request.user, kind=kind, payload=parsed.to_json()
        )
        request.session[key] = str(preview.pk)
        context = {
            **_return_context(round_, partner_return, request),
            "conflicts": conflicts.conflicts,
            "unchosen": [  # shown both versions, and chose neither
                conflict.row.change_id
                for conflict in conflicts.conflicts
                if conflict.row.change_id in choices and not choices[conflict.row.change_id][0]
            ],
        }
        return render(request, "rounds/return_upload_conflict.html", context, status=409)
    except ValidationError as error:
        messages.error(request, "Nothing was saved. " + " ".join(error.messages))
        return redirect("return_upload", public_id=round_.public_id, partner_id=partner_id)
    uploads.pending_upload_delete(pk=preview.pk)
    request.session.pop(key, None)
    messages.success(
        request, f"{count} rating{'s' if count != 1 else ''} saved from your spreadsheet."
    )
    return redirect("return_tasks", public_id=round_.public_id, partner_id=partner_id)


def _version_choices(post) -> dict[int, tuple[str, int]]:
    """What the person chose on the upload's conflict page, by change id: "mine" or "saved"
    ("" when they chose nothing), with the version of the saved rating they were shown."""
    choices = {}
    for name, value in post.items():
        change_id, version = name.removeprefix("version-"), value
        if name.startswith("version-") and change_id.isdigit() and version.isdigit():
            choice = post.get(f"choice-{change_id}", "")
            choices[int(change_id)] = (choice if choice in ("mine", "saved") else "", int(version))
    return choices
