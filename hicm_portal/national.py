"""National-scale data: every system in England at the design size, for `make bench`.

The portal is designed for one instance serving about 150 systems in 9 regions, each with 15
partners, eight agreed rounds across the 2017 and 2020 editions of the model (joined by the
crosswalk), rounds in every other state, and an improvement plan of about 40 actions. This
module builds that data with bulk inserts, deterministically from a seed, so a benchmark always
measures the same thing.

Everything it makes is marked: system and region slugs start with `nat-`, and every address is
`...@national.example` (a reserved domain, so no e-mail reaches a person). Beside the national
systems it makes one small reference system (3 partners, 2 agreed rounds, 5 actions), so the
bench can show that a page's query count does not grow with partners, rounds or systems.

Bulk inserts skip `save()`, so no history rows are written for these objects; nothing in the
pages measured depends on them.
"""

import random
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from assessments.models import (
    AuditEvent,
    Change,
    Comment,
    Consensus,
    Decision,
    Dissent,
    Framework,
    Level,
    Member,
    Partner,
    PartnerReturn,
    Rating,
    Region,
    RegionalViewer,
    Round,
    System,
    SystemRole,
)
from improvement_plans.models import Action, Investment, ProgressUpdate, Rag

User = get_user_model()

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

PLACE_STARTS = [
    "Ash", "Bram", "Brook", "Cald", "Dun", "East", "Fair", "Glen", "Green", "Hart", "High",
    "King", "Lang", "Mill", "North", "Oak", "Red", "Rother", "Stan", "Thorn", "West", "Whit",
    "Wood", "Yarn",
]  # fmt: skip
PLACE_ENDS = [
    "borough", "bury", "dale", "field", "ford", "ham", "ley", "minster", "mouth", "shire",
    "stead", "ton", "wick", "worth",
]  # fmt: skip
FIRST_NAMES = [
    "Aisha", "Alex", "Amir", "Ben", "Bethan", "Chen", "Chloe", "Dan", "Dev", "Eilidh", "Femi",
    "Grace", "Hannah", "Imran", "Isla", "Jack", "Jo", "Kofi", "Leah", "Luca", "Maya", "Megan",
    "Nia", "Noah", "Omar", "Owen", "Priya", "Ravi", "Rosa", "Ruth", "Sam", "Sana", "Tom",
    "Yusuf", "Zara", "Zoe",
]  # fmt: skip
LAST_NAMES = [
    "Adeyemi", "Armstrong", "Bell", "Brennan", "Chowdhury", "Clarke", "Dixon", "Evans",
    "Fraser", "Gill", "Hughes", "Iqbal", "Jones", "Kaur", "Khan", "Lowe", "Mensah", "Murphy",
    "Nolan", "Nowak", "Okafor", "Patel", "Quinn", "Rahman", "Reid", "Shah", "Taylor", "Walsh",
    "Williams", "Wright", "Young",
]  # fmt: skip

