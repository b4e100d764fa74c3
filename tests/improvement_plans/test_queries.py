"""The plan page, an action's page and the action lists run as many queries for 15 partners
as for 3, whatever the number of actions, updates, investments and case studies."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casestudies.models import CaseStudy
from improvement_plans.models import Action
from tests.helpers import add_partners, query_count
from tests.improvement_plans.helpers import (
    action_url,
    agreed_round,
    make_action,
    make_investment,
    make_update,
    plan_url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_plan(cast, owner, frameworks):
    earlier = agreed_round(cast.system, frameworks["mtoc-2017"], name="2019/20", gaps={})
    make_action(earlier, title="Carried", code="5", lead_partner=cast.partner, owner=owner)
    round_ = agreed_round(cast.system, frameworks["mtoc-2020"], previous_round=earlier)
    action = make_action(round_, title="First", lead_partner=cast.partner, owner=owner)
    make_update(action, owner, "Started")
    today = timezone.localdate()
    make_action(
        round_,
        title="Late",
        code="4",
        lead_partner=cast.other_partner,
        owner=owner,
        start=today - timedelta(days=60),
        due=today - timedelta(days=5),
    )
    investment = make_investment(round_, codes=("1", "4"))
    action.investments.add(investment)
    [(third_partner, _)] = add_partners(cast.system, 1)  # the cast's two partners and one more
    action.contributing_partners.add(cast.other_partner, third_partner)
    return round_, action


def grow(round_, action, cast, owner) -> None:
    """Ten more actions with updates, five more investments, twelve more partners (15 in
    all) with members, case studies for the gaps, and more on the measured action itself."""
    today = timezone.localdate()
    partners = [partner for partner, _ in add_partners(cast.system, 12, first=1)]
    investments = [
        make_investment(
            round_,
            scheme=f"Scheme {n}",
            source=["bcf", "ibcf", "dfg", "discharge", "other"][n],
            amount=f"{1000 * (n + 1)}.00",
            year=f"202{6 + n % 2}/2{7 + n % 2}",
            codes=(str(1 + n), str(2 + n)),
        )
        for n in range(5)
    ]
    for n in range(10):
        extra = make_action(
            round_,
            title=f"Extra action {n}",
            code=str(1 + n % 9),
            lead_partner=partners[n],
            owner=owner if n % 2 else cast.member,
            status=Action.Status.values[n % 5],
            start=today - timedelta(days=60),
            due=today + timedelta(days=n * 7 - 20),
            target_level=round_.framework.levels.get(number=4),
        )
        extra.contributing_partners.set(partners[:2])
        extra.investments.set(investments[: n % 3 + 1])
        for k in range(2):
            make_update(extra, owner, f"Update {k} on {n}", new_status="in_progress")
    action.contributing_partners.add(*partners)
    action.investments.add(*investments)
    for k in range(6):
        make_update(action, cast.member, f"More news {k}", on=today - timedelta(days=k))
    for n in range(3):
        study = CaseStudy.objects.create(
            slug=f"study-{n}",
            title=f"Study {n}",
            place="Northshire",
            summary="s",
            what_they_did="w",
            outcomes="o",
            status="published",
        )
        study.changes.set(round_.framework.changes.filter(code__in=["1", "4"]))


def test_page_queries_do_not_grow_with_the_plan_or_from_3_partners_to_15(
    client, cast, owner, small_plan
):
    round_, action = small_plan
    pages = {
        "plan (facilitator)": (cast.facilitator, plan_url(round_)),
        "plan (viewer)": (cast.viewer, plan_url(round_)),
        "action detail": (cast.member, action_url(action)),
        "action edit": (cast.facilitator, action_url(action, "action_edit")),
        "system actions": (cast.steering, reverse("system_actions", args=[cast.system.slug])),
        "system actions, filtered": (
            cast.member,
            reverse("system_actions", args=[cast.system.slug]) + "?status=not_started&change=",
        ),
        "system actions, overdue": (
            cast.viewer,
            reverse("system_actions", args=[cast.system.slug]) + "?overdue=on",
        ),
        "system actions, csv": (
            cast.member,
            reverse("system_actions", args=[cast.system.slug]) + "?export=csv",
        ),
        "my actions": (owner, reverse("my_actions")),
        "new action": (cast.facilitator, plan_url(round_, "action_new")),
    }

    def measure() -> dict[str, int]:
        counts = {}
        for name, (user, url) in pages.items():
            client.force_login(user)
            client.get(url)  # saves the session; reads the person's roles and the framework
            counts[name] = query_count(client, url)
        return counts

    before = measure()
    grow(round_, action, cast, owner)
    after = measure()
    assert after == before
    assert Action.objects.count() == 13


def test_the_plan_page_stays_under_a_fixed_ceiling(client, cast, owner, small_plan):
    round_, action = small_plan
    grow(round_, action, cast, owner)
    client.force_login(cast.facilitator)
    client.get(plan_url(round_))  # saves the session; reads the person's roles and the framework
    # Session, user, round; consensus, crosswalk, earlier rounds, actions, investments, case
    # studies, local measures.
    assert query_count(client, plan_url(round_)) <= 10
    assert query_count(client, action_url(action)) <= 20
