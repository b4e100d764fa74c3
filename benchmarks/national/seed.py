"""Seeding: the national systems and the small reference system, in one transaction."""

import secrets
import time
from collections.abc import Callable
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection, transaction

from assessments.models import (
    AuditEvent,
    Comment,
    Consensus,
    Framework,
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
from benchmarks.national.context import (
    Context,
    People,
    User,
    clamp,
    make_user,
    place_names,
    slug_of,
)
from benchmarks.national.plans import plans_for
from benchmarks.national.ratings import (
    audit_for,
    comments_for,
    consensus_for,
    decisions_and_dissents,
    rated_partners,
    rating_for,
    returns_for,
)
from benchmarks.national.regions import seed_issued_returns, seed_national_viewer
from benchmarks.national.shape import (
    ACTIONS_PER_PLAN,
    AGREED_ROUNDS,
    BATCH,
    LIFECYCLE_ROUNDS,
    MEMBERS_PER_PARTNER,
    PARTNERS,
    PREFIX,
    REFERENCE_ACTIONS_PER_PLAN,
    REFERENCE_AGREED_ROUNDS,
    REFERENCE_PARTNERS,
    REFERENCE_REGION,
    REFERENCE_SLUG,
    REGIONS,
    STEERING_MEMBERS,
    NationalResult,
    national_present,
    national_systems,
)


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
        context = Context(seed, password_hash)
        places = place_names(context.rng, systems)
        regions = context.bulk(
            Region,
            [
                Region(name=f"{name} (national)", slug=f"{PREFIX}{slug_of(name)}")
                for name in REGIONS
            ],
        )
        viewers = context.bulk(
            User,
            [make_user(context, f"viewer-{region.slug[len(PREFIX) :]}") for region in regions],
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
                slug=f"{PREFIX}{index:03d}-{slug_of(place)}",
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
        reference_viewer = context.bulk(User, [make_user(context, "viewer-reference")])[0]
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
        # Last, so the rest of the data stays as it was (benchmarks/national/regions.py).
        seed_national_viewer(context)
        measured = {regions[0], regions[(systems - 1) % len(regions)], reference_region}
        for region in sorted(measured, key=lambda region: region.slug):
            seed_issued_returns(context, region)
        if progress:
            seconds = time.monotonic() - started
            progress(f"issued returns of {len(measured)} regions ({seconds:.0f} s)")
    if connection.vendor == "postgresql":
        # Fresh planner statistics and visibility maps, as autovacuum would give a live
        # database: without them PostgreSQL plans the first queries on the new rows as if the
        # tables were empty, and cannot answer from an index alone. VACUUM cannot run inside a
        # transaction (a test's), where the statistics alone are made.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if transaction.get_autocommit() else "ANALYZE")
    return NationalResult(
        created=True,
        systems=systems,
        password=password,
        counts=context.counts,
        seconds=time.monotonic() - started,
    )


def _seed_system(
    context: Context,
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
    facilitator = make_user(context, f"{code}-facilitator")
    steering = [make_user(context, f"{code}-steering-{n}") for n in range(1, STEERING_MEMBERS + 1)]
    members_by_partner = {
        partner.pk: [
            make_user(context, f"{code}-{short}-{n}") for n in range(1, MEMBERS_PER_PARTNER + 1)
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
    people = People(facilitator, steering, members_by_partner)

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
                framework_version=context.versions[key],
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
                framework_version=context.versions["mtoc-2020"] if started else None,
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
        rated = rated_partners(context, round_, partner_objects)
        returns.extend(
            returns_for(context, round_, partner_objects, rated, people.members_by_partner)
        )
        by_change: dict[int, list[int]] = {}
        for partner in partner_objects:
            how_many = rated.get(partner.pk, 0)
            rater = people.members_by_partner[partner.pk][0]
            for change in changes[:how_many]:
                number = clamp(
                    round(
                        maturity
                        + partner_bias[partner.pk]
                        + change_bias[change.pk]
                        + rng.gauss(0, 0.45)
                    )
                )
                by_change.setdefault(change.pk, []).append(number)
                ratings.append(
                    rating_for(context, round_, partner, change, levels[number], rater, number)
                )
        consensus_by_round[round_.pk] = consensus_for(
            context, round_, changes, levels, by_change, people
        )
        consensus_rows.extend(consensus_by_round[round_.pk])
        if round_.status == Round.Status.REVIEW:
            comments.extend(comments_for(context, round_, changes, people))
        events.extend(audit_for(round_))
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
    decisions_and_dissents(context, rounds, consensus_by_round, partner_objects, people)
    plans_for(
        context, system, agreed, consensus_by_round, partner_objects, people, actions_per_plan
    )
