from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponseBase


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
