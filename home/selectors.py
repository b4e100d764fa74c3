"""The home page's cards: one per system a person can see, with their roles and what needs
their attention across the rounds, the people, the plan and the returns.

What waits for a person (`attention_rows`) is one small query per kind of thing that can wait,
and only for the kinds of role the person holds (a partner member's return and actions, a
facilitator's rounds, proposals and people, a steering member's decisions, an owner's actions, a
regional viewer's issued returns): a fixed number whatever the number of systems, rounds and
actions. A facilitator's rounds are read plainly first, and the few counts they need asked only
for the rounds that need them. Each query yields only the columns its kind needs (named `a_…`
in the rows); the home page shapes the rows into sentences and links, and the service navigation
of the home page shows how many there are beside Home.
"""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce
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
from hicm_portal.models import person_name
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


def _shaped(queryset, kind: str, **columns) -> tuple[str, Iterator[dict]]:
    """`queryset` as (kind, rows): each row the given columns (field paths or the queryset's
    own annotations) under their names, read with one query."""
    rows = queryset.order_by().values_list(*columns.values())
    return kind, (dict(zip(columns, row, strict=True)) for row in rows)


def _count(queryset, by: str):
    """The number of rows of `queryset` per `by`, as a subquery (0 when none)."""
    return Coalesce(
        Subquery(queryset.order_by().values(by).annotate(c=Count("pk")).values("c")[:1]),
        0,
        output_field=IntegerField(),
    )


def _attention_sources(user, empty_partners: Counter) -> list:
    """One (kind, rows) per kind of thing that may wait for `user`."""
    roles = roles_of(user)
    own_partners = [pid for pids in roles.partner_ids_by_system.values() for pid in pids]
    facilitated = list(roles.facilitator_of)
    steering = list(roles.steering_of)
    today = timezone.localdate()
    soon = today + timedelta(days=SOON_DAYS)
    sources = []
    # Only the kinds this person holds a role for: most people hold one kind of role, and
    # every query costs its building whether or not it finds anything.
    if own_partners:
        sources += _partner_queries(own_partners, user, soon, today)
    if facilitated:
        sources += _facilitator_sources(facilitated, empty_partners)
    if steering:
        sources.append(_decisions_waiting(steering, user))
    if _held_systems(roles):
        sources.append(_actions_owned(user, roles, soon, today))
    if roles.viewer_of_regions:
        sources.append(_returns_issued(roles.viewer_of_regions))
    return sources


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
            a_system="round__system_id",
            a_round="round__public_id",
            a_name="round__name",
            a_label="partner__name",
            a_key="partner__public_id",
            a_on="round__closes_on",
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
            a_system="system_id",
            a_n="n",
            a_m="m",
        )
    )
    return queries


# The columns of a facilitator's rounds that their kinds and sentences need.
ROUND_FIELDS = (
    "pk",
    "system_id",
    "public_id",
    "name",
    "status",
    "opens_on",
    "closes_on",
    "agreed_at",
    "framework_id",
    "framework_version_id",
)


def _facilitator_sources(facilitated: list[int], empty_partners: Counter) -> list:
    """What waits for a facilitator. Their systems' rounds are read first (a handful each);
    what else is asked depends on them: the returns of rounds in rating, the proposals of
    reviews, whether the latest agreed round has an issued return, the proposals returned in
    reviews and approvals. Then partners with nobody to rate (`empty_partners`, per system,
    counted by `home_cards` with the partners' names) and invitations not accepted."""
    rounds = list(
        Round.objects.filter(system__in=facilitated)
        .exclude(status=Round.Status.CANCELLED)
        .values(*ROUND_FIELDS)
    )
    return [
        ("", _round_rows(rounds)),
        ("proposal_returned", _returned_rows(rounds)),
        (
            "partners_empty",
            [
                {"a_system": system_id, "a_n": n}
                for system_id, n in empty_partners.items()
                if n and system_id in facilitated
            ],
        ),
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
            a_system="system_id",
            a_n="n",
        ),
    ]


def _round_row(kind: str, round_: dict, **columns) -> dict:
    return {
        "a_kind": kind,
        "a_system": round_["system_id"],
        "a_round": round_["public_id"],
        "a_name": round_["name"],
        "a_label": round_["status"],
        "a_on": round_["closes_on"],
        **columns,
    }