# Sentences a partner might write to justify each level; a rationale takes three to six.
LEVEL_SENTENCES = {
    1: [
        "Practice depends on individual wards and teams, and there is no agreed process yet.",
        "We see people waiting for decisions that could have been planned much earlier.",
        "Staff told us they were not aware of a shared approach across partners.",
        "Information is passed on by phone and e-mail, and it is often incomplete.",
        "Our audit found the approach in use on only a few of the wards we looked at.",
        "There is goodwill between partners, but nobody owns this across the system.",
    ],
    2: [
        "A plan is agreed across partners and pilots have started on two sites.",
        "Practice still differs between sites and we cannot yet show it working at weekends.",
        "The steering group has signed off the approach and named a lead for it.",
        "Early data from the pilot wards is encouraging but the numbers are small.",
        "Training has been designed and the first staff have been through it.",
        "We have funding for the next stage but recruitment is still under way.",
    ],
    3: [
        "The process is written down and used routinely across our services.",
        "It is reviewed monthly at the discharge group and the actions are followed up.",
        "Staff know the process and our audits show it is followed most of the time.",
        "The shared dashboard is used in the daily huddles by every partner.",
        "Weekend practice still lags behind weekdays, which we are working on.",
        "People and families tell us they know what is happening and when.",
    ],
    4: [
        "The process has held through winter pressure and through changes of staff.",
        "Audits over two years show fewer delays, and people tell us they get home sooner.",
        "Partners use the same measures and review them together every week.",
        "We have shared our approach with neighbouring systems, who have adopted parts of it.",
        "Delays attributable to this change have fallen by a third since the baseline.",
        "The approach is written into contracts and the job descriptions of key roles.",
    ],
    5: [
        "This is simply how we work across the system, every day of the week.",
        "Outcomes for people are measurably better and the gains have been sustained.",
        "We keep improving it with the people who use our services and their carers.",
        "Other systems visit us to learn from the approach and we host a regional network.",
        "Independent evaluation confirmed the impact on length of stay and readmissions.",
        "People who use services sit on the group that oversees it and shape its priorities.",
    ],
}
CONTEXT_SENTENCES = [
    "This view was agreed at our partnership meeting after discussion with front-line staff.",
    "Our rating takes account of the feedback from the last workshop.",
    "We have been cautious because the evidence from the community side is still patchy.",
    "The picture is different between the two acute sites, so we rated the weaker one.",
    "Our own data team checked the figures quoted here.",
    "Colleagues in social care would describe this in much the same way.",
]
CHALLENGES = [
    "Weekend and bank holiday cover across partners.",
    "Recruitment to the community and reablement teams.",
    "Shared records are not yet available to every partner.",
    "Care home capacity in the rural north of the area.",
    "Funding for the pilot ends in March and its future is not settled.",
]
MILESTONES = [
    "Weekly flow meetings established across partners.",
    "Discharge hub open seven days a week since the autumn.",
    "Trusted assessor in post at both acute sites.",
    "Shared dashboard in use at every daily huddle.",
    "Delays over 7 days down by a quarter on last year.",
]
SUPPORT_NEEDS = [
    "Analyst time for shared dashboards.",
    "Peer support from a system that has reached Mature.",
    "Help with the business case for the next financial year.",
    "Training for care home staff on the new assessment.",
    "",
]
COMMENTS = [
    "Our view differs because the community teams see the weekend gap every week.",
    "I think we are being generous here: the audit only covered weekdays.",
    "Agree with the split. The acute view and the council view are both right for their part.",
    "Can we see the figures from the last quarter before we settle on a level?",
    "The voluntary sector partners were not part of the pilot, which explains our rating.",
]
UPDATE_NOTES = [
    "Kick-off meeting held; owners agreed across partners.",
    "Draft process circulated to partners for comment.",
    "Pilot started on two wards; first results due next month.",
    "Recruitment to the new posts is under way.",
    "Progress reviewed at the steering group; on track.",
    "Delayed by winter pressures; new dates agreed.",
    "Training sessions delivered to the first cohort of staff.",
    "Data shows early improvement; extending to all sites.",
]
DONE_NOTES = [
    "Completed: in use on every ward and audited.",
    "Completed and handed over to business as usual.",
]
BLOCKED_NOTES = [
    "Blocked: waiting for the recruitment freeze to lift.",
    "Blocked: the shared record system is delayed by the supplier.",
]
CANCELLED_NOTES = ["Replaced by the regional capacity tracker.", "Superseded by a wider scheme."]
# Action titles by change code (the 2017 and 2020 editions share numbers 1-8).
ACTION_TITLES = {
    "1": ["Expected date of discharge set within 24 hours on every ward",
          "Discharge planning training for ward staff", "Pre-admission planning for elective care"],
    "2": ["Shared demand and capacity dashboard", "Daily system flow call",
          "Capacity forecasting for winter and summer peaks"],
    "3": ["Daily multi-agency huddle at both acute sites", "Joint discharge team co-located",
          "Voluntary sector worker in the discharge hub"],
    "4": ["Home first pathway for people with new care needs", "Discharge to assess beds reviewed",
          "Reablement capacity increased"],
    "5": ["Seven-day social work cover", "Weekend therapy and pharmacy cover",
          "Evening discharges supported by transport"],
    "6": ["Trusted assessor for care home placements", "Single assessment form agreed",
          "Trusted assessment extended to home care"],
    "7": ["Choice leaflet co-produced with Healthwatch", "Conversation guide for ward staff",
          "Carers involved from admission"],
    "8": ["Care home bed tracker in every home", "Enhanced health in care homes",
          "Care home liaison nurses"],
    "9": ["Housing officer in the discharge hub", "Fast-track home adaptations",
          "Assistive technology at discharge"],
}  # fmt: skip
SCHEMES = [
    ("Multi-disciplinary discharge teams", Investment.Source.BCF),
    ("Trusted assessors for care homes", Investment.Source.IBCF),
    ("Choice and information", Investment.Source.BCF),
    ("Home adaptations for discharge", Investment.Source.DFG),
    ("Winter discharge capacity", Investment.Source.DISCHARGE),
    ("Reablement at home", Investment.Source.BCF),
    ("Seven-day working", Investment.Source.IBCF),
    ("Voluntary sector home from hospital", Investment.Source.OTHER),
]


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


