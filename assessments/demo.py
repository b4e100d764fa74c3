"""The demo system "Northshire": fictional people and organisations for trying the portal.

Every demo address follows one pattern: `<name>@northshire.example` (see DEMO_PEOPLE);
`.example` is a reserved domain, so no e-mail can reach a real person.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from assessments.framework_versions import version_newest
from assessments.history_services import RecordedLevel, round_record_afterwards
from assessments.models import (
    AuditEvent,
    Consensus,
    Decision,
    Dissent,
    Framework,
    Member,
    NationalViewer,
    Partner,
    PartnerReturn,
    Rating,
    Region,
    RegionalViewer,
    Round,
    System,
    SystemRole,
)
from hicm_portal.words import govuk_date

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
# A partner of more than one type: the mental health trust also runs community services.
# (Northshire is not a real place, so neither it nor its partners carry ONS or ODS codes.)
FURTHER_TYPES = {"mentalhealth": [Partner.Type.COMMUNITY_TRUST]}

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
    notes: list[str]


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
    national = _person(demo_address("national-viewer"), "Nat National", password)
    NationalViewer.objects.get_or_create(user=national)
    accounts.append((national.email, "national viewer (every region)"))

    name_index = 0
    for short, name, partner_type in PARTNERS:
        partner, _ = Partner.objects.get_or_create(
            system=system,
            name=name,
            defaults={"partner_type": partner_type, "other_types": FURTHER_TYPES.get(short, [])},
        )
        for number in (1, 2):
            full_name = f"{FIRST_NAMES[name_index % 16]} {LAST_NAMES[name_index % 16]}"
            name_index += 1
            person = _person(demo_address(f"{short}-{number}"), full_name, password)
            Member.objects.get_or_create(user=person, partner=partner)
            accounts.append((person.email, f"member of {name}"))
    notes = _seed_recorded_round(system, facilitator)
    notes += _seed_agreed_rounds(system, facilitator)
    notes += _seed_approval_round(system, facilitator)
    notes += _seed_current_round(system, facilitator)
    return DemoResult(created=not exists, password=password, accounts=accounts, notes=notes)


# How far each partner has got in the current round: submitted, in progress (changes rated),
# or not started.
CURRENT_ROUND_PROGRESS = {
    "hospitals": "submitted",
    "council": "submitted",
    "icb": "submitted",
    "community": 5,
    "carehomes": 2,
    "mentalhealth": 1,
    "housing": 0,
    "healthwatch": 0,
}

RATIONALES = {
    1: "Practice depends on individual wards and teams; there is no agreed process yet and we "
    "see people waiting for decisions that could have been planned earlier.",
    2: "A plan is agreed across partners and pilots have started, but practice differs between "
    "sites and we cannot yet show it working consistently at weekends.",
    3: "The process is written down, used routinely across our services and reviewed monthly at "
    "the discharge group; staff know it and audits show it is followed most of the time.",
    4: "The process has held through winter pressure and staff changes; audits over two years "
    "show fewer delays and people tell us they get home sooner.",
    5: "This is simply how we work across the system. Outcomes for people are measurably better, "
    "and we keep improving it with the people who use our services.",
}


def _demo_level(partner_index: int, change_index: int) -> int:
    """A spread of levels that differs between partners, so the review has splits to discuss."""
    return 1 + (partner_index * 3 + change_index * 2 + partner_index * change_index) % 4


def _demo_rating(round_, partner, change, level, rater, confidence: str) -> Rating:
    """A complete rating in the demo's words; Mature and above carry evidence."""
    evidence = [{"title": "Discharge audit", "url": "https://example.org/audit"}]
    return Rating.objects.create(
        round=round_,
        partner=partner,
        change=change,
        level=level,
        rationale=RATIONALES[level.number],
        evidence=evidence if level.needs_evidence else [],
        confidence=confidence,
        version=1,
        updated_by=rater,
    )


