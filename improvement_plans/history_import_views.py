"""Importing past returns in the portal: upload → preview with every problem → confirm →
done. A facilitator imports for their own system (from the system page); a site administrator
for any systems, creating missing ones from the reference list if they choose (from the home
page and the admin).

The upload is checked as every upload is (`hicm_portal.uploads`), read and checked in full
(`history_import.past_returns_read`) and shown; a clean file waits for the confirmation as the
person's PendingUpload (the file itself, as the admin's imports keep theirs), and on
confirmation it is checked again against the portal as it is then and written all of it or
none (`history_import.past_returns_import`).
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from assessments.access import system_for
from assessments.models import System
from assessments.rules import is_site_administrator
from hicm_portal import uploads
from improvement_plans.history_import import past_returns_import, past_returns_read
from improvement_plans.history_import_forms import PastReturnsForm

NO_PREVIEW = "There is no previewed file to import. Upload it again."
CHANGED_SINCE = (
    "Nothing was imported, because the file no longer passes the checks (the portal changed "
    "since the preview). Upload it again to see why."
)
# The done page names this many rounds at most; the rest are counted.
DONE_ROUNDS_SHOWN = 20


@dataclass(frozen=True)
class Scope:
    """Whose import this is: one system's facilitator's, or a site administrator's."""

    system: System | None = None

    @property
    def systems(self) -> list[System] | None:
        return None if self.system is None else [self.system]

    @property
    def tag(self) -> str:
        return f"system-{self.system.pk}" if self.system else "any-system"

    @property
    def kind(self) -> str:
        return f"past-returns:{self.tag}"

    @property
    def session_key(self) -> str:
        return f"past-returns-{self.tag}"

    @property
    def done_key(self) -> str:
        return f"past-returns-done-{self.tag}"

    def url(self, name: str) -> str:
        if self.system is None:
            return reverse(f"history_import_{name}")
        return reverse(f"system_history_import_{name}", args=[self.system.slug])


def _administrator_scope(request: HttpRequest) -> Scope:
    """A site administrator's import; anyone else is refused."""
    if not is_site_administrator(request.user):
        raise PermissionDenied
    return Scope()


def _system_scope(request: HttpRequest, slug: str) -> Scope:
    """A facilitator's import for their system (outsiders 404, other members 403)."""
    return Scope(system_for(request, slug, "assessments.record_round_afterwards"))


@login_required
@uploads.upload_view
def system_history_import(request: HttpRequest, slug: str) -> HttpResponse:
    return _upload(request, _system_scope(request, slug))


@login_required
@require_POST
def system_history_import_confirm(request: HttpRequest, slug: str) -> HttpResponse:
    return _confirm(request, _system_scope(request, slug))


@login_required
def system_history_import_done(request: HttpRequest, slug: str) -> HttpResponse:
    return _done(request, _system_scope(request, slug))


@login_required
@uploads.upload_view
def history_import(request: HttpRequest) -> HttpResponse:
    return _upload(request, _administrator_scope(request))


@login_required
@require_POST
def history_import_confirm(request: HttpRequest) -> HttpResponse:
    return _confirm(request, _administrator_scope(request))


@login_required
def history_import_done(request: HttpRequest) -> HttpResponse:
    return _done(request, _administrator_scope(request))


def _context(scope: Scope, **more) -> dict:
    return {
        "scope": scope,
        "system": scope.system,
        "upload_url": scope.url("upload"),
        "confirm_url": scope.url("confirm"),
        "max_size": uploads.size_text(settings.UPLOAD_MAX_BYTES),
        "max_rows": f"{settings.UPLOAD_MAX_ROWS:,}",
        **more,
    }


def _upload(request: HttpRequest, scope: Scope) -> HttpResponse:
    """The upload form, and on a POST the preview: every round and scheme the file holds, and
    every problem. Nothing is written; a clean file is kept for the confirmation."""
    form = uploads.upload_form(request, PastReturnsForm, can_create_systems=scope.system is None)
    context = _context(scope, form=form)
    if request.method != "POST" or not form.is_valid():
        return render(request, "assessments/history_import/upload.html", context)
    upload = form.cleaned_data["spreadsheet"]
    try:
        data = uploads.read_upload(upload)
    except uploads.UploadRefused as refused:
        form.add_error("spreadsheet", refused)
        return render(request, "assessments/history_import/upload.html", context)
    create_systems = form.cleaned_data.get("create_systems", False)
    past_returns = past_returns_read(
        data=data,
        filename=upload.name,
        actor=request.user,
        systems=scope.systems,
        create_systems=create_systems,
    )
    if past_returns.has_problems or past_returns.changes_nothing:
        uploads.pending_upload_delete(pk=request.session.pop(scope.session_key, None))
    else:
        pending = uploads.pending_upload_create(
            owner=request.user,
            kind=scope.kind,
            payload={"filename": upload.name, "create_systems": create_systems},
            content=data,
        )
        request.session[scope.session_key] = str(pending.pk)
    context["past_returns"] = past_returns
    return render(request, "assessments/history_import/preview.html", context)


def _confirm(request: HttpRequest, scope: Scope) -> HttpResponse:
    """Check the previewed file again and write it: all of it or none."""
    try:
        pending = uploads.pending_upload_get(
            pk=request.session.get(scope.session_key), owner=request.user, kind=scope.kind
        )
    except uploads.UploadRefused as expired:
        request.session.pop(scope.session_key, None)
        messages.error(request, expired.message)
        return redirect(scope.url("upload"))
    if pending is None:
        messages.error(request, NO_PREVIEW)
        return redirect(scope.url("upload"))
    past_returns = past_returns_read(
        data=bytes(pending.content),
        filename=pending.payload.get("filename", ""),
        actor=request.user,
        systems=scope.systems,
        create_systems=bool(pending.payload.get("create_systems")),
    )
    try:
        imported = past_returns_import(actor=request.user, past_returns=past_returns)
    except ValidationError:
        messages.error(request, CHANGED_SINCE)
        return redirect(scope.url("upload"))
    uploads.pending_upload_delete(pk=pending.pk)
    request.session.pop(scope.session_key, None)
    request.session[scope.done_key] = {
        "rounds": [f"{round_.system.name} {round_.name}" for round_ in imported.rounds][
            :DONE_ROUNDS_SHOWN
        ],
        "rounds_recorded": len(imported.rounds),
        "rounds_skipped": imported.rounds_skipped,
        "schemes_added": len(imported.schemes),
        "schemes_skipped": imported.schemes_skipped,
        "systems_created": imported.systems_created,
    }
    return redirect(scope.url("done"))


def _done(request: HttpRequest, scope: Scope) -> HttpResponse:
    """What the last confirmed import did."""
    done = request.session.get(scope.done_key)
    if done is None:
        return redirect(scope.url("upload"))
    more = done["rounds_recorded"] - len(done["rounds"])
    return render(
        request, "assessments/history_import/done.html", _context(scope, done=done, more=more)
    )
