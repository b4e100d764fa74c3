"""Who may see a round is one rule: `Round.objects.visible_to`.

For every person of the cast and every state of a round, the queryset, the `view_round`
predicate and the round's page agree: those it lists open the page (200); the people of the
system it does not list yet are refused (403: a regional or national viewer before agreement);
everyone else gets 404, on every page of the round, and cannot learn it exists.
"""

import uuid
from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from assessments.models import (
    Change,
    Framework,
    Level,
    NationalViewer,
    PartnerReturn,
    Round,
    System,
)
from assessments.rules import can_view_round, can_view_system
from improvement_plans.models import IssuedReturn
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STATES = Round.Status.values
PARTICIPANTS = {"member", "other_member", "facilitator", "steering"}

# The rule, as DESIGN §3 states it: who sees a round in each state.
SEES = {
    "draft": {"facilitator"},
    "rating": PARTICIPANTS,
    "review": PARTICIPANTS,
    "approval": PARTICIPANTS,
    "agreed": PARTICIPANTS | {"viewer", "national"},
    "cancelled": PARTICIPANTS,  # stays where it was: with everyone who took part
}


def national_viewer():
    """A national viewer (the BCF national team): every region's agreed rounds."""
    user = UserFactory(email="national@test.example", full_name="Nat National")
    NationalViewer.objects.get_or_create(user=user)
    return user


def everyone(cast) -> dict:
    return {**cast.roles(), "national": national_viewer(), "admin": cast.admin}


def tiny_framework() -> Framework:
    framework = Framework.objects.create(
        key="tiny", version=1, title="Tiny", short_title="Tiny", publisher="Test", year=2025
    )
    Level.objects.create(framework=framework, number=1, name="Starting", definition="Begun")
    Change.objects.create(framework=framework, code="1", title="The first change", position=1)
    return framework


def round_in(cast, framework, state: str) -> Round:
    today = timezone.localdate()
    now = timezone.now()
    revealed = state in ("review", "approval", "agreed")
    round_ = Round.objects.create(
        system=cast.system,
        name=f"Round {state}",
        framework=framework,
        status=state,
        opens_on=today,
        closes_on=today + timedelta(days=14),
        quorum=1,
        created_by=cast.facilitator,
        opened_at=None if state == "draft" else now,
        revealed_at=now if revealed else None,
        agreed_at=now if state == "agreed" else None,
    )
    PartnerReturn.objects.create(round=round_, partner=cast.partner)
    PartnerReturn.objects.create(round=round_, partner=cast.other_partner)
    return round_


@pytest.mark.parametrize("state", STATES)
def test_the_queryset_the_predicate_and_the_round_page_agree(client, cast, state):
    round_ = round_in(cast, tiny_framework(), state)
    wrong = []
    for role, user in everyone(cast).items():
        listed = Round.objects.visible_to(user).filter(pk=round_.pk).exists()
        client.force_login(user)
        status = client.get(reverse("round_detail", args=[round_.public_id])).status_code
        sees_system = System.objects.visible_to(user).filter(pk=cast.system.pk).exists()
        expected = 200 if listed else 403 if sees_system and state != "draft" else 404
        if listed != (role in SEES[state]):
            wrong.append(f"{role}: visible_to says {listed}")
        if can_view_round(user, round_) != listed:
            wrong.append(f"{role}: can_view_round says {not listed}")
        # Django grants a superuser every permission; the site administrator still gets 404.
        if not user.is_superuser and user.has_perm("assessments.view_round", round_) != listed:
            wrong.append(f"{role}: view_round says {not listed}")
        if status != expected:
            wrong.append(f"{role}: the page answers {status}, expected {expected}")
    assert not wrong, f"in {state}: " + "; ".join(wrong)


@pytest.mark.parametrize("state", STATES)
def test_a_partners_return_is_visible_with_its_round(cast, state):
    round_ = round_in(cast, tiny_framework(), state)
    for role, user in everyone(cast).items():
        returns = set(PartnerReturn.objects.visible_to(user).filter(round=round_))
        expected = set(round_.returns.all()) if role in SEES[state] else set()
        assert returns == expected, role