def _place_names(rng: random.Random, count: int) -> list[str]:
    names = [start + end for start in PLACE_STARTS for end in PLACE_ENDS]
    rng.shuffle(names)
    if count > len(names):
        names += [f"{names[i % len(names)]} {i // len(names) + 1}" for i in range(count)]
    return names[:count]


class _Context:
    """What every system's seeding shares: the seed, the frameworks, the password hash."""

    def __init__(self, seed: int, password_hash: str):
        self.rng = random.Random(seed)
        self.password_hash = password_hash
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.frameworks = {
            key: Framework.objects.get(key=key) for key in ("mtoc-2017", "mtoc-2020")
        }
        self.levels = {
            key: {level.number: level for level in Level.objects.filter(framework=fw)}
            for key, fw in self.frameworks.items()
        }
        self.changes = {
            key: list(Change.objects.filter(framework=fw, archived=False).order_by("position"))
            for key, fw in self.frameworks.items()
        }
        self.counts: dict[str, int] = {}

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def at(self, day: date, hour: int = 10) -> datetime:
        return timezone.make_aware(datetime(day.year, day.month, day.day, hour))

    def rationale(self, level: int) -> str:
        rng = self.rng
        own = rng.sample(LEVEL_SENTENCES[level], rng.randint(2, 4))
        context = rng.sample(CONTEXT_SENTENCES, rng.randint(1, 2))
        return " ".join(own + context)

    def bulk(self, model, objects: list) -> list:
        if objects:
            model.objects.bulk_create(objects, batch_size=BATCH)
            name = model._meta.label
            self.counts[name] = self.counts.get(name, 0) + len(objects)
        return objects


