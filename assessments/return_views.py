"""Pages of a partner's return in a round (its members): the task list, rating each change,
checking and submitting, and the offline spreadsheet."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from assessments import round_services, selectors, spreadsheets
from assessments.access import return_for
from assessments.forms.base import add_service_errors
from assessments.forms.ratings import RatingForm, UploadForm
from assessments.forms.rounds import ReopenReturnForm
from assessments.models import Change
from hicm_portal import uploads


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
def return_reopen(request: HttpRequest, public_id, partner_id) -> HttpResponse:
    partner_return = return_for(request, public_id, partner_id, "assessments.manage_return")
    round_ = partner_return.round
    if not request.user.has_perm("assessments.reopen_return", partner_return):
        messages.error(
            request,
            f"The return of {partner_return.partner} cannot be reopened: it is not "
            "submitted, or the round is no longer in rating.",
        )
        return redirect("round_detail", public_id=round_.public_id)
    form = ReopenReturnForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            round_services.return_reopen(
                partner_return=partner_return,
                reopened_by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"The return of {partner_return.partner} is reopened and its members "
                "were told why.",
            )
            return redirect("round_detail", public_id=round_.public_id)
    return render(
        request,
        "rounds/return_reopen.html",
        {**_return_context(round_, partner_return, request), "form": form},
    )


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
