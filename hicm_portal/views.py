from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page links; send them to our icon."""
    return HttpResponsePermanentRedirect(static("images/favicon.svg"))


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "accessibility.html")


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. No database work, so it is cheap to poll."""
    return JsonResponse({"status": "ok"})


@never_cache
def healthz_ready(request: HttpRequest) -> HttpResponse:
    """Readiness for load balancers: the database answers a query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def error_403(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def error_404(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # No context processors that touch the database: the fault may be the database.
    from django.template import loader

    return HttpResponse(loader.get_template("errors/500.html").render({}), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid CSRF token: usually a page left open too long, or opened in
    another browser. Said in plain words; the technical reason is not shown."""
    return render(request, "errors/403_csrf.html", status=403)
