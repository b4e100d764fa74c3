"""The first layer of every upload: the request's size, checked before and while its body is read.

`upload_view` refuses a body larger than `UPLOAD_MAX_BYTES` from its Content-Length before
anything reads it, and installs `UploadLimit`, an upload handler that stops the upload as soon
as the bytes streamed pass the cap (a chunked or lying request). `upload_form` binds the view's
form, or shows just the refusal; `read_upload` reads the file's bytes, never more than the cap.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.forms import FileField, Form
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from hicm_portal.uploads.refusals import FILE_EMPTY, FILE_MISSING, UploadRefused, too_big

# The multipart boundaries and the form's other fields around the file.
REQUEST_ALLOWANCE = 64 * 1024


class UploadLimit(FileUploadHandler):
    """Counts the bytes of every file in the request as they stream in, and stops the upload
    once they pass `max_bytes`: nothing past the cap is read. `refused` then holds the
    message. Installed first by `upload_view`, so the handlers after it never see more."""

    def __init__(self, request: HttpRequest | None = None, max_bytes: int | None = None):
        super().__init__(request)
        self.max_bytes = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
        self.received = 0
        self.refused = ""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.refused = too_big(self.max_bytes).message
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def upload_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For a view that takes a file: its size is checked before the body is read.

    A body larger than the cap by its Content-Length is not read at all; otherwise
    `UploadLimit` goes first among the request's upload handlers and the CSRF check follows
    (it reads the body, so the handler must be in place before it: Django's "Modifying upload
    handlers on the fly"). Bind the view's form with `upload_form`. When the body is refused
    unread there is no CSRF token to check, so the view must change nothing then: it shows
    the form with the message, which is all `upload_form` lets it do.
    """
    protected = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        limit = UploadLimit(request)
        request.upload_handlers.insert(0, limit)
        if (
            request.method == "POST"
            and _content_length(request) > limit.max_bytes + REQUEST_ALLOWANCE
        ):
            limit.refused = too_big(limit.max_bytes).message
            return view(request, *args, **kwargs)
        return protected(request, *args, **kwargs)

    return wrapper


def _limit_of(request: HttpRequest) -> UploadLimit:
    for handler in request.upload_handlers:
        if isinstance(handler, UploadLimit):
            return handler
    raise ImproperlyConfigured("A view that takes an upload must be decorated with upload_view")


def upload_refused(request: HttpRequest) -> str:
    """Why the request's upload was refused ("" when it was not): by its Content-Length, or
    (reading the body through the limit) by the bytes streamed."""
    limit = _limit_of(request)
    if not limit.refused and request.method == "POST":
        request.FILES  # noqa: B018 - reads the body, through the limit
    return limit.refused


FormT = TypeVar("FormT", bound=Form)


def upload_form(request: HttpRequest, form_class: type[FormT], **kwargs: Any) -> FormT:
    """The view's upload form: unbound on GET, bound to the request on POST, or, when the
    upload was refused for its size, showing just that (the body unread, or read no further
    than the cap)."""
    if request.method != "POST":
        return form_class(**kwargs)
    refused = _limit_of(request).refused
    if not refused:
        form = form_class(request.POST, request.FILES, **kwargs)
        refused = _limit_of(request).refused
        if not refused:
            return form
    form = form_class(data={}, files={}, **kwargs)
    form.full_clean()
    form.errors.clear()  # no "Select a file": the file was too big to take
    name = next(name for name, field in form.fields.items() if isinstance(field, FileField))
    form.add_error(name, UploadRefused(refused, code="too_big"))
    return form


def read_upload(uploaded_file) -> bytes:
    """The file's bytes, reading at most one byte past the cap."""
    if uploaded_file is None:
        raise UploadRefused(FILE_MISSING, code="required")
    max_bytes = settings.UPLOAD_MAX_BYTES
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > max_bytes:
        raise too_big()
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_big()
    if not data:
        raise UploadRefused(FILE_EMPTY, code="empty")
    return data