def _seed_current_round(system: System, facilitator) -> list[str]:
    framework = Framework.objects.filter(key="mtoc-2020").first()
    if framework is None:
        return ["The 2020 framework is not loaded (run load_frameworks), so no round was added."]
    name = "2026/27 Q3"
    if Round.objects.filter(system=system, name=name).exists():
        return [f"Round {name} already exists; left as it is."]
    today = timezone.localdate()
    steering = SystemRole.objects.filter(system=system, role=SystemRole.Role.STEERING).count()
    previous = Round.objects.filter(
        system=system, status=Round.Status.AGREED, framework__key__startswith="mtoc-"
    ).order_by("-agreed_at")
    round_ = Round.objects.create(
        system=system,
        name=name,
        framework=framework,
        framework_version=version_newest(framework),
        previous_round=previous.first(),
        status=Round.Status.RATING,
        opens_on=today - timedelta(days=14),
        closes_on=today + timedelta(days=14),
        quorum=steering // 2 + 1,
        created_by=facilitator,
        opened_by=facilitator,
        opened_at=timezone.now() - timedelta(days=14),
    )
    levels = {level.number: level for level in framework.levels.all()}
    changes = list(framework.changes.filter(archived=False).order_by("position"))
    for partner_index, (short, partner_name, _) in enumerate(PARTNERS):
        partner = Partner.objects.get(system=system, name=partner_name)
        partner_return = PartnerReturn.objects.create(round=round_, partner=partner)
        progress = CURRENT_ROUND_PROGRESS[short]
        rated = len(changes) if progress == "submitted" else progress
        rater = Member.objects.filter(partner=partner).select_related("user").first().user
        for change_index, change in enumerate(changes[:rated]):
            number = _demo_level(partner_index, change_index)
            _demo_rating(
                round_,
                partner,
                change,
                levels[number],
                rater,
                ("low", "medium", "high")[(partner_index + change_index) % 3],
            )
        if progress == "submitted":
            partner_return.submitted_at = timezone.now() - timedelta(days=partner_index + 1)
            partner_return.submitted_by = rater
            partner_return.save()
    return [
        f"Round {name} is in rating on {framework.short_title}: 3 partners submitted, "
        "3 in progress, 2 not started."
    ]


# Earlier agreed rounds: (name, framework key, days before now, how far levels have moved up).
# The Optimal Handed Care round gives the demo a framework with numbered actions to plan from.
AGREED_ROUNDS = [
    ("2019/20", "mtoc-2017", 6 * 365, 0),
    ("2025/26 Optimal Handed Care", "ohc-2025", 400, 0),
    ("2025/26", "mtoc-2020", 365, 1),
]


def _seed_agreed_rounds(system: System, facilitator) -> list[str]:
    """Two agreed rounds, so trends across the crosswalk and planned versus achieved show."""
    notes = []
    steering = [
        role.user
        for role in SystemRole.objects.filter(system=system, role=SystemRole.Role.STEERING)
        .select_related("user")
        .order_by("user__email")
    ]
    partners = [Partner.objects.get(system=system, name=name) for _, name, _ in PARTNERS]
    # Each Managing transfers of care round starts from the one before (the first from the
    # round recorded afterwards).
    previous_mtoc = Round.objects.filter(system=system, name=RECORDED_ROUND).first()
    for name, key, days_ago, uplift in AGREED_ROUNDS:
        framework = Framework.objects.filter(key=key).first()
        if framework is None:
            notes.append(f"Framework {key} is not loaded, so round {name} was not added.")
            continue
        existing = Round.objects.filter(system=system, name=name).first()
        if existing is not None:
            if key.startswith("mtoc-"):
                previous_mtoc = existing
            continue
        closes = timezone.localdate() - timedelta(days=days_ago)
        agreed_at = timezone.now() - timedelta(days=days_ago - 40)
        round_ = Round.objects.create(
            system=system,
            name=name,
            framework=framework,
            framework_version=version_newest(framework),
            status=Round.Status.AGREED,
            previous_round=previous_mtoc if key.startswith("mtoc-") else None,
            opens_on=closes - timedelta(days=28),
            closes_on=closes,
            quorum=len(steering) // 2 + 1,
            created_by=facilitator,
            opened_by=facilitator,
            opened_at=agreed_at - timedelta(days=70),
            revealed_at=agreed_at - timedelta(days=35),
            revealed_by=facilitator,
            submitted_for_approval_at=agreed_at - timedelta(days=14),
            agreed_at=agreed_at,
            attendance_note="Demo workshop: every partner attended.",
        )
        levels = {level.number: level for level in framework.levels.all()}
        changes = list(framework.changes.filter(archived=False).order_by("position"))
        for partner_index, partner in enumerate(partners):
            rater = Member.objects.filter(partner=partner).select_related("user").first().user
            PartnerReturn.objects.create(
                round=round_,
                partner=partner,
                submitted_at=agreed_at - timedelta(days=40),
                submitted_by=rater,
            )
            for change_index, change in enumerate(changes):
                number = min(5, _demo_level(partner_index, change_index) + uplift)
                _demo_rating(round_, partner, change, levels[number], rater, "medium")
        for change_index, change in enumerate(changes):
            numbers = sorted(
                min(5, _demo_level(p, change_index) + uplift) for p in range(len(partners))
            )
            middle = len(numbers) // 2
            agreed = (numbers[middle - 1] + numbers[middle]) // 2
            consensus = Consensus.objects.create(
                round=round_,
                change=change,
                level=levels[agreed],
                rationale="Agreed at the partners' workshop after discussing every rating.",
                planned_level=levels[min(5, agreed + 1)],
                planned_by=closes + timedelta(days=365),
                challenges="Weekend and bank holiday cover.",
                milestones="Weekly flow meetings established across partners.",
                support_needs="Analyst time for shared dashboards.",
                state=Consensus.State.APPROVED,
                proposed_by=facilitator,
                proposed_at=agreed_at - timedelta(days=20),
                approved_at=agreed_at,
            )
            for member in steering[: round_.quorum]:
                Decision.objects.create(
                    consensus=consensus,
                    proposal_version=1,
                    decided_by=member,
                    kind=Decision.Kind.APPROVE,
                    decided_at=agreed_at,
                )
        for action, at in (
            ("Opened the round for rating", round_.opened_at),
            ("Revealed the ratings", round_.revealed_at),
            ("Submitted for approval", round_.submitted_for_approval_at),
            ("Round agreed", agreed_at),
        ):
            AuditEvent.objects.create(round=round_, actor=facilitator, action=action, at=at)
        if key.startswith("mtoc-"):
            previous_mtoc = round_
        notes.append(f"Round {name} on {framework.short_title} is agreed.")
    return notes


