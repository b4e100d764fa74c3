"""The shape of the national data: how many of everything, and how it is marked.

Everything the seeding makes is marked: system and region slugs start with `nat-`, and every
address is `...@national.example` (a reserved domain, so no e-mail reaches a person).
"""

from dataclasses import dataclass, field

from assessments.models import Partner, Round, System

PREFIX = "nat-"
DOMAIN = "national.example"
REFERENCE_SLUG = f"{PREFIX}reference-smallbrook"
REFERENCE_REGION = ("Reference region (national)", f"{PREFIX}reference")
BATCH = 1000

REGIONS = [
    "North East",
    "North West",
    "Yorkshire and the Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
]

# (short key used in addresses, name pattern, type). A national system has all 15; the
# reference system the first, fourth and last.
PARTNERS = [
    ("hospitals", "{place} Hospitals NHS Foundation Trust", Partner.Type.ACUTE_TRUST),
    ("community", "{place} Community Health NHS Trust", Partner.Type.COMMUNITY_TRUST),
    ("mentalhealth", "{place} Mental Health NHS Trust", Partner.Type.MENTAL_HEALTH_TRUST),
    ("county", "{place} County Council", Partner.Type.LOCAL_AUTHORITY),
    ("city", "{place} City Council", Partner.Type.LOCAL_AUTHORITY),
    ("icb", "{place} Integrated Care Board", Partner.Type.ICB),
    ("pcn-north", "{place} North Primary Care Network", Partner.Type.PRIMARY_CARE),
    ("pcn-south", "{place} South Primary Care Network", Partner.Type.PRIMARY_CARE),
    ("gpfed", "{place} GP Federation", Partner.Type.PRIMARY_CARE),
    ("carehomes", "{place} Care Association", Partner.Type.CARE_PROVIDER),
    ("homecare", "{place} Home Care Partnership", Partner.Type.CARE_PROVIDER),
    ("voluntary", "{place} Council for Voluntary Service", Partner.Type.VOLUNTARY_SECTOR),
    ("hospice", "{place} Hospice Care", Partner.Type.VOLUNTARY_SECTOR),
    ("housing", "{place} Homes", Partner.Type.HOUSING),
    ("healthwatch", "Healthwatch {place}", Partner.Type.LIVED_EXPERIENCE),
]
REFERENCE_PARTNERS = [PARTNERS[0], PARTNERS[3], PARTNERS[-1]]

# Agreed rounds: (name, framework key). The first 2020 round starts from the last 2017 one,
# so its context comes through the crosswalk.
AGREED_ROUNDS = [
    ("2017/18", "mtoc-2017"),
    ("2018/19", "mtoc-2017"),
    ("2019/20", "mtoc-2017"),
    ("2020/21", "mtoc-2020"),
    ("2021/22", "mtoc-2020"),
    ("2022/23", "mtoc-2020"),
    ("2023/24", "mtoc-2020"),
    ("2024/25", "mtoc-2020"),
]
REFERENCE_AGREED_ROUNDS = [AGREED_ROUNDS[2], AGREED_ROUNDS[3]]
# The rounds under way: one in each other state, on the 2020 edition.
LIFECYCLE_ROUNDS = [
    ("2025/26", Round.Status.APPROVAL),
    ("2026/27 Q1", Round.Status.REVIEW),
    ("2026/27 Q2", Round.Status.RATING),
    ("2026/27 Q3", Round.Status.DRAFT),
]
# Actions added to each agreed round's plan, oldest first: about 40 a system.
ACTIONS_PER_PLAN = [2, 3, 3, 4, 5, 6, 7, 10]
REFERENCE_ACTIONS_PER_PLAN = [2, 3]
STEERING_MEMBERS = 3
MEMBERS_PER_PARTNER = 2


@dataclass
class NationalResult:
    created: bool
    systems: int
    password: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def national_systems():
    return System.objects.filter(slug__startswith=PREFIX)


def national_present() -> bool:
    return national_systems().exists()


def address(local: str) -> str:
    return f"{local}@{DOMAIN}"
