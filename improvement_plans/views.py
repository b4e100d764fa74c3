"""Improvement plan pages: the plan of an agreed round, actions, progress, investments,
lists with filters and exports, and the bulk import."""

import json

import tablib
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from assessments.access import round_for, system_for
from assessments.forms import add_service_errors
from assessments.framework_content import content_for_round
from assessments.models import ChangeAction
from hicm_portal import spreadsheets, uploads
from hicm_portal.jinja_env import render_html
from improvement_plans import selectors, services
from improvement_plans.access import action_for
from improvement_plans.filters import ActionFilter
from improvement_plans.forms import (
    FUNDING_LINE_ROWS,
    ActionForm,
    ActionImportForm,
    InvestmentForm,
    ProgressForm,
)
from improvement_plans.resources import ActionResource

EXPORT_FORMATS = {
    "csv": spreadsheets.CSV_CONTENT_TYPE,
    "xlsx": spreadsheets.XLSX_CONTENT_TYPE,
}
# The session holds only the id of the preview, a PendingUpload of this kind.
IMPORT_SESSION_KEY = "action-import-{}"
IMPORT_KIND = "action-import:{}"
NO_IMPORT_PREVIEW = "There is no previewed spreadsheet to import. Upload it again."
# The preview checks every row through the action form's own service (some 45 ms a row on
# SQLite), so an import must stop well inside a worker's 30 seconds. A plan has far fewer.
IMPORT_MAX_ROWS = 250


def _bound(request: HttpRequest):
    return request.POST if request.method == "POST" else None


@login_required
def plan(request: HttpRequest, public_id) -> HttpResponse:
    round_ = round_for(request, public_id, "improvement_plans.view_plan")
    can_manage = request.user.has_perm("improvement_plans.manage_plan", round_)
    data = selectors.plan_rows(round_)
    change_cards = render_html(
        "plans/change_cards.html",
        {
            "rows": data["rows"],
            "unmapped_actions": data["unmapped_actions"],
            "can_manage": can_manage,
            "add_action_url": reverse("action_new", args=[round_.public_id]),
        },
    )
    return render(
        request,
        "plans/plan.html",
        {
            **data,
            "change_cards": change_cards,
            "flagged": sum(row.needs_action for row in data["rows"]),
            "round": round_,
            "system": round_.system,
            "can_manage": can_manage,
        },
    )


