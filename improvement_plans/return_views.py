"""BCF return pages: the facilitator's draft and preview, issuing, and downloads of issued
returns (always from their frozen snapshot).

Every download is a document built by the task worker (`improvement_plans.documents`): ready,
it is served from storage; otherwise its page says it is being prepared and refreshes itself,
or, if the build failed, offers to try again (a POST to the same address).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from assessments.access import round_for
from improvement_plans import documents, reports, return_selectors, return_services, return_wording
from improvement_plans.access import issued_return_for
from improvement_plans.forms import NarrativeForm
from improvement_plans.models import Document, IssuedReturn, ReturnNarrative

# How often the waiting page reloads itself, in seconds (a meta refresh: no script needed).
REFRESH_SECONDS = 3


def _file(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(bytes(content), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _name(round_, suffix: str) -> str:
    return f"{slugify(f'{round_.system.name} {round_.name} {suffix}')}"


def _format(file_format: str) -> str:
    if file_format not in Document.Format.values:
        raise Http404("No such file type")
    return file_format


def _document_response(
    request: HttpRequest,
    document: Document,
    *,
    name: str,
    back: tuple[str, str],
    content=None,
) -> HttpResponse:
    """The file when its document is ready (`content` when it is kept elsewhere, as an issued
    return's is); otherwise the page that waits for it, or says it failed. A POST asks for a
    failed document again and comes back here. `back` is the (address, name) of the page the
    download is on."""
    if request.method == "POST":
        documents.document_retry(document=document)
        return redirect(request.path)
    if document.status == Document.Status.READY:
        return _file(
            document.content if content is None else content,
            documents.CONTENT_TYPES[document.file_format],
            f"{name}.{document.file_format}",
        )
    failed = document.status == Document.Status.FAILED or document.is_stuck()
    auto_refresh = not failed and request.GET.get("refresh") != "off"
    response = render(
        request,
        "plans/document_status.html",
        {
            "document": document,
            "failed": failed,
            "progress": None if failed else documents.document_progress(document),
            "auto_refresh": auto_refresh,
            "refresh_seconds": REFRESH_SECONDS,
            "file_name": f"{name}.{document.file_format}",
            "back": back[0],
            "back_text": back[1],
            "round": document.round,
            "system": document.round.system,
        },
        # 202: accepted, not done yet; a failed build's page is an ordinary page.
        status=200 if failed else 202,
    )
    if auto_refresh:
        # The Refresh header reloads the page as <meta http-equiv="refresh"> would, with or
        # without JavaScript; the page says so and lets people turn it off (WCAG 2.2.1).
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


@login_required
def return_page(request: HttpRequest, public_id) -> HttpResponse:
    """Facilitators write the narrative and issue; everyone who reads the plan downloads."""
    round_ = round_for(request, public_id, "improvement_plans.view_plan")
    can_manage = request.user.has_perm("improvement_plans.manage_plan", round_)
    narrative = ReturnNarrative.objects.filter(round=round_).first()
    form = None
    if can_manage:
        initial = {key: getattr(narrative, key, "") for key in NarrativeForm.base_fields}
        form = NarrativeForm(
            request.POST if request.method == "POST" else None,
            initial=initial,
            default_title=return_wording.default_title(round_.framework.title),
        )
        if request.method == "POST" and form.is_valid():
            return_services.narrative_save(
                round_=round_, saved_by=request.user, **form.cleaned_data
            )
            messages.success(request, "The draft narrative is saved.")
            return redirect("return_page", public_id=round_.public_id)
    elif request.method == "POST":
        raise PermissionDenied
    issued = list(
        IssuedReturn.objects.filter(round=round_)
        .select_related("issued_by")
        .defer("pdf", "xlsx", "docx", "html", "data")
    )
    return render(
        request,
        "plans/return_page.html",
        {
            "round": round_,
            "system": round_.system,
            "form": form,
            "narrative": narrative,
            "issued": issued,
            "can_manage": can_manage,
        },
    )


@login_required
def return_preview(request: HttpRequest, public_id) -> HttpResponse:
    """The draft return as a web page, with what changed since the last issued version."""
    round_ = round_for(request, public_id, "improvement_plans.manage_plan")

    data = return_selectors.return_data(round_)
    latest = return_selectors.latest_issued_snapshot(round_)
    return render(
        request,
        "plans/return_preview.html",
        {
            "data": data,
            "body": return_selectors.return_body_html(data),
            "latest": latest,
            "changes": reports.differences(latest.data, data) if latest else None,
            "round": round_,
            "system": round_.system,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def return_draft_file(request: HttpRequest, public_id, file_format: str) -> HttpResponse:
    """The draft return as it is now, as a PDF, workbook or Word file built by the worker."""
    round_ = round_for(request, public_id, "improvement_plans.manage_plan")
    document = documents.document_request(
        round_=round_,
        kind=Document.Kind.DRAFT_RETURN,
        fmt=_format(file_format),
        requested_by=request.user,
    )
    return _document_response(
        request,
        document,
        name=_name(round_, "draft-return"),
        back=(reverse("return_page", args=[round_.public_id]), "the BCF return"),
    )


# The confirmation's error, GOV.UK style.
CONFIRM_ISSUE = "Confirm that you want to issue this version of the return"


@login_required
@require_http_methods(["GET", "POST"])
def return_issue(request: HttpRequest, public_id) -> HttpResponse:
    """Issuing freezes a version and tells people: a page says which version and who, and the
    facilitator confirms it."""
    round_ = round_for(request, public_id, "improvement_plans.manage_plan")
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            error = CONFIRM_ISSUE
        else:
            try:
                issued = return_services.return_issue(round_=round_, issued_by=request.user)
            except ValidationError as problem:
                messages.error(request, " ".join(problem.messages))
            else:
                messages.success(request, f"Version {issued.version} of the return is issued.")
            return redirect("return_page", public_id=round_.public_id)
    return render(
        request,
        "plans/return_issue.html",
        {
            "round": round_,
            "system": round_.system,
            "version": return_selectors.next_version(round_),
            "audience": return_selectors.issue_audience_counts(round_, request.user),
            "error": error,
        },
        status=400 if error else 200,
    )


def _issued_response(request: HttpRequest, issued: IssuedReturn, round_, file_format: str):
    """An issued return's file, from its snapshot, once the worker has built it there."""
    fmt = _format(file_format)
    content = getattr(issued, fmt)
    name = documents.issued_return_name(round_, issued.version)
    if content and request.method == "GET":  # built, or issued before documents were queued
        return _file(content, documents.CONTENT_TYPES[fmt], f"{name}.{fmt}")
    document = documents.issued_document(issued=issued, fmt=fmt, requested_by=request.user)
    if document.status == Document.Status.READY:
        issued.refresh_from_db(fields=[fmt])
        content = getattr(issued, fmt)
    return _document_response(
        request,
        document,
        name=name,
        content=content,
        back=(reverse("return_page", args=[round_.public_id]), "the BCF return"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def issued_file(request: HttpRequest, issued_id, file_format: str) -> HttpResponse:
    issued = issued_return_for(request, issued_id)
    return _issued_response(request, issued, issued.round, file_format)


@login_required
@require_http_methods(["GET", "POST"])
def consensus_record(request: HttpRequest, public_id) -> HttpResponse:
    round_ = round_for(request, public_id, "assessments.view_review")
    if not round_.is_agreed:
        raise Http404("The consensus record is written once the round is agreed")
    document = documents.document_request(
        round_=round_,
        kind=Document.Kind.CONSENSUS_RECORD,
        fmt=Document.Format.PDF,
        requested_by=request.user,
    )
    return _document_response(
        request,
        document,
        name=_name(round_, "consensus-record"),
        back=(reverse("round_detail", args=[round_.public_id]), "the round"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def latest_issued_pdf(request: HttpRequest, public_id) -> HttpResponse:
    """A stable link to the round's latest issued return, as PDF."""
    round_ = round_for(request, public_id, "improvement_plans.view_plan")
    issued = return_services.latest_issued(round_)
    if issued is None:
        raise Http404("No return has been issued for this round yet")
    return _issued_response(request, issued, round_, "pdf")
