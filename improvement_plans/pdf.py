"""PDF rendering with WeasyPrint that can fetch nothing but our own static files.

User text ends up in these documents. Escaping keeps it text, and this fetcher makes sure that
even markup that slipped through could not make the server fetch a web address or read a
local file: every URL that is not one of our static files is refused.
"""

import mimetypes

from django.contrib.staticfiles import finders
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_PREFIX = "static:/"


class StaticOnlyFetcher(URLFetcher):
    """Serves `static:/path` from the project's static files; refuses everything else."""

    def fetch(self, url, headers=None):
        if not url.startswith(STATIC_PREFIX):
            raise ValueError(f"refused to fetch {url!r}: only the portal's static files")
        relative = url[len(STATIC_PREFIX) :].split("?")[0].lstrip("/")
        if ".." in relative.split("/"):
            raise ValueError(f"refused to fetch {url!r}")
        path = finders.find(relative)
        if not path:
            raise ValueError(f"no static file {relative!r}")
        with open(path, "rb") as handle:
            body = handle.read()
        mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})


def html_to_pdf(html: str) -> bytes:
    """Render HTML (from templates/pdf/) to a tagged PDF."""
    document = HTML(string=html, base_url=STATIC_PREFIX, url_fetcher=StaticOnlyFetcher())
    return document.write_pdf(pdf_tags=True)
