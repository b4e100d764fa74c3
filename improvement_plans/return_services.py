"""Writing and issuing BCF returns."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessments.models import Round
from assessments.round_services import audit
from hicm_portal.notify import notify, portal_link
from improvement_plans import documents, reports, return_selectors
from improvement_plans.models import IssuedReturn, ReturnNarrative

NOT_AGREED = "A return can be written only for an agreed round."


@transaction.atomic
def narrative_save(
    *, round_: Round, saved_by, title: str = "", show_level_numbers: bool = False, **texts: str
) -> ReturnNarrative:
    """Save the facilitator's draft return: its title (empty for "Appendix C – " and the
    framework's name), whether the levels table writes level numbers, and the narrative under
    the three BCF prompts (Markdown, kept as written)."""
    if not saved_by.has_perm("improvement_plans.manage_plan", round_):
        raise PermissionDenied
    narrative, _ = ReturnNarrative.objects.get_or_create(round=round_)
    narrative.title = title.strip()
    narrative.show_level_numbers = show_level_numbers
    for key, _label in reports.NARRATIVE_PROMPTS:
        setattr(narrative, key, texts.get(key, "").strip())
    narrative.updated_by = saved_by
    narrative.updated_at = timezone.now()
    narrative.full_clean(exclude=["round", "updated_by"])
    narrative.save()
    return narrative


@transaction.atomic
def return_issue(*, round_: Round, issued_by) -> IssuedReturn:
    """Freeze the return as it stands: its data now; its PDF, XLSX and DOCX are built from
    that data by the task worker, which records their checksum (`improvement_plans.documents`).

    Each issue is a new version; earlier versions stay as they were issued. Nothing is rendered
    here, under the round's lock: the files are queued in this transaction, for the worker to
    build once it commits (the immediate backend of development and tests builds them at once).
    """
    if not issued_by.has_perm("improvement_plans.manage_plan", round_):
        raise PermissionDenied
    locked = Round.objects.select_for_update().get(pk=round_.pk)
    if locked.status != Round.Status.AGREED:
        raise ValidationError(NOT_AGREED)
    version = return_selectors.next_version(locked)
    issued = IssuedReturn.objects.create(
        round=locked,
        version=version,
        data=reports.return_data(locked),
        html="",
        pdf=b"",
        xlsx=b"",
        checksum="",
        issued_by=issued_by,
    )
    data_key = documents.issued_data_key(issued)
    audit(locked, issued_by, f"Issued BCF return version {version}", f"data {data_key[:16]}")
    documents.issued_return_documents(issued=issued, requested_by=issued_by)
    _tell_return_issued(locked, issued, issued_by)
    return IssuedReturn.objects.get(pk=issued.pk)


def _tell_return_issued(round_: Round, issued: IssuedReturn, issued_by) -> None:
    """The steering committee, the members of the system's partners and the region's viewers."""
    system = round_.system
    people = {
        email
        for holders in return_selectors.issue_audience(system).values()
        for email in holders.values_list("user__email", flat=True)
    }
    people.discard(issued_by.email)
    notify(
        to=sorted(people),
        subject=f"Version {issued.version} of the {system} BCF return for {round_.name} is issued",
        template="return_issued",
        context={
            "round": round_,
            "issued": issued,
            "issued_by": issued_by,
            "link": portal_link(reverse("return_page", args=[round_.public_id])),
        },
    )


def latest_issued(round_: Round) -> IssuedReturn | None:
    return IssuedReturn.objects.filter(round=round_).order_by("-version").first()
