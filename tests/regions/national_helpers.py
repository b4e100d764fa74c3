"""Builders for the tests of national viewers, benchmarking and the access matrix (no tests of
their own).

- `national_viewer`: a person holding the national viewer role (set-up data, as the demo
  writes it; the role services are tested through their own calls).
- `peers`: systems of a region, each with its facilitator, and an agreed round recorded
  afterwards at the levels given.
"""

from datetime import date

from assessments.models import Framework, NationalViewer, Region, System, SystemRole
from tests.factories import SystemFactory, UserFactory
from tests.regions.document_helpers import record_round

AGREED_ON = date(2025, 9, 12)
# A round agrees a level for every change: the level of those a test does not name.
OTHERWISE = 2


def national_viewer(email: str = "national@test.example"):
    user = UserFactory(email=email, full_name="Nat National")
    NationalViewer.objects.get_or_create(user=user)
    return user


def agreed_round(system: System, framework: Framework, levels: dict, *, actor, **kwargs):
    """An agreed round of `system` (recorded afterwards, by a site administrator `actor`):
    `levels` change code -> level number; every other change at `OTHERWISE`."""
    codes = framework.changes.filter(archived=False).values_list("code", flat=True)
    return record_round(
        system,
        framework,
        actor=actor,
        name=kwargs.get("name", "2025/26"),
        agreed_on=kwargs.get("agreed_on", AGREED_ON),
        levels={code: levels.get(code, OTHERWISE) for code in codes},
    )


def peers(region: Region, framework: Framework, levels: dict, *, actor, named=()) -> dict:
    """`levels`: system name -> (change code -> level number). Each system is created in
    `region` with a facilitator and an agreed round at its levels; those in `named` chose to be
    named to their region. Returns the systems by name."""
    systems = {}
    for name, by_code in levels.items():
        system = SystemFactory(
            name=name, slug=name.lower(), region=region, named_in_region=name in named
        )
        facilitator = UserFactory(email=f"facilitator@{name.lower()}.example")
        SystemRole.objects.create(user=facilitator, system=system, role="facilitator")
        agreed_round(system, framework, by_code, actor=actor)
        systems[name] = system
    return systems
