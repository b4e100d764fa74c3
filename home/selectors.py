"""The home page's cards: one per system a person can see, with their roles and what needs
their attention across the rounds, the people, the plan and the returns.

What waits for a person (`attention_rows`) is one small query per kind of thing that can wait
(a facilitator's three kinds of waiting round share one), and only for the kinds of role the
person holds (a partner member's return and actions, a facilitator's rounds, proposals and
people, a steering member's decisions, an owner's actions, a regional viewer's issued returns):
a fixed number whatever the number of systems, rounds and actions. Each query yields only the
columns its kind needs (names starting `a_`); the home page shapes the rows into sentences and
links, and the service navigation of the home page shows how many there are beside Home.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils import timezone

from assessments.framework_content import content_for_round
from assessments.models import (
    Consensus,
    Decision,
    Invitation,
    Member,
    Partner,
    PartnerReturn,
    RegionalViewer,
    RoleChange,
    Round,
    System,
    SystemRole,
)
from assessments.review_selectors import RETURN_AWAITING_NEW_PROPOSAL
from assessments.rules import roles_of
from hicm_portal.words import govuk_date
from improvement_plans.models import Action, IssuedReturn

# Actions due within this many days, and returns issued within as many, wait for attention.
SOON_DAYS = 14


@dataclass
class Attention:
    text: str
    url: str = ""
    # A second step of the same item: ("issue its BCF return", url).
    then: tuple[str, str] | None = None


@dataclass
class SystemCard:
    system: System
    roles: list[str]
    attention: list[Attention] = field(default_factory=list)
    partner_names: list[str] = field(default_factory=list)


# A round's own columns, for the kinds that are about one round.
ROUND_COLUMNS = {"a_system": F("system_id"), "a_round": F("public_id"), "a_name": F("name")}


def _shaped(queryset, kind: str | None, **columns):
    """`queryset` as (kind, rows of the given columns): one query when read. Without a kind,
    each row carries its own in `a_kind`."""
    return kind, queryset.order_by().annotate(**columns).values(*columns)


def _count(queryset, by: str):
    """The number of rows of `queryset` per `by`, as a subquery (0 when none)."""
    return Coalesce(
        Subquery(queryset.order_by().values(by).annotate(c=Count("pk")).values("c")[:1]),
        0,
        output_field=IntegerField(),
    )


def _attention_queries(user) -> list:
    """One (kind, query) per kind of thing that may wait for `user`."""
    roles = roles_of(user)
    own_partners = [pid for pids in roles.partner_ids_by_system.values() for pid in pids]
    facilitated = list(roles.facilitator_of)
    steering = list(roles.steering_of)
    today = timezone.localdate()
    soon = today + timedelta(days=SOON_DAYS)
    queries = []
    # Only the kinds this person holds a role for: most people hold one kind of role, and
    # every query costs its building whether or not it finds anything.
    if own_partners:
        queries += _partner_queries(own_partners, user, soon, today)
    if facilitated:
        queries += _facilitator_queries(facilitated)
    if steering:
        queries.append(_decisions_waiting(steering, user))
    if _held_systems(roles):
        queries.append(_actions_owned(user, roles, soon, today))
    if roles.viewer_of_regions:
        queries.append(_returns_issued(roles.viewer_of_regions))
    return queries


def _partner_queries(own_partners: list[int], user, soon, today) -> list:
    """A partner member's return while their partner owes it, and the open actions their
    partner leads or contributes to that are due soon or overdue."""
    queries = []
    # Partner members: their return, while their partner still owes it.
    queries.append(
        _shaped(
            PartnerReturn.objects.filter(
                partner__in=own_partners, round__status=Round.Status.RATING, submitted_at=None
            ),
            "return_owed",
            a_system=F("round__system_id"),
            a_round=F("round__public_id"),
            a_name=F("round__name"),
            a_label=F("partner__name"),
            a_key=F("partner__public_id"),
            a_on=F("round__closes_on"),
        )
    )

    due = Action.objects.filter(status__in=Action.OPEN_STATUSES, due_date__lte=soon)
    partner_action = Q(lead_partner__in=own_partners) | Exists(
        Action.contributing_partners.through.objects.filter(
            action=OuterRef("pk"), partner__in=own_partners
        )
    )
    queries.append(
        _shaped(
            due.filter(partner_action)
            .exclude(owner=user)
            .values("system_id")
            .annotate(n=Count("pk"), m=Count("pk", filter=Q(due_date__lt=today))),
            "actions_partner",
            a_system=F("system_id"),
            a_n=F("n"),
            a_m=F("m"),
        )
    )
    return queries


def _facilitator_queries(facilitated: list[int]) -> list:
    """Rounds to open, to watch or reveal, to submit for approval, to plan and issue; returned
    proposals to propose again; partners with nobody to rate; invitations not accepted."""
    return [_facilitator_rounds(facilitated), *_facilitator_people_queries(facilitated)]


def _facilitator_rounds(facilitated: list[int]):
    """A facilitator's rounds that wait for them, in one query, each row's kind worked out in
    the database: a draft or a round in rating (open it, watch it, reveal it: its returns
    counted), a review with proposed levels (`attention_rows` keeps it once every change it
    rates has one: submit it for approval), an agreed round with no issued return and no
    later round (plan it and issue its return)."""
    returns = PartnerReturn.objects.filter(round=OuterRef("pk"))
    later_round = Round.objects.filter(
        system=OuterRef("system"), opens_on__gt=OuterRef("opens_on")
    ).exclude(status=Round.Status.CANCELLED)
    running = Q(status__in=[Round.Status.DRAFT, Round.Status.RATING])
    # Whether every change it rates has a proposal is decided on the rows read
    # (`_ready_for_approval`): which changes a round rates is its framework version's rule.
    some_proposed = Q(status=Round.Status.REVIEW, proposed__gt=0)
    to_plan = (
        Q(status=Round.Status.AGREED)
        & ~Exists(IssuedReturn.objects.filter(round=OuterRef("pk")))
        & ~Exists(later_round)
    )
    rounds = (
        Round.objects.filter(system__in=facilitated)
        .annotate(
            proposed=_count(
                Consensus.objects.filter(round=OuterRef("pk"), state=Consensus.State.PROPOSED),
                "round",
            ),
        )
        .filter(running | some_proposed | to_plan)
    )
    return _shaped(
        rounds,
        None,
        a_kind=Case(
            When(running, then=Value("round_running")),
            When(status=Round.Status.REVIEW, then=Value("round_proposed")),
            default=Value("round_agreed"),
        ),
        a_label=F("status"),
        a_n=Case(When(running, then=_count(returns, "round")), default=F("proposed")),
        a_m=_count(returns.filter(submitted_at__isnull=False), "round"),
        a_on=F("closes_on"),
        a_at=F("agreed_at"),
        a_framework=F("framework_id"),
        a_version=F("framework_version_id"),
        **ROUND_COLUMNS,
    )


def _ready_for_approval(row: dict) -> bool:
    """A review round waits for its facilitator once each change it rates has a proposed level
    (`a_n` of its row): the changes of its framework version that rounds rate
    (`FrameworkContent.live_changes`: enablers only where the framework rates them)."""
    round_ = Round(framework_id=row["a_framework"], framework_version_id=row["a_version"])
    return row["a_n"] >= len(content_for_round(round_).live_changes)


def _facilitator_people_queries(facilitated: list[int]) -> list:
    """Proposals returned to propose again; partners with nobody to rate; invitations not
    accepted."""
    queries = []
    # A proposal returned by the steering committee, waiting for a new proposal.
    queries.append(
        _shaped(
            Decision.objects.filter(
                RETURN_AWAITING_NEW_PROPOSAL,
                consensus__round__system__in=facilitated,
                consensus__round__status__in=[Round.Status.REVIEW, Round.Status.APPROVAL],
            ),
            "proposal_returned",
            a_system=F("consensus__round__system_id"),
            a_round=F("consensus__round__public_id"),
            a_name=F("consensus__round__name"),
            a_label=F("consensus__change__code"),
            a_who=Coalesce(
                NullIf(F("decided_by__full_name"), Value("")),
                F("decided_by__email"),
                output_field=CharField(),
            ),
            a_note=F("reason"),
            a_at=F("decided_at"),
        )
    )
    queries.append(
        _shaped(
            Partner.objects.filter(system__in=facilitated, members=None)
            .values("system_id")
            .annotate(n=Count("pk")),
            "partners_empty",
            a_system=F("system_id"),
            a_n=F("n"),
        )
    )
    queries.append(
        _shaped(
            Invitation.objects.filter(
                system__in=facilitated,
                accepted_at=None,
                cancelled_at=None,
                expires_at__gt=timezone.now(),
            )
            .values("system_id")
            .annotate(n=Count("pk")),
            "invitations_pending",
            a_system=F("system_id"),
            a_n=F("n"),
        )
    )

    return queries


def _decisions_waiting(steering: list[int], user):
    """Steering committee members: proposals in approval they have not decided."""
    undecided = Consensus.objects.filter(
        round=OuterRef("pk"), state=Consensus.State.PROPOSED, change__archived=False
    ).exclude(
        Exists(
            Decision.objects.filter(
                consensus=OuterRef("pk"), proposal_version=OuterRef("version"), decided_by=user
            )
        )
    )
    return _shaped(
        Round.objects.filter(system__in=steering, status=Round.Status.APPROVAL)
        .annotate(waiting=_count(undecided, "round"))
        .filter(waiting__gt=0),
        "decisions_waiting",
        a_n=F("waiting"),
        **ROUND_COLUMNS,
    )


def _actions_owned(user, roles, soon, today):
    """Action owners: their open actions due within SOON_DAYS or overdue, per system."""
    return _shaped(
        Action.objects.filter(
            status__in=Action.OPEN_STATUSES,
            due_date__lte=soon,
            owner=user,
            system__in=_held_systems(roles),
        )
        .values("system_id")
        .annotate(n=Count("pk"), m=Count("pk", filter=Q(due_date__lt=today))),
        "actions_owned",
        a_system=F("system_id"),
        a_n=F("n"),
        a_m=F("m"),
    )


def _returns_issued(regions):
    """Regional viewers: returns issued in their region within SOON_DAYS."""
    return _shaped(
        IssuedReturn.objects.filter(
            round__system__region__in=regions,
            issued_at__gte=timezone.now() - timedelta(days=SOON_DAYS),
        ),
        "return_issued",
        a_system=F("round__system_id"),
        a_round=F("round__public_id"),
        a_name=F("round__name"),
        a_key=F("public_id"),
        a_n=F("version"),
        a_at=F("issued_at"),
    )


def _held_systems(roles) -> set[int]:
    return {*roles.partner_ids_by_system, *roles.facilitator_of, *roles.steering_of}


def attention_rows(user) -> list[dict]:
    """Everything waiting for `user`: a row per item, its kind in `a_kind`."""
    rows = [
        {"a_kind": kind, **row} if kind else row
        for kind, query in _attention_queries(user)
        for row in query
    ]
    return [row for row in rows if row["a_kind"] != "round_proposed" or _ready_for_approval(row)]


# The order of the kinds within a card: decisions and deadlines first.
KIND_ORDER = [
    "decisions_waiting",
    "return_owed",
    "proposal_returned",
    "round_proposed",
    "round_running",
    "round_agreed",
    "actions_owned",
    "actions_partner",
    "return_issued",
    "partners_empty",
    "invitations_pending",
]


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def _item(row: dict, system: System) -> Attention:
    """One row of `attention_rows` in words, with the link that does it."""
    kind, round_id, name, n, m = (
        row["a_kind"],
        row.get("a_round"),
        row.get("a_name"),
        row.get("a_n"),
        row.get("a_m"),
    )
    if kind == "return_owed":
        return Attention(
            f"Rate {name} for {row['a_label']} by {govuk_date(row['a_on'])}",
            reverse("return_tasks", args=[round_id, row["a_key"]]),
        )
    if kind == "round_running":
        if row["a_label"] == Round.Status.DRAFT:
            return Attention(
                f"{name} is a draft: open it when it is ready",
                reverse("round_detail", args=[round_id]),
            )
        if n and m == n:
            return Attention(
                f"{name}: all {_plural(n, 'return is', 'returns are')} in – reveal the ratings",
                reverse("reveal", args=[round_id]),
            )
        return Attention(
            f"{name}: {m} of {_plural(n, 'return', 'returns')} submitted",
            reverse("round_detail", args=[round_id]),
        )
    if kind == "round_proposed":
        return Attention(
            f"{name}: every change has a proposed level – submit them for approval",
            reverse("review", args=[round_id]),
        )
    if kind == "round_agreed":
        return Attention(
            f"{name} is agreed: make its improvement plan",
            reverse("plan", args=[round_id]),
            then=("issue its BCF return", reverse("return_page", args=[round_id])),
        )
    if kind == "proposal_returned":
        return Attention(
            f"{name}: change {row['a_label']} was returned by {row['a_who']} on "
            f"{govuk_date(row['a_at'])} – “{row['a_note']}” – propose it again",
            reverse("propose", args=[round_id, row["a_label"]]),
        )
    if kind == "decisions_waiting":
        return Attention(
            f"{name}: {_plural(n, 'proposal awaits', 'proposals await')} your decision",
            reverse("approval", args=[round_id]),
        )
    if kind in ("actions_owned", "actions_partner"):
        whose = "You own" if kind == "actions_owned" else "Your partner leads or contributes to"
        overdue = f", {m} overdue" if m else ""
        return Attention(
            f"{whose} {_plural(n, 'action', 'actions')} due within {SOON_DAYS} days or "
            f"overdue ({n - m} due soon{overdue})",
            reverse("my_actions")
            if kind == "actions_owned"
            else reverse("system_actions", args=[system.slug]),
        )
    if kind == "return_issued":
        return Attention(
            f"Version {n} of the BCF return for {name} was issued on {govuk_date(row['a_at'])}",
            reverse("return_page", args=[round_id]),
        )
    if kind == "partners_empty":
        return Attention(
            f"{n} partner{'s have' if n != 1 else ' has'} nobody to rate "
            f"for {'them' if n != 1 else 'it'}: invite someone",
            reverse("invitation_new", args=[system.slug]),
        )
    # invitations_pending
    return Attention(
        f"{_plural(n, 'invitation is', 'invitations are')} waiting to be accepted",
        reverse("system_detail", args=[system.slug]),
    )


def _row_order(row: dict):
    return (
        KIND_ORDER.index(row["a_kind"]),
        row.get("a_on") or timezone.localdate(),
        row.get("a_name") or "",
    )


def home_cards(user) -> list[SystemCard]:
    """One card per system the person can see, with their roles and what waits for them: two
    queries and one per kind of thing that may wait for them (`attention_rows`), whatever the
    number of systems, rounds and actions."""
    roles = roles_of(user)
    visible = System.objects.visible_to(user)
    if roles.national:
        # A national viewer sees every system: the nation is on their national pages (linked
        # from the home page), and their cards are the systems they hold another role in.
        visible = visible.filter(
            Q(pk__in=_held_systems(roles)) | Q(region__in=roles.viewer_of_regions)
        )
    systems = list(visible.select_related("region"))
    if not systems:
        return []
    ids = [s.pk for s in systems]
    partner_names: dict[int, dict[int, str]] = {}
    for partner_id, name, system_id in Partner.objects.filter(system__in=ids).values_list(
        "pk", "name", "system_id"
    ):
        partner_names.setdefault(system_id, {})[partner_id] = name
    rows: dict[int, list[dict]] = {}
    for row in attention_rows(user):
        rows.setdefault(row["a_system"], []).append(row)
    cards = []
    for system in systems:
        labels = []
        own = roles.partner_ids_by_system.get(system.pk, frozenset())
        names = partner_names.get(system.pk, {})
        if system.pk in roles.facilitator_of:
            labels.append("Facilitator")
        if system.pk in roles.steering_of:
            labels.append("Steering committee member")
        labels.extend(f"Member of {names[pid]}" for pid in sorted(own, key=lambda p: names[p]))
        if system.region_id in roles.viewer_of_regions:
            labels.append(f"Regional viewer ({system.region})")
        cards.append(
            SystemCard(
                system=system,
                roles=labels,
                attention=[
                    _item(row, system) for row in sorted(rows.get(system.pk, []), key=_row_order)
                ],
                partner_names=sorted(names.values()),
            )
        )
    return cards


def attention_total(cards: list[SystemCard]) -> int:
    """The number beside Home in the service navigation, from cards already built."""
    return sum(len(card.attention) for card in cards)


@dataclass
class HeldRole:
    """A role a person holds now, in words: "Partner member", "Testshire Hospitals, Testshire"."""

    role: str
    place: str


def account_roles(user) -> list[HeldRole]:
    """The roles a person holds now, for their account page: three queries (and the person's
    roles, read once per request)."""
    held = [
        HeldRole(r.get_role_display(), str(r.system))
        for r in SystemRole.objects.filter(user=user).select_related("system")
    ]
    held += [
        HeldRole("Partner member", f"{m.partner}, {m.partner.system}")
        for m in Member.objects.filter(user=user).select_related("partner__system")
    ]
    held += [
        HeldRole("Regional viewer", str(v.region))
        for v in RegionalViewer.objects.filter(user=user).select_related("region")
    ]
    if roles_of(user).national:
        held.append(HeldRole("National viewer", "Every region"))
    return held


def account_role_changes(user) -> list[RoleChange]:
    """Every grant and removal of a role of this person, newest first, with who made it: one
    query."""
    return list(
        RoleChange.objects.filter(person=user).select_related("system", "partner", "region", "by")
    )
