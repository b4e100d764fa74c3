from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import never_cache

from assessments.models import System
from assessments.rules import roles_of
from assessments.selectors import home_cards
from hicm_portal import fragments


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page links; send them to our icon."""
    return HttpResponsePermanentRedirect(static("images/favicon.svg"))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    roles = roles_of(user)
    # The revisions of every system on the page, read before the data under them. The systems
    # are those of the person's cached roles (the rule of can_view_system), which costs less
    # than System.objects.visible_to's subqueries on every request.
    systems = System.objects.filter(
        Q(pk__in={*roles.facilitator_of, *roles.steering_of, *roles.partner_ids_by_system})
        | Q(region__in=roles.viewer_of_regions)
    )
    revisions = tuple(systems.order_by("pk").values_list("pk", "revision"))

    def build() -> dict:
        cards, valid_until = home_cards(user)
        html = fragments.render("_home_cards.html", {"cards": cards}) if cards else ""
        return {"cards_html": html, "valid_until": valid_until}

    def fresh(value: dict) -> bool:
        return value["valid_until"] is None or timezone.now() < value["valid_until"]

    parts = (user.pk, user.roles_revision, revisions)
    page = fragments.cached("home", parts, build, fresh=fresh)
    return render(request, "home.html", {"cards_html": page["cards_html"]})


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
