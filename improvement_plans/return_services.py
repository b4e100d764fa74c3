"""Writing and issuing BCF returns."""

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from assessments.models import Round
from assessments.round_services import audit
from improvement_plans import reports
from improvement_plans.models import IssuedReturn, ReturnNarrative

NOT_AGREED = "A return can be written only for an agreed round."


@transaction.atomic
def narrative_save(*, round_: Round, saved_by, **texts: str) -> ReturnNarrative:
    """Save the facilitator's draft narrative under the three BCF prompts."""
    if not saved_by.has_perm("improvement_plans.manage_plan", round_):
        raise PermissionDenied
    narrative, _ = ReturnNarrative.objects.get_or_create(round=round_)
    for key, _label in reports.NARRATIVE_PROMPTS:
        setattr(narrative, key, texts.get(key, "").strip())
    narrative.updated_by = saved_by
    narrative.updated_at = timezone.now()
    narrative.save()
    return narrative


@transaction.atomic
def return_issue(*, round_: Round, issued_by) -> IssuedReturn:
    """Freeze the return as it stands: its data, HTML, PDF and XLSX, with a checksum.

    Each issue is a new version; earlier versions stay as they were issued.
    """
    if not issued_by.has_perm("improvement_plans.manage_plan", round_):
        raise PermissionDenied
    locked = Round.objects.select_for_update().get(pk=round_.pk)
    if locked.status != Round.Status.AGREED:
        raise ValidationError(NOT_AGREED)
    version = (IssuedReturn.objects.filter(round=locked).aggregate(v=Max("version"))["v"] or 0) + 1
    data = reports.return_data(locked)
    html, pdf, xlsx = reports.render_return(data, version=version)
    data_json = json.dumps(data, sort_keys=True)
    issued = IssuedReturn.objects.create(
        round=locked,
        version=version,
        data=data,
        html=html,
        pdf=pdf,
        xlsx=xlsx,
        checksum=reports.checksum(data_json, pdf, xlsx),
        issued_by=issued_by,
    )
    audit(locked, issued_by, f"Issued BCF return version {version}", issued.checksum[:16])
    return issued


def latest_issued(round_: Round) -> IssuedReturn | None:
    return IssuedReturn.objects.filter(round=round_).order_by("-version").first()
