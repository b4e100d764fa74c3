from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponseBase

from hicm_portal import revisions


class PortalCSPMiddleware(CSPMiddleware):
    """The site-wide strict policy, relaxed for style only inside the admin.

    Django's admin and django-import-export's preview pages use inline `style`
    attributes; relaxing style-src there (and only there) keeps every public page strict.
    """

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith("/admin/"):
            parts.update = {**(parts.update or {}), "style-src": [UNSAFE_INLINE]}
        return parts


class AdminWritesMiddleware:
    """Each write through the admin (forms, deletes, actions, imports) runs in one
    `revisions.atomic` block, so the revision counters it touches are raised last, just
    before its commit, as the services' are: no lock on a counter is held while other rows
    are written."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method in ("GET", "HEAD", "OPTIONS") or not request.path_info.startswith(
            "/admin/"
        ):
            return self.get_response(request)
        with revisions.atomic():
            return self.get_response(request)