def _round_rows(rounds: list[dict]) -> list[dict]:
    """A draft or a round in rating (open it, watch it, reveal it: its returns counted); a
    review whose every rated change has a proposed level (submit it for approval); the latest
    round of a system when it is agreed and has no issued return (plan it and issue its
    return). At most three small queries, each only when such rounds exist."""
    running = [r for r in rounds if r["status"] in (Round.Status.DRAFT, Round.Status.RATING)]
    reviews = [r for r in rounds if r["status"] == Round.Status.REVIEW]
    latest: dict[int, date] = {}
    for r in rounds:
        latest[r["system_id"]] = max(r["opens_on"], latest.get(r["system_id"], r["opens_on"]))
    agreed = [
        r
        for r in rounds
        if r["status"] == Round.Status.AGREED and r["opens_on"] == latest[r["system_id"]]
    ]
    rows = []
    if running:
        returns = Counter()
        submitted = Counter()
        for round_id, submitted_at in (
            PartnerReturn.objects.filter(round__in=[r["pk"] for r in running])
            .order_by()
            .values_list("round", "submitted_at")
        ):
            returns[round_id] += 1
            submitted[round_id] += submitted_at is not None
        rows += [
            _round_row("round_running", r, a_n=returns[r["pk"]], a_m=submitted[r["pk"]])
            for r in running
        ]
    if reviews:
        proposed = Counter(
            Consensus.objects.filter(
                round__in=[r["pk"] for r in reviews], state=Consensus.State.PROPOSED
            ).values_list("round", flat=True)
        )
        rows += [
            _round_row("round_proposed", r, a_n=proposed[r["pk"]])
            for r in reviews
            if _ready_for_approval(r, proposed[r["pk"]])
        ]
    if agreed:
        issued = set(
            IssuedReturn.objects.filter(round__in=[r["pk"] for r in agreed]).values_list(
                "round", flat=True
            )
        )
        rows += [
            _round_row("round_agreed", r, a_at=r["agreed_at"])
            for r in agreed
            if r["pk"] not in issued
        ]
    return rows


def _ready_for_approval(round_: dict, proposed: int) -> bool:
    """A review round waits for its facilitator once each change it rates has a proposed level:
    the changes of its framework version that rounds rate (`FrameworkContent.live_changes`:
    enablers only where the framework rates them)."""
    if not proposed:
        return False
    pinned = Round(
        framework_id=round_["framework_id"], framework_version_id=round_["framework_version_id"]
    )
    return proposed >= len(content_for_round(pinned).live_changes)


def _returned_rows(rounds: list[dict]) -> list[dict]:
    """Proposals the steering committee returned, waiting for a new proposal, in the rounds in
    review or approval (one query, only when there are such rounds)."""
    deciding = {
        r["pk"]: r for r in rounds if r["status"] in (Round.Status.REVIEW, Round.Status.APPROVAL)
    }
    if not deciding:
        return []
    rows = []
    for round_id, code, full_name, email, reason, decided_at in Decision.objects.filter(
        RETURN_AWAITING_NEW_PROPOSAL, consensus__round__in=list(deciding)
    ).values_list(
        "consensus__round",
        "consensus__change__code",
        "decided_by__full_name",
        "decided_by__email",
        "reason",
        "decided_at",
    ):
        rows.append(
            _round_row(
                "proposal_returned",
                deciding[round_id],
                a_label=code,
                a_who=person_name(full_name, email),
                a_note=reason,
                a_on=None,
                a_at=decided_at,
            )
        )
    return rows


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
        a_n="waiting",
        a_system="system_id",
        a_round="public_id",
        a_name="name",
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
        a_system="system_id",
        a_n="n",
        a_m="m",
    )


def _returns_issued(regions):
    """Regional viewers: returns issued in their region within SOON_DAYS."""
    return _shaped(
        IssuedReturn.objects.filter(
            round__system__region__in=regions,
            issued_at__gte=timezone.now() - timedelta(days=SOON_DAYS),
        ),
        "return_issued",
        a_system="round__system_id",
        a_round="round__public_id",
        a_name="round__name",
        a_key="public_id",
        a_n="version",
        a_at="issued_at",
    )


def _held_systems(roles) -> set[int]:
    return {*roles.partner_ids_by_system, *roles.facilitator_of, *roles.steering_of}


def attention_rows(user, empty_partners: Counter) -> list[dict]:
    """Everything waiting for `user`: a row per item, its kind in `a_kind`. `empty_partners`:
    per system, how many of its partners have no member."""
    return [
        {"a_kind": kind, **row} if kind else row
        for kind, rows in _attention_sources(user, empty_partners)
        for row in rows
    ]


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
    queries (the systems; their partners, with whether each has a member) and the few of
    `attention_rows` for the kinds of role the person holds, whatever the number of systems,
    rounds and actions."""
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
    empty_partners: Counter = Counter()  # per system, partners with nobody to rate for them
    for partner_id, name, system_id, has_members in (
        Partner.objects.filter(system__in=ids)
        .order_by()
        .values_list(
            "pk", "name", "system_id", Exists(Member.objects.filter(partner=OuterRef("pk")))
        )
    ):
        partner_names.setdefault(system_id, {})[partner_id] = name
        empty_partners[system_id] += not has_members
    rows: dict[int, list[dict]] = {}
    for row in attention_rows(user, empty_partners):
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
