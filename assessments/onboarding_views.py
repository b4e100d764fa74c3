"""The admin's "Set up a system" pages: a partners file and a people file uploaded together,
previewed together, and confirmed into one transaction (`onboarding_services`).

Upload → preview with every problem by file, row and column → confirm. The files are read as
every upload is (`hicm_portal.uploads`); a clean pair waits for the confirmation as the
administrator's PendingUpload (their rows as JSON), and the confirmation imports them again
against the portal as it is then: all of it, or nothing and the reason. Reached through
`SystemAdmin.get_urls`, so only site administrators (the admin's `admin_view`) get here, and
of them only those who may add partners and roles in the admin (`PERMISSIONS`).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from assessments.models import System
from assessments.onboarding_files import (
    PARTNER_COLUMNS,
    PEOPLE_COLUMNS,
    PLACE_COLUMNS,
    ROLE_WORDS,
    Sheet,
)
from assessments.onboarding_services import onboarding_import
from hicm_portal import uploads

KIND = "system-setup"
SESSION_KEY = "system-setup-preview"
FILES_MISSING = "Select a partners file, a people file or both"
NO_PREVIEW = (
    "There are no previewed files to import: they were imported already. Upload them again."
)
CHANGED_SINCE = (
    "Nothing was imported, because the files no longer pass the checks (the portal changed "
    "since the preview): {problems}. Correct the files and upload them again."
)
# The message of a confirmation refused names this many problems at most.
PROBLEMS_SHOWN = 10
DONE = (
    "Imported: {partners} new partner{partners_s}, {roles} role{roles_s} given to "
    "{people} {people_word}; {emailed} {emailed_word} e-mailed."
)


class SetupForm(forms.Form):
    partners_file = forms.FileField(
        label="Partners file",
        required=False,
        help_text="CSV or XLSX, columns: " + ", ".join(PARTNER_COLUMNS),
    )
    people_file = forms.FileField(
        label="People file",
        required=False,
        help_text="CSV or XLSX, columns: " + ", ".join(PEOPLE_COLUMNS),
    )

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("partners_file") and not data.get("people_file"):
            raise forms.ValidationError(FILES_MISSING, code="required")
        return data


# What the set-up writes, as the admin's own pages would ask a site administrator for it.
PERMISSIONS = (
    "assessments.add_partner",
    "assessments.change_partner",
    "assessments.add_member",
    "assessments.add_systemrole",
    "assessments.add_regionalviewer",
    "assessments.add_nationalviewer",
)


def _check_access(request: HttpRequest) -> None:
    """Site administrators (the admin's `admin_view` lets in no one else) who may add
    partners and every role in the admin; any other gets 403."""
    if not request.user.has_perms(PERMISSIONS):
        raise PermissionDenied


def _context(request: HttpRequest, admin_site, **more) -> dict:
    return {
        **admin_site.each_context(request),
        "opts": System._meta,
        "title": "Set up a system: partners, people and roles",
        "role_words": _role_words(),
        "partner_columns": PARTNER_COLUMNS,
        "people_columns": PEOPLE_COLUMNS,
        **more,
    }


def _role_words() -> list[tuple[str, str, str]]:
    """Each role, the words the role column takes for it, and the place columns it needs."""
    by_role: dict[str, list[str]] = {}
    for word, role in ROLE_WORDS.items():
        by_role.setdefault(role, []).append(word)
    return [
        (role.label, ", ".join(by_role[role]), ", ".join(PLACE_COLUMNS[role]) or "none")
        for role in PLACE_COLUMNS
    ]


@uploads.upload_view
def system_setup(request: HttpRequest, admin_site) -> HttpResponse:
    """The upload form, and on a POST the preview: every partner, person and role the files
    hold, who will be e-mailed, and every problem. Nothing is written."""
    _check_access(request)
    form = uploads.upload_form(request, SetupForm)
    context = _context(request, admin_site, form=form)
    if request.method != "POST" or not form.is_valid():
        return render(request, "admin/assessments/onboarding/setup.html", context)
    sheets: dict[str, Sheet] = {}
    for name in ("partners_file", "people_file"):
        upload = form.cleaned_data.get(name)
        if upload is None:
            continue
        try:
            sheets[name] = Sheet.from_dataset(uploads.spreadsheet_dataset(upload))
        except uploads.UploadRefused as refused:
            form.add_error(name, refused)
    if not form.is_valid():
        return render(request, "admin/assessments/onboarding/setup.html", context)
    onboarding = onboarding_import(
        partners=sheets.get("partners_file"),
        people=sheets.get("people_file"),
        imported_by=request.user,
        dry_run=True,
    )
    if onboarding.has_problems:
        uploads.pending_upload_delete(pk=request.session.pop(SESSION_KEY, None))
    else:
        payload = {name: sheet.as_payload() for name, sheet in sheets.items()}
        pending = uploads.pending_upload_create(owner=request.user, kind=KIND, payload=payload)
        request.session[SESSION_KEY] = str(pending.pk)
    context.update(
        onboarding=onboarding,
        filenames=[form.cleaned_data[name].name for name in sheets],
    )
    return render(request, "admin/assessments/onboarding/preview.html", context)


@require_POST
def system_setup_confirm(request: HttpRequest, admin_site) -> HttpResponse:
    """Import the previewed files again, for real: all of them or nothing."""
    _check_access(request)
    setup_page = reverse("admin:assessments_system_setup", current_app=admin_site.name)
    try:
        pending = uploads.pending_upload_get(
            pk=request.session.get(SESSION_KEY), owner=request.user, kind=KIND
        )
    except uploads.UploadRefused as expired:
        request.session.pop(SESSION_KEY, None)
        messages.error(request, expired.message)
        return redirect(setup_page)
    if pending is None:
        messages.error(request, NO_PREVIEW)
        return redirect(setup_page)
    # Used up before the import, so a second press of the button finds nothing to import.
    uploads.pending_upload_delete(pk=pending.pk)
    request.session.pop(SESSION_KEY, None)
    onboarding = onboarding_import(
        partners=Sheet.from_payload(pending.payload.get("partners_file")),
        people=Sheet.from_payload(pending.payload.get("people_file")),
        imported_by=request.user,
        dry_run=False,
    )
    if onboarding.has_problems:
        shown = onboarding.problems[:PROBLEMS_SHOWN]
        problems = "; ".join(str(problem) for problem in shown)
        if len(onboarding.problems) > len(shown):
            problems += f"; and {len(onboarding.problems) - len(shown)} more"
        messages.error(request, CHANGED_SINCE.format(problems=problems))
        return redirect(setup_page)
    people, emailed = len(onboarding.people), onboarding.people_emailed
    messages.success(
        request,
        DONE.format(
            partners=onboarding.partners_new,
            partners_s="" if onboarding.partners_new == 1 else "s",
            roles=onboarding.roles_given,
            roles_s="" if onboarding.roles_given == 1 else "s",
            people=people,
            people_word="person" if people == 1 else "people",
            emailed=emailed,
            emailed_word="person" if emailed == 1 else "people",
        ),
    )
    return redirect(reverse("admin:assessments_rolechange_changelist", current_app=admin_site.name))
