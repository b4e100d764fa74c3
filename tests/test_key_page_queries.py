"""The key pages run as many queries for 15 partners as for 3, and the home page as many for
several systems as for one: a page's cost must not grow with the data it shows.

The key pages are the ones `make bench` measures, seen by the same people. The others are
measured at the same two sizes beside their own tests: the rating change page in
assessments/test_partner_return.py, the review, change review, approval, audit and agreed pages
(a round in approval) in assessments/test_consensus_queries.py, the plan and action pages in
improvement_plans/test_queries.py.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Change, Comment, PartnerReturn, Round
from assessments.services import role_grant
from casestudies.models import CaseStudy
from tests.assessments.helpers import reveal
from tests.factories import SystemFactory
from tests.helpers import add_partners, add_rated_partners, query_count
from tests.improvement_plans.helpers import make_action
from tests.returns.helpers import plan_round

pytestmark = pytest.mark.django_db


def assert_no_more_queries_after(client, url: str, grow, *, at_most: int) -> None:
    """`url` runs at most `at_most` queries, and after `grow()` no more than it did before.
    Both are counted on a second request: the first after logging in saves the session, and
    the first after a role changes reads the person's roles again."""
    client.get(url)
    before = query_count(client, url)
    assert before <= at_most
    grow()
    client.get(url)
    after = query_count(client, url)
    assert after <= before, f"{after} queries after growing, {before} before"


# --- Home ----------------------------------------------------------------------------------


@pytest.mark.parametrize("person", ["facilitator", "steering", "member", "viewer"])
def test_the_home_page_runs_as_many_queries_for_15_partners_as_for_3(
    client, cast, open_round, person
):
    add_rated_partners(open_round, 1)
    client.force_login(cast.roles()[person])
    assert_no_more_queries_after(
        client, "/", lambda: add_rated_partners(open_round, 12, first=1), at_most=12
    )


def add_system_in_rating(cast, person: str, n: int, framework) -> None:
    """A system of the cast's region in which `person` has their role, with three partners
    taking part in a round in rating, one of them `person`'s own when they are a member."""
    system = SystemFactory(region=cast.system.region, name=f"System {n}", slug=f"system-{n}")
    partners = [partner for partner, _ in add_partners(system, 3, first=3 * n)]
    user = cast.roles()[person]
    # Roles are granted through the service, as in the portal: it moves the person's cached
    # roles on.
    if person in ("facilitator", "steering", "member"):
        role_grant(
            user=user,
            role=person,
            system=system,
            partner=partners[0] if person == "member" else None,
            granted_by=cast.admin,
            tell_person=False,
        )
    today = timezone.localdate()
    round_ = Round.objects.create(
        system=system,
        name=f"Round of system {n}",
        framework=framework,
        status=Round.Status.RATING,
        opens_on=today,
        closes_on=today + timedelta(days=14),
        quorum=1,
        opened_at=timezone.now(),
    )
    for partner in partners:
        PartnerReturn.objects.create(round=round_, partner=partner)


@pytest.mark.parametrize("person", ["facilitator", "steering", "member", "viewer"])
def test_the_home_page_runs_as_many_queries_for_several_systems_as_for_one(
    client, cast, open_round, frameworks, person
):
    client.force_login(cast.roles()[person])

    def grow() -> None:
        for n in range(1, 5):
            add_system_in_rating(cast, person, n, frameworks["mtoc-2020"])

    assert_no_more_queries_after(client, "/", grow, at_most=12)
    assert "System 4" in client.get("/").content.decode()


# --- Review --------------------------------------------------------------------------------


def test_the_review_page_runs_as_many_queries_for_15_partners_as_for_3(client, cast, open_round):
    def add_partners_with_comments(count: int, first: int) -> None:
        change = open_round.framework.changes.get(code="1")
        for n, (_, member) in enumerate(
            add_rated_partners(open_round, count, first=first), start=first
        ):
            Comment.objects.create(
                round=open_round, change=change, author=member, text=f"From extra {n}"
            )

    add_partners_with_comments(1, first=0)
    reveal(open_round, cast)
    client.force_login(cast.facilitator)
    url = reverse("review", args=[open_round.public_id])
    assert_no_more_queries_after(
        client, url, lambda: add_partners_with_comments(12, first=1), at_most=6
    )
    assert "Extra 12" in client.get(url).content.decode()


# --- Framework change page -----------------------------------------------------------------


def test_the_framework_change_page_runs_as_many_queries_for_15_partners_as_for_3(
    client, cast, frameworks
):
    change = Change.objects.get(framework__key="mtoc-2020", code="3")

    def add_partners_with_case_studies(count: int, first: int) -> None:
        for partner, _ in add_partners(cast.system, count, first=first):
            study = CaseStudy.objects.create(
                slug=f"study-{partner.pk}",
                title=f"What {partner.name} did",
                place="Testshire",
                summary="s",
                what_they_did="w",
                outcomes="o",
                status=CaseStudy.Status.PUBLISHED,
                system=cast.system,
            )
            study.changes.set([change])

    add_partners_with_case_studies(1, first=0)
    client.force_login(cast.facilitator)
    url = reverse("change_detail", args=["mtoc-2020", "3"])
    assert_no_more_queries_after(
        client, url, lambda: add_partners_with_case_studies(12, first=1), at_most=5
    )
    assert "What Extra 12 did" in client.get(url).content.decode()


# --- Return preview ------------------------------------------------------------------------


def test_the_return_preview_runs_as_many_queries_for_15_partners_as_for_3(client, cast, frameworks):
    round_ = plan_round(cast, frameworks["mtoc-2020"])

    def add_partners_leading_actions(count: int, first: int) -> None:
        for n, (partner, member) in enumerate(
            add_partners(cast.system, count, first=first), start=first
        ):
            make_action(
                round_,
                title=f"Action led by extra {n}",
                code=str(1 + n % 9),
                lead_partner=partner,
                owner=member,
            )

    add_partners_leading_actions(1, first=0)
    client.force_login(cast.facilitator)
    url = reverse("return_preview", args=[round_.public_id])
    # 13: one of them reads the system's local measures of every change.
    assert_no_more_queries_after(
        client, url, lambda: add_partners_leading_actions(12, first=1), at_most=13
    )
    assert "Action led by extra 12" in client.get(url).content.decode()
