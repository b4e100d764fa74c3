"""How a page gets the system, round or return it is about: one helper, on the view's first line.

Each fetches through a `visible_to` queryset, so who may see the thing is part of the query,
never a comparison afterwards. Outsiders get 404 and learn nothing; people who may see it but
not do what the page does (`perm`, a permission in `rules.py`) get 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from assessments.models import PartnerReturn, Round, System


def system_for(request: HttpRequest, slug: str, perm: str | None = None) -> System:
    """The system with this slug, with its region, if the person may see it; 404 if not, and
    403 if they may see it but do not hold `perm` on it."""
    try:
        system = System.objects.visible_to(request.user).select_related("region").get(slug=slug)
    except System.DoesNotExist:
        raise Http404("No such system") from None
    _require(request, perm, system)
    return system


def round_for(request: HttpRequest, public_id, perm: str | None = None) -> Round:
    """The round with this id, with its system and framework, in one query, if the person may
    see it; 403 if they do not hold `perm` on it. A round they may not see is refused as
    `refusal` says."""
    try:
        round_ = (
            Round.objects.visible_to(request.user)
            .select_related("system", "framework")
            .get(public_id=public_id)
        )
    except Round.DoesNotExist:
        raise refusal(request, Round.objects.filter(public_id=public_id)) from None
    _require(request, perm, round_)
    return round_


def return_for(
    request: HttpRequest, public_id, partner_id, perm: str = "assessments.view_return"
) -> PartnerReturn:
    """A partner's return in a round, with its round, system, framework and partner in one
    query. Refused as its round is; 404 when the partner is not taking part; 403 without
    `perm` on the return, by default reading it, which only its partner's members may."""
    try:
        partner_return = (
            PartnerReturn.objects.visible_to(request.user)
            .select_related("round__system", "round__framework", "partner")
            .get(round__public_id=public_id, partner__public_id=partner_id)
        )
    except PartnerReturn.DoesNotExist:
        round_for(request, public_id)  # 404 or 403 as for the round itself
        raise Http404("That partner is not taking part in this round") from None
    _require(request, perm, partner_return)
    return partner_return


def refusal(request: HttpRequest, rounds: QuerySet[Round]) -> Exception:
    """Why a person gets nothing of a round they may not see (one of `rounds`, or none): 403
    for an open round of a system they see (a regional viewer's before it is agreed); 404 for
    anything else, so that outsiders cannot learn it exists and a draft stays its
    facilitators' own."""
    open_in_sight = rounds.filter(system__in=System.objects.visible_to(request.user)).exclude(
        status=Round.Status.DRAFT
    )
    if open_in_sight.exists():
        return PermissionDenied()
    return Http404("No such round")


def _require(request: HttpRequest, perm: str | None, obj) -> None:
    if perm is not None and not request.user.has_perm(perm, obj):
        raise PermissionDenied
