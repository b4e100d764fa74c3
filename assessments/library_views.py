"""The framework library's pages, for site administrators: the library (every framework, to
download as a spreadsheet or as YAML), the empty spreadsheet template, and uploading a
framework: upload → preview (the whole model as partners will see it, and every problem) →
confirm (all of it loaded, or nothing) → the library, with a message.

The upload is bounded as every upload is (`hicm_portal.uploads`); a clean file waits for the
confirmation as the person's PendingUpload (the file itself), and is read and checked again
when confirmed (`library_services`).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from assessments import library_selectors, library_services
from assessments.framework_spreadsheet import (
    YAML_CONTENT_TYPE,
    download_filename,
    template_bytes,
    workbook_bytes,
    yaml_text,
)
from assessments.library_forms import FrameworkUploadForm
from assessments.rules import is_site_administrator
from hicm_portal import uploads
from hicm_portal.spreadsheets import XLSX_CONTENT_TYPE

UPLOAD_KIND = "framework-library-upload"
SESSION_KEY = "framework-library-upload"
NO_PREVIEW = "There is no previewed framework file to load. Upload it again."
TEMPLATE_FILENAME = "framework-template.xlsx"


def _require_site_administrator(request: HttpRequest) -> None:
    """Site administrators only; anyone else signed in is refused (403)."""
    if not is_site_administrator(request.user):
        raise PermissionDenied


def _attachment(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def library(request: HttpRequest) -> HttpResponse:
    _require_site_administrator(request)
    return render(
        request,
        "assessments/library/index.html",
        {"frameworks": library_selectors.library_frameworks()},
    )


@login_required
def library_template(request: HttpRequest) -> HttpResponse:
    _require_site_administrator(request)
    return _attachment(template_bytes(), XLSX_CONTENT_TYPE, TEMPLATE_FILENAME)


@login_required
def library_download(request: HttpRequest, key: str, file_format: str) -> HttpResponse:
    """A loaded framework in the template (`xlsx`) or as the YAML the loader reads (`yaml`)."""
    _require_site_administrator(request)
    if file_format not in ("xlsx", "yaml"):
        raise Http404("No such file type")
    framework = library_selectors.library_framework(key)
    document = library_selectors.framework_document(framework)
    filename = download_filename(framework.key, framework.version, file_format)
    if file_format == "xlsx":
        return _attachment(workbook_bytes(document), XLSX_CONTENT_TYPE, filename)
    return _attachment(yaml_text(document), YAML_CONTENT_TYPE, filename)


def _upload_context(**more) -> dict:
    return {
        "max_size": uploads.size_text(settings.UPLOAD_MAX_BYTES),
        "max_rows": f"{settings.UPLOAD_MAX_ROWS:,}",
        **more,
    }


@login_required
@uploads.upload_view
def library_upload(request: HttpRequest) -> HttpResponse:
    """The upload form, and on a POST the preview. Nothing is written; a clean file is kept
    for the confirmation."""
    _require_site_administrator(request)
    form = uploads.upload_form(request, FrameworkUploadForm)
    context = _upload_context(form=form)
    if request.method != "POST" or not form.is_valid():
        return render(request, "assessments/library/upload.html", context)
    uploaded = form.cleaned_data["framework_file"]
    try:
        data = uploads.read_upload(uploaded)
        upload = library_services.framework_upload_read(data=data, filename=uploaded.name)
    except uploads.UploadRefused as refused:
        form.add_error("framework_file", refused)
        return render(request, "assessments/library/upload.html", context)
    uploads.pending_upload_delete(pk=request.session.pop(SESSION_KEY, None))
    if not upload.has_problems:
        pending = uploads.pending_upload_create(
            owner=request.user, kind=UPLOAD_KIND, payload={"filename": uploaded.name}, content=data
        )
        request.session[SESSION_KEY] = str(pending.pk)
    preview = None
    if isinstance(upload.document, dict):
        preview = library_selectors.upload_preview(upload.document, upload.existing)
    return render(
        request,
        "assessments/library/preview.html",
        _upload_context(upload=upload, preview=preview),
    )


@login_required
@require_POST
def library_upload_confirm(request: HttpRequest) -> HttpResponse:
    """Read the previewed file again and load it: all of it or none."""
    _require_site_administrator(request)
    try:
        pending = uploads.pending_upload_get(
            pk=request.session.get(SESSION_KEY), owner=request.user, kind=UPLOAD_KIND
        )
    except uploads.UploadRefused as expired:
        request.session.pop(SESSION_KEY, None)
        messages.error(request, expired.message)
        return redirect("library_upload")
    if pending is None:
        messages.error(request, NO_PREVIEW)
        return redirect("library_upload")
    try:
        result = library_services.framework_upload_load(
            actor=request.user,
            data=bytes(pending.content),
            filename=pending.payload.get("filename", ""),
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("library_upload")
    uploads.pending_upload_delete(pk=pending.pk)
    request.session.pop(SESSION_KEY, None)
    framework = result.framework
    verb = "added to the library" if result.outcome == "created" else "updated"
    messages.success(request, f"{framework.title} version {framework.version} is {verb}.")
    return redirect("library")
