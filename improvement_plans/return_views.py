"""BCF return pages: the facilitator's draft and preview, issuing, and downloads of issued
returns (always from their frozen snapshot)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from assessments import selectors as assessment_selectors
from improvement_plans import reports, return_services
from improvement_plans.forms import NarrativeForm
from improvement_plans.models import IssuedReturn, ReturnNarrative

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _round(request: HttpRequest, public_id, perm: str):
    round_ = assessment_selectors.round_for_user(request.user, public_id)
    if not request.user.has_perm(perm, round_):
        raise PermissionDenied
    return round_


def _file(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(bytes(content), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _name(round_, suffix: str) -> str:
    return f"{slugify(f'{round_.system.name} {round_.name} {suffix}')}"


@login_required
def return_page(request: HttpRequest, public_id) -> HttpResponse:
    """Facilitators write the narrative and issue; everyone who reads the plan downloads."""
    round_ = _round(request, public_id, "improvement_plans.view_plan")
    can_manage = request.user.has_perm("improvement_plans.manage_plan", round_)
    narrative = ReturnNarrative.objects.filter(round=round_).first()
    form = None
    if can_manage:
        initial = {key: getattr(narrative, key, "") for key, _ in reports.NARRATIVE_PROMPTS}
        form = NarrativeForm(request.POST if request.method == "POST" else None, initial=initial)
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
        .defer("pdf", "xlsx", "html", "data")
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
    round_ = _round(request, public_id, "improvement_plans.manage_plan")

    data = reports.return_data(round_)
    latest = return_services.latest_issued(round_)
    return render(
        request,
        "plans/return_preview.html",
        {
            **reports.return_body_context(data),
            "latest": latest,
            "changes": reports.differences(latest.data, data) if latest else None,
            "round": round_,
            "system": round_.system,
        },
    )


@login_required
def return_draft_file(request: HttpRequest, public_id, file_format: str) -> HttpResponse:
    round_ = _round(request, public_id, "improvement_plans.manage_plan")
    data = reports.return_data(round_)
    if file_format == "pdf":
        return _file(
            reports.html_to_pdf(reports.return_html(data)),
            PDF,
            _name(round_, "draft-return") + ".pdf",
        )
    if file_format == "xlsx":
        return _file(reports.return_xlsx(data), XLSX, _name(round_, "draft-return") + ".xlsx")
    raise Http404


@login_required
@require_POST
def return_issue(request: HttpRequest, public_id) -> HttpResponse:
    round_ = _round(request, public_id, "improvement_plans.manage_plan")
    try:
        issued = return_services.return_issue(round_=round_, issued_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Version {issued.version} of the return is issued.")
    return redirect("return_page", public_id=round_.public_id)


@login_required
def issued_file(request: HttpRequest, issued_id, file_format: str) -> HttpResponse:
    issued = get_object_or_404(
        IssuedReturn.objects.select_related("round__system", "round__framework"),
        public_id=issued_id,
    )
    round_ = assessment_selectors.round_for_user(request.user, issued.round.public_id)
    if not request.user.has_perm("improvement_plans.view_plan", round_):
        raise PermissionDenied
    suffix = f"return-v{issued.version}"
    if file_format == "pdf":
        return _file(issued.pdf, PDF, _name(round_, suffix) + ".pdf")
    if file_format == "xlsx":
        return _file(issued.xlsx, XLSX, _name(round_, suffix) + ".xlsx")
    raise Http404


@login_required
def consensus_record(request: HttpRequest, public_id) -> HttpResponse:
    round_ = _round(request, public_id, "assessments.view_review")
    if not round_.is_agreed:
        raise Http404("The consensus record is written once the round is agreed")
    return _file(
        reports.consensus_record_pdf(round_), PDF, _name(round_, "consensus-record") + ".pdf"
    )


@login_required
def latest_issued_pdf(request: HttpRequest, public_id) -> HttpResponse:
    """A stable link to the round's latest issued return, as PDF."""
    round_ = _round(request, public_id, "improvement_plans.view_plan")
    issued = return_services.latest_issued(round_)
    if issued is None:
        raise Http404("No return has been issued for this round yet")
    return _file(issued.pdf, PDF, _name(round_, f"return-v{issued.version}") + ".pdf")