@login_required
def action_new(request: HttpRequest, public_id) -> HttpResponse:
    round_ = round_for(request, public_id, "improvement_plans.manage_plan")
    initial = {"start_date": timezone.localdate()}
    template = change = None
    code = request.GET.get("change")
    if code:
        change = content_for_round(round_).change(code)
    template_id = request.GET.get("template") or request.POST.get("template")
    if template_id and template_id.isdigit():
        template = (
            ChangeAction.objects.filter(pk=template_id, change__framework=round_.framework)
            .select_related("change")
            .first()
        )
        if template:
            change = template.change
            initial["title"] = f"{template.code} {template.title}"[:200]
            initial["description"] = "\n".join(f"- {point}" for point in template.points)
    # The level and date the round planned for the change, whether it was named in the link
    # or came with a framework action.
    if change:
        initial["change"] = change.pk
        consensus = round_.consensus.filter(change=change).first()
        if consensus and consensus.planned_level_id:
            initial["target_level"] = consensus.planned_level_id
            if consensus.planned_by:
                initial["due_date"] = consensus.planned_by
    form = ActionForm(_bound(request), round_=round_, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.action_create(
                round_=round_, data=form.action_input(template), created_by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Action added; {action.owner.get_full_name()} was told.")
            return redirect("plan", public_id=round_.public_id)
    templates = list(
        ChangeAction.objects.filter(change__framework=round_.framework, archived=False)
        .select_related("change")
        .order_by("change__position", "position")
    )
    return render(
        request,
        "plans/action_form.html",
        {
            "round": round_,
            "system": round_.system,
            "form": form,
            "template": template,
            "templates": templates,
        },
    )


@login_required
def action_detail(request: HttpRequest, public_id) -> HttpResponse:
    action = action_for(request, public_id)
    can_post = request.user.has_perm("improvement_plans.post_progress", action)
    form = ProgressForm(_bound(request))
    if request.method == "POST":
        if not can_post:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.progress_post(
                    action=action,
                    author=request.user,
                    note=form.cleaned_data["note"],
                    new_status=form.cleaned_data["new_status"],
                    new_rag=form.cleaned_data["new_rag"],
                    on=form.cleaned_data.get("on"),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Your update is posted.")
                return redirect("action_detail", public_id=action.public_id)
    latest_round = selectors.latest_plan_round(action)
    return render(
        request,
        "plans/action_detail.html",
        {
            "action": action,
            "system": action.system,
            "round": latest_round,
            "timeline": selectors.action_timeline(action),
            "form": form,
            "can_post": can_post,
            "can_manage": request.user.has_perm("improvement_plans.manage_action", action),
        },
    )


@login_required
def action_edit(request: HttpRequest, public_id) -> HttpResponse:
    action = action_for(request, public_id, "improvement_plans.manage_action")
    round_ = selectors.latest_plan_round(action)
    initial = {
        "title": action.title,
        "description": action.description,
        "change": action.change_id,
        "target_level": action.target_level_id,
        "lead_partner": action.lead_partner_id,
        "contributing_partners": [p.pk for p in action.contributing_partners.all()],
        "owner": action.owner_id,
        "start_date": action.start_date,
        "due_date": action.due_date,
        "status": action.status,
        "rag_override": action.rag_override,
        "rag_override_reason": action.rag_override_reason,
        "investments": [i.pk for i in action.investments.all()],
    }
    form = ActionForm(_bound(request), round_=round_, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(
                action=action, round_=round_, data=form.action_input(), updated_by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The action is saved.")
            return redirect("action_detail", public_id=action.public_id)
    return render(
        request,
        "plans/action_form.html",
        {"round": round_, "system": action.system, "form": form, "action": action},
    )


def _export(actions, name: str, file_format: str) -> HttpResponse:
    dataset = ActionResource().export(actions)
    content = spreadsheets.export_dataset(dataset, file_format)
    response = HttpResponse(content, content_type=EXPORT_FORMATS[file_format])
    response["Content-Disposition"] = f'attachment; filename="{slugify(name)}.{file_format}"'
    return response


def _action_list(
    request, actions, *, title: str, system=None, filters=None, mine: bool = False
) -> HttpResponse:
    file_format = request.GET.get("export")
    if file_format in EXPORT_FORMATS:
        return _export(actions, title, file_format)
    today = timezone.localdate()
    return render(
        request,
        "plans/action_list.html",
        {
            "actions": actions,
            "title": title,
            "system": system,
            "filter": filters,
            "today": today,
            "mine": mine,
        },
    )


@login_required
def system_actions(request: HttpRequest, slug: str) -> HttpResponse:
    system = system_for(request, slug, "improvement_plans.view_system_actions")
    filters = ActionFilter(
        request.GET or None, queryset=selectors.system_actions(system), system=system
    )
    actions = (
        list(filters.qs)
        if filters.is_bound and filters.is_valid()
        else list(selectors.system_actions(system))
    )
    return _action_list(
        request, actions, title=f"Actions of {system.name}", system=system, filters=filters
    )


@login_required
def my_actions(request: HttpRequest) -> HttpResponse:
    return _action_list(
        request, list(selectors.my_actions(request.user)), title="My actions", mine=True
    )


@login_required
def investment_edit(request: HttpRequest, public_id, investment_id=None) -> HttpResponse:
    round_ = round_for(request, public_id, "improvement_plans.manage_plan")
    investment = None
    initial, line_rows = {}, FUNDING_LINE_ROWS
    if investment_id:
        # A scheme carried from an earlier plan is changed from this one too.
        investment = get_object_or_404(
            selectors.investments_in_plan(round_), public_id=investment_id
        )
        initial = InvestmentForm.initial_from(investment)
        line_rows = max(line_rows, investment.funding_lines.count() + 1)
    form = InvestmentForm(_bound(request), round_=round_, initial=initial, line_rows=line_rows)
    if request.method == "POST" and form.is_valid():
        try:
            services.investment_save(
                round_=round_,
                data=form.investment_input(),
                saved_by=request.user,
                investment=investment,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "The investment is saved.")
            return redirect("plan", public_id=round_.public_id)
    return render(
        request,
        "plans/investment_form.html",
        {"round": round_, "system": round_.system, "form": form, "investment": investment},
    )


@login_required
@uploads.upload_view
def action_import(request: HttpRequest, public_id) -> HttpResponse:
    """Upload actions: a preview with every row's errors. No action is written yet; a clean
    preview is kept (server-side) for the confirmation."""
    round_ = round_for(request, public_id, "improvement_plans.manage_plan")
    form = uploads.upload_form(request, ActionImportForm)
    context = {
        "round": round_,
        "system": round_.system,
        "form": form,
        "max_rows": IMPORT_MAX_ROWS,
        "max_size": uploads.size_text(settings.UPLOAD_MAX_BYTES),
    }
    if request.method == "POST" and form.is_valid():
        key = IMPORT_SESSION_KEY.format(round_.public_id)
        try:
            dataset = uploads.spreadsheet_dataset(
                form.cleaned_data["spreadsheet"], max_rows=IMPORT_MAX_ROWS
            )
        except uploads.UploadRefused as refused:
            form.add_error("spreadsheet", refused)
            return render(request, "plans/action_import.html", context)
        result = ActionResource(round_=round_, user=request.user).import_data(
            dataset, dry_run=True, use_transactions=True, rollback_on_validation_errors=True
        )
        problems = _problems(result)
        if problems or not dataset.height:
            uploads.pending_upload_delete(pk=request.session.pop(key, None))
        else:
            preview = uploads.pending_upload_create(
                owner=request.user,
                kind=IMPORT_KIND.format(round_.public_id),
                payload=json.loads(dataset.export("json")),
            )
            request.session[key] = str(preview.pk)
        context.update(
            {
                "result": result,
                "problems": problems,
                "rows": dataset.dict,
                "empty": not dataset.height,
            }
        )
        return render(request, "plans/action_import_preview.html", context)
    return render(request, "plans/action_import.html", context)


def _problems(result) -> list[str]:
    problems = [
        f"Row {row.number}: " + "; ".join(row.error.messages) for row in result.invalid_rows
    ]
    problems += [
        f"Row {row.number}: {error.error}" for row in result.error_rows for error in row.errors
    ]
    problems += [str(error.error) for error in result.base_errors]
    return problems


@login_required
@require_POST
def action_import_confirm(request: HttpRequest, public_id) -> HttpResponse:
    """Write the previewed actions: all of them or none."""
    round_ = round_for(request, public_id, "improvement_plans.manage_plan")
    key = IMPORT_SESSION_KEY.format(round_.public_id)
    try:
        preview = uploads.pending_upload_get(
            pk=request.session.get(key),
            owner=request.user,
            kind=IMPORT_KIND.format(round_.public_id),
        )
    except uploads.UploadRefused as expired:
        request.session.pop(key, None)
        messages.error(request, expired.message)
        return redirect("action_import", public_id=round_.public_id)
    if preview is None:
        messages.error(request, NO_IMPORT_PREVIEW)
        return redirect("action_import", public_id=round_.public_id)
    dataset = tablib.Dataset().load(json.dumps(preview.payload), format="json")
    result = ActionResource(round_=round_, user=request.user).import_data(
        dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True
    )
    problems = _problems(result)
    if problems:
        messages.error(request, "Nothing was imported: " + " ".join(problems))
        return redirect("action_import", public_id=round_.public_id)
    uploads.pending_upload_delete(pk=preview.pk)
    request.session.pop(key, None)
    messages.success(
        request, f"{dataset.height} action{'s' if dataset.height != 1 else ''} imported."
    )
    return redirect("plan", public_id=round_.public_id)
