"""benchmarks.national: national-scale benchmark data, deterministic, marked, and made once."""

import hashlib

import pytest
from django.db import transaction

from assessments.models import (
    Consensus,
    Decision,
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
from assessments.selectors import previous_agreed_levels
from benchmarks import national
from hicm_portal.models import User
from improvement_plans.models import (
    Action,
    FundingLine,
    Investment,
    InvestmentChange,
    ProgressUpdate,
)

pytestmark = pytest.mark.django_db

SYSTEMS = 2


def fingerprint() -> str:
    """A digest of the national data by natural keys (database ids may differ)."""
    rows = [
        *System.objects.order_by("slug").values_list("slug", "name", "region__slug"),
        *User.objects.order_by("email").values_list("email", "full_name"),
        *Partner.objects.order_by("public_id").values_list("public_id", "name", "system__slug"),
        *Round.objects.order_by("public_id").values_list(
            "public_id", "name", "status", "framework__key", "previous_round__public_id"
        ),
        *Rating.objects.order_by("round__public_id", "partner__public_id", "change__code")
        .values_list("round__public_id", "partner__public_id", "change__code", "level__number")
        .distinct(),
        *Rating.objects.order_by("rationale").values_list("rationale", flat=True)[:200],
        *Consensus.objects.order_by("round__public_id", "change__code").values_list(
            "round__public_id", "change__code", "level__number", "planned_level__number"
        ),
        *Action.objects.order_by("public_id").values_list(
            "public_id", "title", "status", "due_date", "lead_partner__public_id"
        ),
        *ProgressUpdate.objects.order_by("action__public_id", "on", "note").values_list(
            "action__public_id", "on", "note"
        ),
        *Investment.objects.order_by("public_id").values_list("public_id", "scheme_name"),
        *FundingLine.objects.order_by("investment__public_id", "source").values_list(
            "investment__public_id", "source", "amount"
        ),
        *InvestmentChange.objects.order_by("investment__public_id", "change__code").values_list(
            "investment__public_id", "change__code", "amount"
        ),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def seeded_fingerprint(seed: int) -> str:
    """Seed, take the fingerprint, and roll the data back."""
    with transaction.atomic():
        national.seed_national(systems=1, seed=seed, password="bench-password-1")
        digest = fingerprint()
        transaction.set_rollback(True)
    return digest


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(frameworks):
    first = seeded_fingerprint(7)
    assert not national.national_present()
    assert seeded_fingerprint(7) == first
    assert seeded_fingerprint(8) != first


@pytest.fixture
def seeded(frameworks):
    return national.seed_national(systems=SYSTEMS, seed=1, password="bench-password-1")


def national_system(index: int = 1) -> System:
    return System.objects.get(slug__startswith=f"{national.PREFIX}{index:03d}-")


def test_it_makes_the_design_size_for_each_system_and_a_small_reference(seeded):
    assert seeded.created
    assert national.national_systems().count() == SYSTEMS + 1
    assert Region.objects.filter(slug__startswith=national.PREFIX).count() == 9 + 1
    assert RegionalViewer.objects.filter(region__slug__startswith=national.PREFIX).count() == 10
    system = national_system()
    assert system.partners.count() == 15
    assert Member.objects.filter(partner__system=system).count() == 30
    assert SystemRole.objects.filter(system=system, role="facilitator").count() == 1
    assert SystemRole.objects.filter(system=system, role="steering").count() == 3
    reference = System.objects.get(slug=national.REFERENCE_SLUG)
    assert reference.partners.count() == 3
    assert Round.objects.filter(system=reference, status="agreed").count() == 2
    assert Action.objects.filter(system=system).count() == sum(national.ACTIONS_PER_PLAN) == 40
    assert Action.objects.filter(system=reference).count() == 5
    assert ProgressUpdate.objects.filter(action__system=system).count() > 40
    assert Investment.objects.filter(round__system=system).count() >= 5 * 3


def test_every_system_has_eight_agreed_rounds_and_one_in_each_other_state(seeded):
    for system in national.national_systems().exclude(slug=national.REFERENCE_SLUG):
        statuses = list(Round.objects.filter(system=system).values_list("status", flat=True))
        assert statuses.count("agreed") == 8
        for status in ("draft", "rating", "review", "approval"):
            assert statuses.count(status) == 1


def test_agreed_rounds_span_2017_and_2020_joined_through_the_crosswalk(seeded):
    system = national_system()
    agreed = list(
        Round.objects.filter(system=system, status="agreed")
        .select_related("framework", "previous_round__framework")
        .order_by("closes_on")
    )
    assert [r.framework.key for r in agreed] == ["mtoc-2017"] * 3 + ["mtoc-2020"] * 5
    assert agreed[0].previous_round is None
    for earlier, later in zip(agreed, agreed[1:], strict=False):
        assert later.previous_round == earlier
    first_2020 = agreed[3]
    assert first_2020.previous_round.framework.key == "mtoc-2017"
    # Its context levels come over the crosswalk, from the 2017 round's consensus.
    assert len(previous_agreed_levels(first_2020)) == 8


def test_agreed_rounds_are_complete_with_ratings_consensus_and_a_quorum(seeded):
    system = national_system()
    round_ = Round.objects.filter(system=system, framework__key="mtoc-2020", status="agreed")[0]
    assert Rating.objects.filter(round=round_).count() == 15 * 9
    assert PartnerReturn.objects.filter(round=round_, submitted_at__isnull=False).count() == 15
    assert Consensus.objects.filter(round=round_, state="approved").count() == 9
    for consensus in Consensus.objects.filter(round=round_):
        assert Decision.objects.filter(consensus=consensus, kind="approve").count() >= (
            round_.quorum
        )
    lengths = [
        len(r) for r in Rating.objects.filter(round=round_).values_list("rationale", flat=True)
    ]
    assert min(lengths) > 100 and max(lengths) < 1500


def test_rounds_under_way_look_like_their_state(seeded):
    system = national_system()
    rating = Round.objects.get(system=system, status="rating")
    submitted = PartnerReturn.objects.filter(round=rating, submitted_at__isnull=False).count()
    assert 0 < submitted < 15
    assert Rating.objects.filter(round=rating).values("partner").distinct().count() > submitted
    draft = Round.objects.get(system=system, status="draft")
    assert not Rating.objects.filter(round=draft).exists()
    assert PartnerReturn.objects.filter(round=draft).count() == 15
    review = Round.objects.get(system=system, status="review")
    assert review.revealed_at is not None
    assert PartnerReturn.objects.filter(round=review, missing_at_reveal=True).count() == 1
    approval = Round.objects.get(system=system, status="approval")
    assert Consensus.objects.filter(round=approval, state="proposed").count() == 9


def test_everyone_made_is_marked_national_and_shares_the_password(seeded):
    emails = list(User.objects.values_list("email", flat=True))
    assert emails and all(e.endswith(f"@{national.DOMAIN}") for e in emails)
    assert all(s.startswith(national.PREFIX) for s in System.objects.values_list("slug", flat=True))
    user = User.objects.get(email=national.address("s001-facilitator"))
    assert user.check_password("bench-password-1")