def seed_national(
    *,
    systems: int = 150,
    seed: int = 1,
    password: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> NationalResult:
    """Create the national data set unless it is present. Deterministic for a given seed and
    day. Every national person gets `password` (a random one, returned, when not given)."""
    if national_present():
        return NationalResult(created=False, systems=national_systems().count())
    if Framework.objects.filter(key__in=["mtoc-2017", "mtoc-2020"]).count() != 2:
        call_command("load_frameworks", verbosity=0)
    started = time.monotonic()
    password = password or secrets.token_urlsafe(12)
    # One hash for everyone: hashing 5,000 passwords one by one would take minutes.
    password_hash = make_password(password)
    with transaction.atomic():
        context = _Context(seed, password_hash)
        places = _place_names(context.rng, systems)
        regions = context.bulk(
            Region,
            [Region(name=f"{name} (national)", slug=f"{PREFIX}{_slug(name)}") for name in REGIONS],
        )
        viewers = context.bulk(
            User,
            [_user(context, f"viewer-{region.slug[len(PREFIX) :]}") for region in regions],
        )
        context.bulk(
            RegionalViewer,
            [
                RegionalViewer(user=viewer, region=region, created_at=context.now)
                for viewer, region in zip(viewers, regions, strict=True)
            ],
        )
        for index, place in enumerate(places, start=1):
            system = System(
                region=regions[(index - 1) % len(regions)],
                name=f"{place} (national)",
                slug=f"{PREFIX}{index:03d}-{_slug(place)}",
                created_at=context.now,
            )
            _seed_system(
                context,
                system,
                code=f"s{index:03d}",
                place=place,
                partners=PARTNERS,
                agreed_rounds=AGREED_ROUNDS,
                actions_per_plan=ACTIONS_PER_PLAN,
            )
            if progress and (index % 25 == 0 or index == systems):
                progress(f"{index} of {systems} systems ({time.monotonic() - started:.0f} s)")
        reference_region = context.bulk(
            Region, [Region(name=REFERENCE_REGION[0], slug=REFERENCE_REGION[1])]
        )[0]
        reference_viewer = context.bulk(User, [_user(context, "viewer-reference")])[0]
        context.bulk(
            RegionalViewer,
            [
                RegionalViewer(
                    user=reference_viewer, region=reference_region, created_at=context.now
                )
            ],
        )
        _seed_system(
            context,
            System(
                region=reference_region,
                name="Smallbrook (national reference)",
                slug=REFERENCE_SLUG,
                created_at=context.now,
            ),
            code="ref",
            place="Smallbrook",
            partners=REFERENCE_PARTNERS,
            agreed_rounds=REFERENCE_AGREED_ROUNDS,
            actions_per_plan=REFERENCE_ACTIONS_PER_PLAN,
        )
    if connection.vendor == "postgresql":
        # Fresh planner statistics, as autovacuum would give a live database: without them
        # PostgreSQL plans the first queries on the new rows as if the tables were empty.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return NationalResult(
        created=True,
        systems=systems,
        password=password,
        counts=context.counts,
        seconds=time.monotonic() - started,
    )


def _slug(text: str) -> str:
    return "-".join(text.lower().replace(",", "").split())


def _user(context: _Context, local: str) -> "User":
    rng = context.rng
    return User(
        email=address(local),
        full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        password=context.password_hash,
        date_joined=context.now,
    )


