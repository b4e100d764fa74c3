"""Who and what is measured: the key pages, the systems they are measured on, and the people.

Pages are looked up by URL name, so a page that is renamed or not built yet is skipped with a
note instead of failing the run. People log in by sessions made directly in the database, so
login throttling plays no part.
"""

import time
from collections import Counter
from dataclasses import dataclass, field, replace
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.urls import NoReverseMatch, get_resolver, reverse

from accounts.middleware import HAS_SECOND_FACTOR_KEY, RENEWED_AT_KEY
from accounts.sign_in import BY_PASSWORD, SIGN_IN_METHOD_KEY
from assessments.models import (
    Change,
    Member,
    NationalViewer,
    PartnerReturn,
    RegionalViewer,
    Round,
    System,
    SystemRole,
)
from benchmarks import national

BASELINE = "accessibility"
SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"
# The framework change page shown, and the framework it belongs to.
CHANGE_PAGE = ("mtoc-2020", "3")


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    url_names: tuple[str, ...]
    role: str  # facilitator, steering, member, viewer, national, or "" for nobody logged in
    round_status: str = ""  # which round of the system, when the URL takes one
    key_page: bool = True  # held to the built-afresh budget
    pdf: bool = False
    region: bool = False  # the URL's slug is the system's region's, not the system's


PAGES = [
    Page(BASELINE, "Accessibility statement (baseline)", ("accessibility",), "facilitator"),
    Page("healthz", "Health check (reference)", ("healthz",), "", key_page=False),
    Page("home", "Home page of a facilitator", ("home",), "facilitator"),
    Page("rating", "Partner's change page in rating", ("rating_edit",), "member", "rating"),
    Page("review", "Review page (15 partners)", ("review",), "facilitator", "review"),
    Page("approval", "Approval page", ("approval",), "steering", "approval"),
    Page("plan", "Plan page", ("plan",), "facilitator", "agreed"),
    Page("change", "Framework change page", ("change_detail",), "facilitator"),
    Page("return_preview", "Return preview", ("return_preview",), "facilitator", "agreed"),
    # `return_pdf` serves only an issued return; the draft file renders one afresh.
    Page(
        "return_pdf",
        "Return PDF",
        ("return_pdf", "return_draft_file"),
        "facilitator",
        "agreed",
        key_page=False,
        pdf=True,
    ),
    # The region's pages, read by its regional viewer; the national summary by a national
    # viewer. The zip copies the stored PDFs of the region's latest issued returns (the first
    # system's region has them: benchmarks/national/regions.py).
    Page("region", "Region page", ("region",), "viewer", region=True),
    Page("national_summary", "National summary", ("national_summary",), "national"),
    Page("region_zip", "Region's returns (zip)", ("region_returns_zip",), "viewer", region=True),
]
PAGES_BY_KEY = {page.key: page for page in PAGES}


@dataclass
class Target:
    """The people and rounds of one system that the pages are measured on."""

    label: str
    system: System
    partners: int
    facilitator: object
    steering: object
    member: object
    member_partner: object
    rounds: dict[str, Round]
    change_code: str
    viewer: object = None  # a regional viewer of the system's region
    national: object = None  # a national viewer


def target(system: System, label: str) -> Target:
    rounds: dict[str, Round] = {}
    for round_ in Round.objects.filter(system=system).select_related("framework", "system"):
        if round_.status == Round.Status.AGREED:
            if "agreed" not in rounds or round_.agreed_at > rounds["agreed"].agreed_at:
                rounds["agreed"] = round_
        else:
            rounds[round_.status] = round_
    roles = {
        role: SystemRole.objects.filter(system=system, role=role)
        .select_related("user")
        .order_by("user__email")
        .first()
        .user
        for role in (SystemRole.Role.FACILITATOR, SystemRole.Role.STEERING)
    }
    # A partner part of the way through its return: its change page is a form to fill in.
    returns = list(
        PartnerReturn.objects.filter(round=rounds["rating"], submitted_at=None)
        .select_related("partner")
        .order_by("partner__name")
    )
    rated = set(rounds["rating"].ratings.values_list("partner_id", flat=True))
    partner_return = next((r for r in returns if r.partner_id in rated), returns[0])
    member = (
        Member.objects.filter(partner=partner_return.partner)
        .select_related("user")
        .order_by("user__email")
        .first()
    )
    rating = (
        rounds["rating"]
        .ratings.filter(partner=partner_return.partner)
        .select_related("change")
        .order_by("change__position")
        .first()
    )
    return Target(
        label=label,
        system=system,
        partners=system.partners.count(),
        facilitator=roles[SystemRole.Role.FACILITATOR],
        steering=roles[SystemRole.Role.STEERING],
        member=member.user,
        member_partner=partner_return.partner,
        rounds=rounds,
        change_code=rating.change.code if rating else "1",
        viewer=_first_user(RegionalViewer.objects.filter(region_id=system.region_id)),
        national=_first_user(NationalViewer.objects.all()),
    )


def _first_user(holders):
    holder = holders.select_related("user").order_by("user__email").first()
    return holder.user if holder else None


def national_by_age():
    """The national systems, first seeded first, without the reference system."""
    return national.national_systems().exclude(slug=national.REFERENCE_SLUG).order_by("slug")


def targets() -> tuple[Target, Target, Target]:
    """The first and the last seeded national systems (15 partners each) and the 3-partner
    reference system, seeded after them all."""
    systems = national_by_age()
    return (
        target(systems.first(), "first system, 15 partners"),
        target(systems.last(), "last system, 15 partners"),
        target(System.objects.get(slug=national.REFERENCE_SLUG), "reference, 3 partners"),
    )


