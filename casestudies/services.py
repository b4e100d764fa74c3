"""State changes of the practice library: one function per user action, each in a transaction.

Both check permission, the links to changes and level, and every field (`full_clean`) before
anything is written, so an invalid case study saves nothing.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.text import slugify

from assessments.models import Change, Level, System
from casestudies.models import RESERVED_SLUGS, CaseStudy

SLUG_MAX_LENGTH = 100


@dataclass
class CaseStudyInput:
    """What a person types into the add or edit form."""

    title: str
    place: str
    summary: str
    what_they_did: str
    outcomes: str
    changes: list[Change]
    status: str
    organisations: str = ""
    level: Level | None = None
    figures: list[str] = field(default_factory=list)
    source_url: str = ""
    # The system it belongs to (None: the shared library). Set when it is added, then kept.
    system: System | None = None


def unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    """A web address made from the title: "red-bag-scheme", then "red-bag-scheme-2"…"""
    base = slugify(title)[: SLUG_MAX_LENGTH - 4].strip("-") or "case-study"
    taken = set(
        CaseStudy.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    ) | set(RESERVED_SLUGS)
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def _apply(case_study: CaseStudy, data: CaseStudyInput) -> CaseStudy:
    case_study.title = data.title.strip()
    case_study.place = data.place.strip()
    case_study.organisations = data.organisations.strip()
    case_study.summary = data.summary.strip()
    case_study.what_they_did = data.what_they_did.strip()
    case_study.outcomes = data.outcomes.strip()
    case_study.figures = [figure.strip() for figure in data.figures]
    case_study.source_url = data.source_url.strip()
    case_study.status = data.status
    case_study.level = data.level
    CaseStudy.check_links(data.changes, data.level)
    case_study.full_clean()
    case_study.save()
    case_study.changes.set(data.changes)
    return case_study


@transaction.atomic
def case_study_create(*, data: CaseStudyInput, created_by) -> CaseStudy:
    """A facilitator adds a case study of their system, or a site administrator one of any
    system or of the shared library."""
    case_study = CaseStudy(created_by=created_by, system=data.system)
    if not (
        created_by.has_perm("casestudies.add_case_study")
        and created_by.has_perm("casestudies.edit_case_study", case_study)
    ):
        raise PermissionDenied
    case_study.slug = unique_slug(data.title)
    return _apply(case_study, data)


@transaction.atomic
def case_study_update(*, case_study: CaseStudy, data: CaseStudyInput, updated_by) -> CaseStudy:
    """A facilitator of the system it belongs to, or a site administrator, corrects (or
    unpublishes) a case study. Its web address and its system stay the same, so links to it
    keep working and it stays where it belongs."""
    if not updated_by.has_perm("casestudies.edit_case_study", case_study):
        raise PermissionDenied
    case_study = CaseStudy.objects.select_for_update().get(pk=case_study.pk)
    return _apply(case_study, data)
