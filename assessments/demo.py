"""The demo system "Northshire": fictional people and organisations for trying the portal.

Every demo address follows one pattern: `<name>@northshire.example` (see DEMO_PEOPLE);
`.example` is a reserved domain, so no e-mail can reach a real person.
"""

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from assessments.models import Member, Partner, Region, RegionalViewer, System, SystemRole

User = get_user_model()

DEMO_DOMAIN = "northshire.example"
REGION = ("North of England (demo)", "north-of-england-demo")
SYSTEM = ("Northshire", "northshire")

# (short name used in addresses, name, type)
PARTNERS = [
    ("hospitals", "Northshire Hospitals NHS Foundation Trust", Partner.Type.ACUTE_TRUST),
    ("community", "Northshire Community Health NHS Trust", Partner.Type.COMMUNITY_TRUST),
    (
        "mentalhealth",
        "Northshire and Dale Mental Health NHS Trust",
        Partner.Type.MENTAL_HEALTH_TRUST,
    ),
    ("council", "Northshire County Council", Partner.Type.LOCAL_AUTHORITY),
    ("icb", "Northshire Integrated Care Board", Partner.Type.ICB),
    ("carehomes", "Northshire Care Association", Partner.Type.CARE_PROVIDER),
    ("housing", "Northshire Homes", Partner.Type.HOUSING),
    ("healthwatch", "Healthwatch Northshire", Partner.Type.LIVED_EXPERIENCE),
]

FIRST_NAMES = [
    "Alex",
    "Sam",
    "Priya",
    "Tom",
    "Grace",
    "Imran",
    "Nia",
    "Owen",
    "Ruth",
    "Kofi",
    "Hannah",
    "Dev",
    "Megan",
    "Luca",
    "Zara",
    "Ben",
]
LAST_NAMES = [
    "Armstrong",
    "Bell",
    "Chowdhury",
    "Dixon",
    "Evans",
    "Fraser",
    "Gill",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lowe",
    "Mensah",
    "Nolan",
    "Okafor",
    "Patel",
]


def demo_address(name: str) -> str:
    return f"{name}@{DEMO_DOMAIN}"


@dataclass
class DemoResult:
    created: bool
    password: str | None
    accounts: list[tuple[str, str]]  # (address, what they are)


def _person(address: str, full_name: str, password: str | None, **extra):
    user, created = User.objects.get_or_create(
        email=address, defaults={"full_name": full_name, **extra}
    )
    if created or password is not None:
        user.set_password(password)
        user.save()
    return user


@transaction.atomic
def seed_demo(*, password: str | None) -> DemoResult:
    """Create (or complete) the demo system. With `password` every demo person gets it; without,
    people created now get one new random password, and existing ones keep theirs."""
    exists = User.objects.filter(email=demo_address("facilitator")).exists()
    if password is None and not exists:
        password = secrets.token_urlsafe(9)
    region, _ = Region.objects.get_or_create(slug=REGION[1], defaults={"name": REGION[0]})
    system, _ = System.objects.get_or_create(
        slug=SYSTEM[1], defaults={"name": SYSTEM[0], "region": region}
    )
    accounts: list[tuple[str, str]] = []

    admin = _person(demo_address("admin"), "Ada Admin", password, is_staff=True, is_superuser=True)
    accounts.append((admin.email, "site administrator"))
    facilitator = _person(demo_address("facilitator"), "Fran Facilitator", password)
    SystemRole.objects.get_or_create(
        user=facilitator, system=system, role=SystemRole.Role.FACILITATOR
    )
    accounts.append((facilitator.email, "facilitator"))
    for number in range(1, 4):
        steering = _person(demo_address(f"steering{number}"), f"Steering Member {number}", password)
        SystemRole.objects.get_or_create(
            user=steering, system=system, role=SystemRole.Role.STEERING
        )
        accounts.append((steering.email, "steering committee member"))
    viewer = _person(demo_address("regional-viewer"), "Robin Regional", password)
    RegionalViewer.objects.get_or_create(user=viewer, region=region)
    accounts.append((viewer.email, f"regional viewer of {region}"))

    name_index = 0
    for short, name, partner_type in PARTNERS:
        partner, _ = Partner.objects.get_or_create(
            system=system, name=name, defaults={"partner_type": partner_type}
        )
        for number in (1, 2):
            full_name = f"{FIRST_NAMES[name_index % 16]} {LAST_NAMES[name_index % 16]}"
            name_index += 1
            person = _person(demo_address(f"{short}-{number}"), full_name, password)
            Member.objects.get_or_create(user=person, partner=partner)
            accounts.append((person.email, f"member of {name}"))
    return DemoResult(created=not exists, password=password, accounts=accounts)