def _seed_system(
    context: _Context,
    system: System,
    *,
    code: str,
    place: str,
    partners: list,
    agreed_rounds: list,
    actions_per_plan: list[int],
) -> None:
    """One system: its people, rounds in every state, ratings, consensus and plan."""
    rng = context.rng
    context.bulk(System, [system])
    partner_objects = context.bulk(
        Partner,
        [
            Partner(
                public_id=context.uuid(),
                system=system,
                name=pattern.format(place=place),
                partner_type=partner_type,
            )
            for _, pattern, partner_type in partners
        ],
    )
    facilitator = _user(context, f"{code}-facilitator")
    steering = [_user(context, f"{code}-steering-{n}") for n in range(1, STEERING_MEMBERS + 1)]
    members_by_partner = {
        partner.pk: [
            _user(context, f"{code}-{short}-{n}") for n in range(1, MEMBERS_PER_PARTNER + 1)
        ]
        for partner, (short, _, _) in zip(partner_objects, partners, strict=True)
    }
    context.bulk(
        User,
        [facilitator, *steering, *(u for users in members_by_partner.values() for u in users)],
    )
    context.bulk(
        SystemRole,
        [
            SystemRole(
                user=facilitator,
                system=system,
                role=SystemRole.Role.FACILITATOR,
                created_at=context.now,
            ),
            *(
                SystemRole(
                    user=user, system=system, role=SystemRole.Role.STEERING, created_at=context.now
                )
                for user in steering
            ),
        ],
    )
    context.bulk(
        Member,
        [
            Member(user=user, partner_id=partner_id, created_at=context.now)
            for partner_id, users in members_by_partner.items()
            for user in users
        ],
    )
    people = _People(facilitator, steering, members_by_partner)

    # How mature this system is, and how each partner sees itself relative to the others.
    base = rng.uniform(1.0, 2.6)
    partner_bias = {p.pk: rng.uniform(-0.8, 0.8) for p in partner_objects}
    quorum = STEERING_MEMBERS // 2 + 1

    rounds: list[Round] = []
    for order, (name, key) in enumerate(agreed_rounds):
        start_year = int(name[:4])
        closes = date(start_year + 1, 2, 15)
        agreed_at = context.at(closes + timedelta(days=40))
        rounds.append(
            Round(
                public_id=context.uuid(),
                system=system,
                name=name,
                framework=context.frameworks[key],
                status=Round.Status.AGREED,
                opens_on=closes - timedelta(days=28),
                closes_on=closes,
                quorum=quorum,
                created_by=facilitator,
                created_at=agreed_at - timedelta(days=75),
                opened_at=agreed_at - timedelta(days=70),
                opened_by=facilitator,
                revealed_at=agreed_at - timedelta(days=35),
                revealed_by=facilitator,
                submitted_for_approval_at=agreed_at - timedelta(days=14),
                agreed_at=agreed_at,
                attendance_note="Every partner sent someone to the workshop." if order else "",
            )
        )
    today = context.today
    lifecycle_dates = {
        Round.Status.APPROVAL: (today - timedelta(days=120), today - timedelta(days=92)),
        Round.Status.REVIEW: (today - timedelta(days=60), today - timedelta(days=32)),
        Round.Status.RATING: (today - timedelta(days=14), today + timedelta(days=14)),
        Round.Status.DRAFT: (today + timedelta(days=30), today + timedelta(days=58)),
    }
    for name, status in LIFECYCLE_ROUNDS:
        opens, closes = lifecycle_dates[status]
        started = status != Round.Status.DRAFT
        revealed = status in (Round.Status.REVIEW, Round.Status.APPROVAL)
        rounds.append(
            Round(
                public_id=context.uuid(),
                system=system,
                name=name,
                framework=context.frameworks["mtoc-2020"],
                status=status,
                opens_on=opens,
                closes_on=closes,
                quorum=quorum,
                created_by=facilitator,
                created_at=context.at(opens - timedelta(days=7)),
                opened_at=context.at(opens) if started else None,
                opened_by=facilitator if started else None,
                revealed_at=context.at(closes + timedelta(days=2)) if revealed else None,
                revealed_by=facilitator if revealed else None,
                submitted_for_approval_at=(
                    context.at(closes + timedelta(days=20))
                    if status == Round.Status.APPROVAL
                    else None
                ),
            )
        )
    context.bulk(Round, rounds)
    agreed = rounds[: len(agreed_rounds)]
    last_agreed = agreed[-1]
    for earlier, later in zip(agreed, agreed[1:], strict=False):
        later.previous_round = earlier
    for round_ in rounds[len(agreed_rounds) :]:
        round_.previous_round = last_agreed
    Round.objects.bulk_update(rounds[1:], ["previous_round"], batch_size=BATCH)

    returns, ratings, consensus_rows, comments, events, attendees = [], [], [], [], [], []
    consensus_by_round: dict[int, list[Consensus]] = {}
    for progress_index, round_ in enumerate(rounds):
        key = round_.framework.key
        levels = context.levels[key]
        changes = context.changes[key]
        change_bias = {c.pk: rng.uniform(-0.6, 0.6) for c in changes}
        maturity = base + 0.28 * min(progress_index, len(agreed_rounds))
        rated = _rated_partners(context, round_, partner_objects)
        returns.extend(_returns(context, round_, partner_objects, rated, people.members_by_partner))
        by_change: dict[int, list[int]] = {}
        for partner in partner_objects:
            how_many = rated.get(partner.pk, 0)
            rater = people.members_by_partner[partner.pk][0]
            for change in changes[:how_many]:
                number = _clamp(
                    round(
                        maturity
                        + partner_bias[partner.pk]
                        + change_bias[change.pk]
                        + rng.gauss(0, 0.45)
                    )
                )
                by_change.setdefault(change.pk, []).append(number)
                ratings.append(
                    _rating(context, round_, partner, change, levels[number], rater, number)
                )
        consensus_by_round[round_.pk] = _consensus(
            context, round_, changes, levels, by_change, people
        )
        consensus_rows.extend(consensus_by_round[round_.pk])
        if round_.status == Round.Status.REVIEW:
            comments.extend(_comments(context, round_, changes, people))
        events.extend(_audit(round_))
        if round_.status == Round.Status.AGREED:
            pool = [facilitator, *steering[:quorum]] + [
                users[0] for users in people.members_by_partner.values()
            ]
            attendees.extend(
                Round.attendees.through(round_id=round_.pk, user_id=user.pk)
                for user in rng.sample(pool, max(1, len(pool) * 3 // 4))
            )
    context.bulk(PartnerReturn, returns)
    context.bulk(Rating, ratings)
    context.bulk(Consensus, consensus_rows)
    context.bulk(Comment, comments)
    context.bulk(AuditEvent, events)
    context.bulk(Round.attendees.through, attendees)
    _decisions_and_dissents(context, rounds, consensus_by_round, partner_objects, people)
    _plans(context, system, agreed, consensus_by_round, partner_objects, people, actions_per_plan)


@dataclass
class _People:
    facilitator: object
    steering: list
    members_by_partner: dict[int, list]


def _clamp(number: int) -> int:
    return max(1, min(5, number))


def _rated_partners(context: _Context, round_: Round, partners: list[Partner]) -> dict[int, int]:
    """How many changes each partner has rated: all of them, once a round is past rating; in
    rating, a third submitted, a third part of the way, a third not started."""
    total = len(context.changes[round_.framework.key])
    if round_.status == Round.Status.DRAFT:
        return {}
    if round_.status == Round.Status.RATING:
        third = max(1, len(partners) // 3)
        rated = {}
        for index, partner in enumerate(partners):
            if index < third:
                rated[partner.pk] = total
            elif index < 2 * third:
                rated[partner.pk] = context.rng.randint(1, total - 1)
            else:
                rated[partner.pk] = 0
        return rated
    if round_.status == Round.Status.REVIEW and len(partners) > 3:
        # One partner had not submitted by the reveal: its column shows the return missing.
        return {p.pk: total for p in partners[:-1]}
    return {p.pk: total for p in partners}


def _returns(context, round_, partners, rated, members_by_partner) -> list[PartnerReturn]:
    total = len(context.changes[round_.framework.key])
    result = []
    for index, partner in enumerate(partners):
        submitted = rated.get(partner.pk) == total and round_.opened_at is not None
        missing = round_.revealed_at is not None and not submitted
        result.append(
            PartnerReturn(
                public_id=context.uuid(),
                round=round_,
                partner=partner,
                submitted_at=(
                    round_.opened_at + timedelta(days=5 + index % 20) if submitted else None
                ),
                submitted_by=members_by_partner[partner.pk][0] if submitted else None,
                missing_at_reveal=missing,
            )
        )
    return result


def _rating(context, round_, partner, change, level, rater, number) -> Rating:
    rng = context.rng
    evidence = []
    if number >= 4:
        evidence = [
            {
                "title": rng.choice(["Discharge audit", "Flow dashboard", "Evaluation report"]),
                "url": f"https://evidence.{DOMAIN}/{partner.public_id.hex[:8]}/{change.code}",
            }
        ]
    return Rating(
        round=round_,
        partner=partner,
        change=change,
        level=level,
        rationale=context.rationale(number),
        evidence=evidence,
        confidence=rng.choice(["low", "medium", "medium", "high"]),
        version=rng.randint(1, 4),
        updated_by=rater,
        updated_at=(round_.opened_at or context.now) + timedelta(days=rng.randint(1, 20)),
    )


def _consensus(context, round_, changes, levels, by_change, people) -> list[Consensus]:
    """Agreed rounds: every change approved. Approval: every change proposed. Review: about a
    third proposed so far."""
    rng = context.rng
    if round_.status in (Round.Status.DRAFT, Round.Status.RATING):
        return []
    result = []
    for index, change in enumerate(changes):
        if round_.status == Round.Status.REVIEW and index % 3:
            continue
        numbers = sorted(by_change.get(change.pk, [3]))
        agreed = numbers[(len(numbers) - 1) // 2]
        planned = min(5, agreed + rng.choice([0, 1, 1, 2]))
        proposed_at = (round_.revealed_at or context.now) + timedelta(days=10)
        is_agreed = round_.status == Round.Status.AGREED
        result.append(
            Consensus(
                round=round_,
                change=change,
                level=levels[agreed],
                rationale="Agreed at the partners' workshop after discussing every rating. "
                + context.rationale(agreed),
                planned_level=levels[planned] if planned > agreed else None,
                planned_by=round_.closes_on + timedelta(days=365) if planned > agreed else None,
                challenges=rng.choice(CHALLENGES),
                milestones=rng.choice(MILESTONES),
                support_needs=rng.choice(SUPPORT_NEEDS),
                state=Consensus.State.APPROVED if is_agreed else Consensus.State.PROPOSED,
                version=1,
                proposed_by=people.facilitator,
                proposed_at=proposed_at,
                approved_at=round_.agreed_at if is_agreed else None,
            )
        )
    return result


def _comments(context, round_, changes, people) -> list[Comment]:
    rng = context.rng
    authors = [people.facilitator, *(users[0] for users in people.members_by_partner.values())]
    return [
        Comment(
            public_id=context.uuid(),
            round=round_,
            change=change,
            author=rng.choice(authors),
            text=rng.choice(COMMENTS),
            created_at=round_.revealed_at + timedelta(hours=3 * n + 1),
        )
        for change in changes
        for n in range(rng.randint(0, 3))
    ]


def _audit(round_: Round) -> list[AuditEvent]:
    steps = [
        ("Created the round", round_.created_at),
        ("Opened the round for rating", round_.opened_at),
        ("Revealed the ratings", round_.revealed_at),
        ("Submitted for approval", round_.submitted_for_approval_at),
        ("Round agreed", round_.agreed_at),
    ]
    return [
        AuditEvent(round=round_, actor=round_.created_by, action=action, at=at)
        for action, at in steps
        if at is not None
    ]


def _decisions_and_dissents(context, rounds, consensus_by_round, partners, people) -> None:
    """A quorum of approvals on every agreed change; the first steering member's approvals in
    the approval round; now and then a partner's dissent."""
    rng = context.rng
    decisions, dissents = [], []
    for round_ in rounds:
        for consensus in consensus_by_round[round_.pk]:
            if round_.status == Round.Status.AGREED:
                deciders = people.steering[: round_.quorum]
            elif round_.status == Round.Status.APPROVAL and rng.random() < 0.5:
                deciders = people.steering[:1]
            else:
                deciders = []
            decisions.extend(
                Decision(
                    consensus=consensus,
                    proposal_version=1,
                    decided_by=user,
                    kind=Decision.Kind.APPROVE,
                    decided_at=consensus.proposed_at + timedelta(days=3),
                )
                for user in deciders
            )
            if rng.random() < 0.15:
                dissents.append(
                    Dissent(
                        consensus=consensus,
                        partner=rng.choice(partners),
                        note="We think the level is one higher for our services: "
                        + rng.choice(LEVEL_SENTENCES[_clamp(consensus.level.number + 1)]),
                    )
                )
    context.bulk(Decision, decisions)
    context.bulk(Dissent, dissents)


def _plans(context, system, agreed, consensus_by_round, partners, people, actions_per_plan):
    """Actions for the gaps each agreed round left, their progress and the investments behind
    them. Open actions of earlier plans are linked into every later plan (carried over)."""
    rng = context.rng
    today = context.today
    actions: list[Action] = []
    plan_of: list[int] = []
    for order, (round_, count) in enumerate(zip(agreed, actions_per_plan, strict=True)):
        latest = order == len(agreed) - 1
        gaps = [c for c in consensus_by_round[round_.pk] if c.planned_level_id] or list(
            consensus_by_round[round_.pk]
        )
        start_base = round_.agreed_at.date()
        for _ in range(count):
            consensus = rng.choice(gaps)
            change = consensus.change
            lead = rng.choice(partners)
            start = start_base + timedelta(days=rng.randint(7, 90))
            due = start + timedelta(days=rng.randint(60, 360))
            if latest:
                status = rng.choice(
                    [
                        Action.Status.NOT_STARTED,
                        Action.Status.IN_PROGRESS,
                        Action.Status.IN_PROGRESS,
                        Action.Status.DONE,
                        Action.Status.BLOCKED,
                        Action.Status.CANCELLED,
                    ]
                )
            else:
                status = rng.choices(
                    [Action.Status.DONE, Action.Status.CANCELLED, Action.Status.IN_PROGRESS],
                    weights=[8, 1, 1],
                )[0]
            override = Rag.AMBER if rng.random() < 0.05 and status in Action.OPEN_STATUSES else ""
            actions.append(
                Action(
                    public_id=context.uuid(),
                    system=system,
                    change=change,
                    target_level=consensus.planned_level,
                    title=rng.choice(ACTION_TITLES.get(change.code, ACTION_TITLES["1"])),
                    description="Agreed at the partners' improvement planning workshop. "
                    + rng.choice(MILESTONES),
                    lead_partner=lead,
                    owner=people.members_by_partner[lead.pk][0],
                    start_date=start,
                    due_date=due,
                    status=status,
                    rag_override=override,
                    rag_override_reason="Funding decision pending." if override else "",
                    created_by=people.facilitator,
                    created_at=context.at(start_base),
                    updated_at=context.at(min(today, due)),
                )
            )
            plan_of.append(order)
    context.bulk(Action, actions)

    links, contributors, updates = [], [], []
    for action, order in zip(actions, plan_of, strict=True):
        carried = action.status in Action.OPEN_STATUSES
        for later in agreed[order : len(agreed) if carried else order + 1]:
            links.append(Action.rounds.through(action_id=action.pk, round_id=later.pk))
        for partner in rng.sample(partners, min(len(partners) - 1, rng.randint(0, 3))):
            if partner.pk != action.lead_partner_id:
                contributors.append(
                    Action.contributing_partners.through(action_id=action.pk, partner_id=partner.pk)
                )
        updates.extend(_updates(context, action))
    context.bulk(Action.rounds.through, links)
    context.bulk(Action.contributing_partners.through, contributors)
    context.bulk(ProgressUpdate, updates)

    investments, investment_changes, action_investments = [], [], []
    for round_ in agreed:
        if round_.framework.key != "mtoc-2020":
            continue
        year = int(round_.name[:4]) + 1
        for scheme, source in rng.sample(SCHEMES, rng.randint(3, 6)):
            investments.append(
                Investment(
                    public_id=context.uuid(),
                    round=round_,
                    scheme_name=scheme,
                    funding_source=source,
                    amount=Decimal(rng.randint(10, 400) * 1000) + Decimal("0.00"),
                    financial_year=f"{year}/{(year + 1) % 100:02d}",
                    created_by=people.facilitator,
                    created_at=round_.agreed_at,
                )
            )
    context.bulk(Investment, investments)
    by_round = {}
    for action, order in zip(actions, plan_of, strict=True):
        by_round.setdefault(agreed[order].pk, []).append(action)
    for investment in investments:
        changes = context.changes["mtoc-2020"]
        for change in rng.sample(changes, rng.randint(1, 3)):
            investment_changes.append(
                Investment.changes.through(investment_id=investment.pk, change_id=change.pk)
            )
        for action in by_round.get(investment.round_id, []):
            if rng.random() < 0.3:
                action_investments.append(
                    Action.investments.through(action_id=action.pk, investment_id=investment.pk)
                )
    context.bulk(Investment.changes.through, investment_changes)
    context.bulk(Action.investments.through, action_investments)


def _updates(context: _Context, action: Action) -> list[ProgressUpdate]:
    rng = context.rng
    today = context.today
    if action.status == Action.Status.NOT_STARTED:
        return []
    last = min(today, action.due_date)
    span = max(1, (last - action.start_date).days)
    result = []
    for n in range(rng.randint(1, 4)):
        on = action.start_date + timedelta(days=min(span, 14 + n * span // 4))
        result.append(
            ProgressUpdate(
                action=action,
                author=action.owner,
                on=on,
                note=rng.choice(UPDATE_NOTES),
                created_at=context.at(on, 9 + n),
            )
        )
    final = {
        Action.Status.DONE: DONE_NOTES,
        Action.Status.BLOCKED: BLOCKED_NOTES,
        Action.Status.CANCELLED: CANCELLED_NOTES,
    }.get(action.status)
    if final:
        result.append(
            ProgressUpdate(
                action=action,
                author=action.owner,
                on=last,
                note=rng.choice(final),
                new_status=action.status,
                created_at=context.at(last, 16),
            )
        )
    return result