def test_the_systems_a_person_sees_are_those_the_predicate_allows(cast):
    for role, user in everyone(cast).items():
        listed = set(System.objects.visible_to(user))
        allowed = {system for system in System.objects.all() if can_view_system(user, system)}
        assert listed == allowed, role


def test_the_round_list_shows_exactly_the_visible_rounds(client, cast):
    framework = tiny_framework()
    rounds = {state: round_in(cast, framework, state) for state in STATES}
    for role, user in {**cast.roles(), "national": national_viewer()}.items():
        client.force_login(user)
        response = client.get(reverse("round_list", args=[cast.system.slug]))
        if response.status_code == 404:
            assert not System.objects.visible_to(user).filter(pk=cast.system.pk).exists()
            continue
        shown = {r.name for r in response.context["rounds"]}
        assert shown == {rounds[s].name for s in STATES if role in SEES[s]}, role


def _round_urls(resolver=None, namespace=""):
    """Every named URL pattern of a round's pages (its id in `public_id`, under rounds/),
    and of an issued return, the API's too ("api:…"), with the names of its arguments."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace != "admin":
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from _round_urls(entry, inner)
        elif isinstance(entry, URLPattern):
            route = str(entry.pattern)
            if route.startswith("rounds/<uuid:public_id>/") or "<uuid:issued_id>" in route:
                yield f"{namespace}{entry.name}", list(entry.pattern.converters)


def _sample(round_, partner, issued) -> dict:
    return {
        "public_id": round_.public_id,
        "partner_id": partner.public_id,
        "code": "1",
        "comment_id": uuid.UUID(int=1),
        "investment_id": uuid.UUID(int=2),
        "measure_id": uuid.UUID(int=3),
        "issued_id": issued.public_id,
        "file_format": "pdf",
    }


def test_the_walk_finds_the_pages_of_a_round():
    names = {name for name, _ in _round_urls()}
    assert {"round_detail", "return_tasks", "review", "plan", "issued_return_file"} <= names
    assert len(names) >= 30


@pytest.mark.parametrize("state", STATES)
def test_an_outsider_gets_not_found_on_every_page_of_a_round(client, cast, state):
    round_ = round_in(cast, tiny_framework(), state)
    issued = IssuedReturn.objects.create(
        round=round_, version=1, data={}, html="", pdf=b"", xlsx=b"", checksum="0" * 64
    )
    sample = _sample(round_, cast.partner, issued)
    wrong = []
    # A member of another system, and a site administrator, whom Django grants every
    # permission: neither holds a role in this system.
    for role in ("outsider", "admin"):
        client.force_login(everyone(cast)[role])
        for name, arguments in _round_urls():
            path = reverse(name, kwargs={argument: sample[argument] for argument in arguments})
            response = client.get(path)
            if response.status_code == 405:  # a form's target: answers a POST only
                response = client.post(path)
            if response.status_code != 404:
                wrong.append(f"{role} {name}: {response.status_code}")
    assert not wrong, f"in {state}: " + "; ".join(wrong)


@pytest.mark.parametrize("state", [s for s in STATES if s != "agreed"])
def test_a_national_viewer_gets_nothing_of_a_round_before_agreement(client, cast, state):
    """A national viewer sees every system, so a round's pages refuse them (403), or, for a
    draft, do not exist for them (404): on no page of a round not yet agreed do they read it."""
    round_ = round_in(cast, tiny_framework(), state)
    issued = IssuedReturn.objects.create(
        round=round_, version=1, data={}, html="", pdf=b"", xlsx=b"", checksum="0" * 64
    )
    sample = _sample(round_, cast.partner, issued)
    client.force_login(national_viewer())
    wrong = []
    for name, arguments in _round_urls():
        path = reverse(name, kwargs={argument: sample[argument] for argument in arguments})
        response = client.get(path)
        if response.status_code == 405:  # a form's target: answers a POST only
            response = client.post(path)
        if response.status_code not in (403, 404):
            wrong.append(f"{name}: {response.status_code}")
    assert not wrong, f"in {state}: " + "; ".join(wrong)
