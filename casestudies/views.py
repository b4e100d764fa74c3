"""Pages of the practice library: search it, read a case study, add or correct one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from casestudies import selectors, services
from casestudies.filters import CaseStudyFilter
from casestudies.forms import CaseStudyForm

PER_PAGE = 20


@login_required
def case_study_list(request: HttpRequest) -> HttpResponse:
    filterset = CaseStudyFilter(
        request.GET or None, queryset=selectors.case_study_list(request.user)
    )
    valid = not filterset.is_bound or filterset.is_valid()
    results = filterset.qs if valid else filterset.queryset.none()
    page = Paginator(results, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "casestudies/case_study_list.html",
        {
            "form": filterset.form,
            "filterset": filterset,
            "page": page,
            "query": query.urlencode(),
            "can_add": request.user.has_perm("casestudies.add_case_study"),
        },
    )


@login_required
def case_study_detail(request: HttpRequest, slug: str) -> HttpResponse:
    case_study = selectors.case_study_for_user(request.user, slug)
    return render(
        request,
        "casestudies/case_study_detail.html",
        {
            "case_study": case_study,
            "can_edit": request.user.has_perm("casestudies.edit_case_study", case_study),
        },
    )


@login_required
def case_study_new(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("casestudies.add_case_study"):
        raise PermissionDenied
    form = CaseStudyForm(
        request.POST if request.method == "POST" else None,
        frameworks=selectors.frameworks_for_form(),
        owners=selectors.owners_for(request.user),
        initial={"status": "draft"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            case_study = services.case_study_create(
                data=form.case_study_input(), created_by=request.user
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _saved_message(case_study))
            return redirect("case_study_detail", slug=case_study.slug)
    return render(request, "casestudies/case_study_form.html", {"form": form})


@login_required
def case_study_edit(request: HttpRequest, slug: str) -> HttpResponse:
    case_study = selectors.case_study_for_user(request.user, slug)
    if not request.user.has_perm("casestudies.edit_case_study", case_study):
        raise PermissionDenied
    form = CaseStudyForm(
        request.POST if request.method == "POST" else None,
        frameworks=selectors.frameworks_for_form(c.pk for c in case_study.changes.all()),
        initial=CaseStudyForm.initial_for(case_study),
    )
    if request.method == "POST" and form.is_valid():
        try:
            case_study = services.case_study_update(
                case_study=case_study, data=form.case_study_input(), updated_by=request.user
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _saved_message(case_study))
            return redirect("case_study_detail", slug=case_study.slug)
    return render(
        request, "casestudies/case_study_form.html", {"form": form, "case_study": case_study}
    )


def _saved_message(case_study) -> str:
    if case_study.is_published:
        return f"{case_study.title} is saved and published."
    return (
        f"{case_study.title} is saved as a draft. Only its system's facilitators and site "
        "administrators see it."
    )