def _url_params(name: str) -> list[str] | None:
    """The parameters of a named URL, or None when the URLconf has no such name."""
    possibilities = get_resolver().reverse_dict.getlist(name)
    if not possibilities:
        return None
    return list(possibilities[0][0][0][1])


def page_url(page: Page, target: Target | None) -> tuple[str, str, str]:
    """(path, URL name, note): the page's address for this target, or a note on why not."""
    notes = []
    for name in page.url_names:
        params = _url_params(name)
        if params is None:
            notes.append(f"no URL named {name}")
            continue
        round_ = target.rounds.get(page.round_status) if page.round_status else None
        values = {
            "public_id": round_.public_id if round_ else None,
            "partner_id": target.member_partner.public_id,
            "code": CHANGE_PAGE[1] if page.key == "change" else target.change_code,
            "key": CHANGE_PAGE[0],
            "slug": target.system.region.slug if page.region else target.system.slug,
            "file_format": "pdf",
        }
        missing = [p for p in params if values.get(p) is None]
        if missing:
            notes.append(f"{name} takes {', '.join(missing)}, which the benchmark cannot fill")
            continue
        try:
            return reverse(name, kwargs={p: values[p] for p in params}), name, ""
        except NoReverseMatch as error:
            notes.append(f"{name}: {error}")
    return "", "", "; ".join(notes)


def only_url_name(page: Page, name: str) -> Page:
    return replace(page, url_names=(name,))


def user_for(page: Page, target: Target):
    return {
        "facilitator": target.facilitator,
        "steering": target.steering,
        "member": target.member,
        "viewer": target.viewer,
        "national": target.national,
    }.get(page.role)


class Sessions:
    """Sessions made directly in the database, one a person, deleted at the end."""

    def __init__(self):
        self.engine = import_module(settings.SESSION_ENGINE)
        self.stores = {}

    def key(self, user) -> str:
        if user.pk not in self.stores:
            store = self.engine.SessionStore()
            store[SESSION_KEY] = user._meta.pk.value_to_string(user)
            store[BACKEND_SESSION_KEY] = SESSION_BACKEND
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            # As after signing in with a password and an authenticator app's code, renewed now.
            store[SIGN_IN_METHOD_KEY] = BY_PASSWORD
            store[HAS_SECOND_FACTOR_KEY] = True
            store[RENEWED_AT_KEY] = int(time.time())
            store.create()
            self.stores[user.pk] = store
        return self.stores[user.pk].session_key

    def cookie(self, user) -> str:
        return "" if user is None else f"{settings.SESSION_COOKIE_NAME}={self.key(user)}"

    def delete(self) -> None:
        for store in self.stores.values():
            store.delete()
        self.stores.clear()


# ---------------------------------------------------------------------------
# Deadline day: who saves drafts and who reads


@dataclass
class DeadlineMember:
    user: object
    change_paths: list[str]


@dataclass
class DeadlineReader:
    user: object
    pages: list[tuple[str, str]] = field(default_factory=list)  # (request type, path)


def deadline_members(count: int) -> list[DeadlineMember]:
    """`count` partner members with a return open in a rating round, each cycling through
    their return's changes. One member a partner while partners last; then a partner's second
    member takes every other change, so two people never save the same rating at once."""
    returns = list(
        PartnerReturn.objects.filter(
            round__system__in=national_by_age(),
            round__status=Round.Status.RATING,
            submitted_at=None,
        )
        .select_related("round", "partner")
        .order_by("round__system__slug", "partner__name")
    )
    members_of = {
        r.pk: [
            m.user
            for m in Member.objects.filter(partner=r.partner)
            .select_related("user")
            .order_by("user__email")
        ]
        for r in returns
    }
    chosen = []  # (return, person, which of the partner's people)
    for turn in range(max((len(users) for users in members_of.values()), default=0)):
        for partner_return in returns:
            users = members_of[partner_return.pk]
            if len(chosen) < count and turn < len(users):
                chosen.append((partner_return, users[turn], turn))
    sharing = Counter(partner_return.pk for partner_return, _, _ in chosen)
    codes: dict[int, list[str]] = {}
    result = []
    for partner_return, user, turn in chosen:
        round_ = partner_return.round
        if round_.framework_id not in codes:
            codes[round_.framework_id] = list(
                Change.objects.filter(framework_id=round_.framework_id, archived=False)
                .order_by("position")
                .values_list("code", flat=True)
            )
        mine = codes[round_.framework_id][turn :: sharing[partner_return.pk]]
        paths = [
            reverse("rating_edit", args=[round_.public_id, partner_return.partner.public_id, code])
            for code in mine
        ]
        result.append(DeadlineMember(user=user, change_paths=paths))
    return result


def deadline_readers(count: int) -> list[DeadlineReader]:
    """`count` facilitators and steering members, system by system, each with the review,
    approval and plan pages of their own system (the caller keeps those they may see)."""
    readers: list[DeadlineReader] = []
    for system in national_by_age():
        if len(readers) >= count:
            break
        system_target = target(system, system.slug)
        pages = []
        for key in ("review", "approval", "plan"):
            path, _, _ = page_url(PAGES_BY_KEY[key], system_target)
            if path:
                pages.append((key, path))
        people = (
            SystemRole.objects.filter(system=system)
            .select_related("user")
            .order_by("role", "user__email")
        )
        readers.extend(DeadlineReader(user=role.user, pages=list(pages)) for role in people)
    return readers[:count]