RECORDED_ROUND = "2018/19"


def _seed_recorded_round(system: System, facilitator) -> list[str]:
    """A round agreed before the portal, recorded afterwards by the facilitator from the BCF
    plan of the day: levels and plans only (planned dates in the past), no partner ratings."""
    framework = Framework.objects.filter(key="mtoc-2017").first()
    if framework is None or Round.objects.filter(system=system, name=RECORDED_ROUND).exists():
        return []
    agreed_on = timezone.localdate() - timedelta(days=7 * 365)
    levels = {level.number: level for level in framework.levels.all()}
    changes = framework.changes.filter(archived=False).order_by("position")
    round_record_afterwards(
        actor=facilitator,
        system=system,
        framework=framework,
        name=RECORDED_ROUND,
        agreed_on=agreed_on,
        approval_note=f"Northshire Health and Wellbeing Board, {govuk_date(agreed_on)}",
        levels=[
            RecordedLevel(
                change=change,
                level=levels[1 + index % 3],
                planned_level=levels[2 + index % 3],
                planned_by=agreed_on + timedelta(days=200),
                challenges="Recruitment to home care and reablement posts.",
                milestones="Discharge team formed across the hospital and the council.",
            )
            for index, change in enumerate(changes)
        ],
    )
    return [f"Round {RECORDED_ROUND} on {framework.short_title} is recorded afterwards."]


APPROVAL_ROUND = "2026/27 Q2"
# In the round waiting for approval: the change steering1 returned, and why; the changes
# steering2 has approved already (each then has the quorum of two); the change proposed below
# its previous agreed level, which the approval pages warn about.
RETURNED_CHANGE = 4
RETURN_REASON = (
    "The rationale cites the 2024 audit only. Please add this year's weekend discharge figures "
    "before we agree Established."
)
APPROVED_BY_STEERING2 = (1, 2)
BELOW_PREVIOUS_CHANGE = 7


