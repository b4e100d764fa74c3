"""How a plan page gets the action or issued return it is about, on the view's first line.

The same rules as `assessments.access` (whose `round_for` and `system_for` the plan's round and
system pages use): fetched through `visible_to`, 404 for outsiders, 403 without `perm`.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from assessments.access import refusal
from assessments.models import Round
from improvement_plans.models import Action, IssuedReturn


def action_for(request: HttpRequest, public_id, perm: str | None = None) -> Action:
    """An action of a system the person may see, with what its pages show; 404 if they may
    not see it, 403 if they do not hold `perm` on it."""
    try:
        action = (
            Action.objects.visible_to(request.user)
            .select_related(
                "system", "change__framework", "lead_partner", "owner", "target_level", "template"
            )
            .prefetch_related("contributing_partners", "investments", "rounds")
            .get(public_id=public_id)
        )
    except Action.DoesNotExist:
        raise Http404("No such action") from None
    if perm is not None and not request.user.has_perm(perm, action):
        raise PermissionDenied
    return action


def issued_return_for(
    request: HttpRequest, public_id, perm: str = "improvement_plans.view_plan"
) -> IssuedReturn:
    """An issued return with its round, system and framework, refused as its round is; 403
    without `perm` on its round (by default reading the plan)."""
    try:
        issued = (
            IssuedReturn.objects.visible_to(request.user)
            .select_related("round__system", "round__framework")
            .get(public_id=public_id)
        )
    except IssuedReturn.DoesNotExist:
        raise refusal(request, Round.objects.filter(issued_returns__public_id=public_id)) from None
    if not request.user.has_perm(perm, issued.round):
        raise PermissionDenied
    return issued
