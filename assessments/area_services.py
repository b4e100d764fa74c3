"""Systems made from the reference list of Health and Wellbeing Board areas (`assessments.areas`).

A system created here is named as its area, carries the area's ONS code and sits in the portal
region named as the area's NHS England region (created when missing). Like a system or region
added in the admin, the creation is kept in the object's history (django-simple-history) with
who made it; the admin's import of past returns (`import_returns --create-systems`) calls it.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify

from assessments.areas import hwb_area, normalise_code
from assessments.models import Region, System
from assessments.models.people import AREA_CODE_TAKEN, AREA_CODE_UNKNOWN

SYSTEM_CREATE_REFUSED = "Only a site administrator who may add systems can create them"
SYSTEM_NAME_TAKEN = (
    "A system called {name} already exists without the area code {code}: give it the code in "
    "the admin (Systems) instead of creating another"
)


def _record_creation(instance, *, actor, reason: str) -> None:
    """Name who created `instance`, and why, in the history row its save writes
    (django-simple-history's documented way to record a user outside a request)."""
    instance._history_user = actor
    instance._change_reason = reason


@transaction.atomic
def system_create_for_area(*, actor, area_code: str) -> System:
    """Create the system of the Health and Wellbeing Board area `area_code` (an ONS code, any
    case), as `actor`: named as the area, its slug from the name, in the region named as the
    area's NHS England region (created, its slug from its name, if the portal has none).

    `actor` is a person who may add systems in the admin, or None when the portal's operator
    runs a management command. Raises ValidationError (nothing written) if the code is not in
    the reference list, a system already has it, or a system already has the area's name."""
    if actor is not None and not actor.has_perm("assessments.add_system"):
        raise PermissionDenied(SYSTEM_CREATE_REFUSED)
    code = normalise_code(area_code)
    area = hwb_area(code)
    if area is None:
        raise ValidationError({"area_code": AREA_CODE_UNKNOWN.format(code=code or "(empty)")})
    holder = System.objects.filter(area_code=area.code).first()
    if holder is not None:
        raise ValidationError(
            {"area_code": AREA_CODE_TAKEN.format(code=area.code, system=holder.name)}
        )
    if System.objects.filter(name=area.name).exists():
        raise ValidationError({"name": SYSTEM_NAME_TAKEN.format(name=area.name, code=area.code)})

    reason = f"Created from the reference list of Health and Wellbeing Board areas ({area.code})"
    region = Region.objects.filter(name=area.region_name).first()
    if region is None:
        region = Region(name=area.region_name, slug=slugify(area.region_name))
        region.full_clean()
        _record_creation(region, actor=actor, reason=reason)
        region.save()
    system = System(region=region, name=area.name, slug=slugify(area.name), area_code=area.code)
    system.full_clean()
    _record_creation(system, actor=actor, reason=reason)
    system.save()
    return system