def _seed_approval_round(system: System, facilitator) -> list[str]:
    """A round waiting for the steering committee's approval, so a newcomer sees the decision
    journey: steering1 approved every change but one, which they returned with a reason;
    steering2 approved two (agreed by the quorum of two) and has the rest to decide; steering3
    has every change to decide. One change is proposed below its previous agreed level."""
    framework = Framework.objects.filter(key="mtoc-2020").first()
    if framework is None:
        return []
    if Round.objects.filter(system=system, name=APPROVAL_ROUND).exists():
        return [f"Round {APPROVAL_ROUND} already exists; left as it is."]
    steering = {
        role.user.email.split("@")[0]: role.user
        for role in SystemRole.objects.filter(
            system=system, role=SystemRole.Role.STEERING
        ).select_related("user")
    }
    previous = (
        Round.objects.filter(system=system, status=Round.Status.AGREED, framework=framework)
        .order_by("-agreed_at")
        .first()
    )
    now = timezone.now()
    round_ = Round.objects.create(
        system=system,
        name=APPROVAL_ROUND,
        framework=framework,
        framework_version=version_newest(framework),
        previous_round=previous,
        status=Round.Status.APPROVAL,
        opens_on=timezone.localdate() - timedelta(days=60),
        closes_on=timezone.localdate() - timedelta(days=32),
        quorum=2,
        created_by=facilitator,
        opened_by=facilitator,
        opened_at=now - timedelta(days=60),
        revealed_at=now - timedelta(days=30),
        revealed_by=facilitator,
        submitted_for_approval_at=now - timedelta(days=3),
        attendance_note="Workshop on a Tuesday morning; apologies from Healthwatch Northshire.",
    )
    levels = {level.number: level for level in framework.levels.all()}
    changes = list(framework.changes.filter(archived=False).order_by("position"))
    partners = [Partner.objects.get(system=system, name=name) for _, name, _ in PARTNERS]
    for partner_index, partner in enumerate(partners):
        rater = Member.objects.filter(partner=partner).select_related("user").first().user
        PartnerReturn.objects.create(
            round=round_,
            partner=partner,
            submitted_at=now - timedelta(days=32 + partner_index),
            submitted_by=rater,
        )
        for change_index, change in enumerate(changes):
            number = min(5, _demo_level(partner_index, change_index) + 1)
            _demo_rating(round_, partner, change, levels[number], rater, "medium")
    round_.attendees.set(
        [member.user for member in Member.objects.filter(partner__in=partners[:7])]
        + [facilitator, steering["steering1"]]
    )
    steering1, steering2 = steering["steering1"], steering["steering2"]
    events = [
        ("Opened the round for rating", round_.opened_at, facilitator, ""),
        ("Revealed the ratings", round_.revealed_at, facilitator, "All returns in."),
        ("Submitted for approval", round_.submitted_for_approval_at, facilitator, ""),
    ]
    for change_index, change in enumerate(changes):
        numbers = sorted(min(5, _demo_level(p, change_index) + 1) for p in range(len(partners)))
        middle = len(numbers) // 2
        agreed = (numbers[middle - 1] + numbers[middle]) // 2  # the suggested level
        if change_index + 1 == BELOW_PREVIOUS_CHANGE:
            agreed = max(1, agreed - 1)
        returned = change_index + 1 == RETURNED_CHANGE
        approved = change_index + 1 in APPROVED_BY_STEERING2
        state = Consensus.State.PROPOSED
        if returned:
            state = Consensus.State.RETURNED
        elif approved:
            state = Consensus.State.APPROVED
        consensus = Consensus.objects.create(
            round=round_,
            change=change,
            level=levels[agreed],
            rationale="Agreed at the partners' workshop after discussing every rating.",
            planned_level=levels[min(5, agreed + 1)],
            planned_by=timezone.localdate() + timedelta(days=365),
            state=state,
            version=2 if returned else 1,
            proposed_by=facilitator,
            proposed_at=now - timedelta(days=5),
            approved_at=now - timedelta(days=1) if approved else None,
        )
        decided_at = now - timedelta(days=2)
        Decision.objects.create(
            consensus=consensus,
            proposal_version=1,
            decided_by=steering1,
            kind=Decision.Kind.RETURN if returned else Decision.Kind.APPROVE,
            reason=RETURN_REASON if returned else "",
            decided_at=decided_at,
        )
        if returned:
            events.append(
                (f"Returned {change.code} for a new proposal", decided_at, steering1, RETURN_REASON)
            )
            continue
        events.append((f"Approved {change.code}", decided_at, steering1, "Proposal version 1"))
        if approved:
            Decision.objects.create(
                consensus=consensus,
                proposal_version=1,
                decided_by=steering2,
                kind=Decision.Kind.APPROVE,
                decided_at=now - timedelta(days=1),
            )
            approved_at = now - timedelta(days=1)
            events.append((f"Approved {change.code}", approved_at, steering2, "Proposal version 1"))
            events.append((f"{change.code} approved", approved_at, None, "2 approval(s)"))
    below = Consensus.objects.get(round=round_, change=changes[BELOW_PREVIOUS_CHANGE - 1])
    Dissent.objects.create(
        consensus=below,
        partner=partners[0],
        note="Practice has held up over the year: we would keep last year's level.",
    )
    for action, at, actor, detail in events:
        AuditEvent.objects.create(round=round_, actor=actor, action=action, at=at, detail=detail)
    return [
        f"Round {APPROVAL_ROUND} is waiting for approval: steering2 and steering3 have decisions "
        f"to make, and change {RETURNED_CHANGE} was returned by steering1 for a new proposal."
    ]
