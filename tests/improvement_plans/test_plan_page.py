"""The plan page of an agreed round: levels, gaps, actions, investment and practice."""

from decimal import Decimal

import pytest

from casestudies.models import CaseStudy
from improvement_plans.models import Action
from tests.improvement_plans.helpers import (
    make_action,
    make_investment,
    plan_url,
    planned_by,
)

pytestmark = pytest.mark.django_db


def rows_by_code(response) -> dict:
    return {row.change.code: row for row in response.context["rows"]}


def card(html: str, code: str) -> str:
    """The summary card of one change on the plan page."""
    start = html.index(f'id="change-{code}"')
    end = html.find('class="govuk-summary-card"', start)
    return html[start : end if end != -1 else len(html)]


def test_each_change_shows_its_agreed_and_planned_level_its_date_and_its_gap(client, cast, agreed):
    client.force_login(cast.member)
    response = client.get(plan_url(agreed))
    assert response.status_code == 200
    rows = rows_by_code(response)
    assert list(rows) == [str(n) for n in range(1, 10)]
    assert (rows["1"].gap, rows["4"].gap, rows["2"].gap) == (1, 2, 0)
    html = response.content.decode()
    first = card(html, "1")
    assert "3 Established" in first and "4 Mature" in first
    assert f"by {planned_by():%-d %B %Y}" in first
    assert "1 level<" in first
    fourth = card(html, "4")
    assert "2 Plans in place" in fourth and "2 levels" in fourth
    second = card(html, "2")
    assert '<dd class="govuk-summary-list__value">None</dd>' in second
    assert " by " not in second


def test_a_change_with_a_gap_and_no_open_action_is_flagged(client, cast, owner, agreed):
    make_action(agreed, code="1", lead_partner=cast.partner, owner=owner, title="Hub")
    make_action(
        agreed,
        code="4",
        lead_partner=cast.partner,
        owner=owner,
        title="Finished work",
        status=Action.Status.DONE,
    )
    make_action(
        agreed,
        code="2",
        lead_partner=cast.partner,
        owner=owner,
        title="Not needed",
        status=Action.Status.CANCELLED,
    )
    client.force_login(cast.steering)
    response = client.get(plan_url(agreed))
    rows = rows_by_code(response)
    assert not rows["1"].needs_action  # gap, with an open action
    assert rows["4"].needs_action  # gap, and its only action is done
    assert not rows["2"].needs_action  # no gap
    html = response.content.decode()
    assert "Gap with no action" in card(html, "4")
    assert "Gap with no action" not in card(html, "1")
    assert "Gap with no action" not in card(html, "2")
    assert html.count("Gap with no action") == 1
    assert response.context["flagged"] == 1
    assert "1 change with a gap has no action" in html


def test_investments_are_totalled_by_source_year_and_change_counting_each_once(
    client, cast, agreed
):
    make_investment(agreed, scheme="Hub staff", amount="1000.00", year="2026/27", codes=("1",))
    make_investment(
        agreed,
        scheme="Home first",
        source="ibcf",
        amount="2500.50",
        year="2026/27",
        codes=("1", "4"),
    )
    make_investment(
        agreed, scheme="Adaptations", source="dfg", amount="400.00", year="2027/28", codes=("4",)
    )
    client.force_login(cast.viewer)
    response = client.get(plan_url(agreed))
    totals = response.context["totals"]
    assert totals["total"] == Decimal("3900.50")
    assert dict(totals["by_source"]) == {
        "Better Care Fund": Decimal("1000.00"),
        "Improved Better Care Fund (iBCF)": Decimal("2500.50"),
        "Disabled Facilities Grant": Decimal("400.00"),
    }
    assert totals["by_year"] == [("2026/27", Decimal("3500.50")), ("2027/28", Decimal("400.00"))]
    rows = rows_by_code(response)
    # The unallocated scheme serving 1 and 4 is shared: beside each, never in their figures.
    assert (rows["1"].invested, rows["1"].shared) == (Decimal("1000.00"), Decimal("2500.50"))
    assert (rows["4"].invested, rows["4"].shared) == (Decimal("400.00"), Decimal("2500.50"))
    assert rows["2"].invested == Decimal("0")
    assert totals["shared"] == Decimal("2500.50")
    allocated = sum((row.invested for row in rows.values()), Decimal("0"))
    assert allocated + totals["shared"] == totals["total"]
    html = response.content.decode()
    assert "£3,900.50" in html  # the overall total
    assert "£1,000.00" in card(html, "1") and "£400.00" in card(html, "4")
    assert "£2,500.50 shared with other changes" in card(html, "4")
    assert "Totals by funding source" in html and "Totals by financial year" in html
    assert "1, 4 (shared)" in html  # the changes the shared investment serves


def test_practice_from_elsewhere_appears_beside_a_gap_when_a_published_case_study_is_linked(
    client, cast, agreed
):
    def study(slug, code, status=CaseStudy.Status.PUBLISHED):
        case_study = CaseStudy.objects.create(
            slug=slug,
            title=f"How {slug} did it",
            place="Northshire",
            summary="Summary",
            what_they_did="Work",
            outcomes="Better",
            status=status,
        )
        case_study.changes.set(agreed.framework.changes.filter(code=code))
        return case_study

    study("northshire", "1")
    study("draftshire", "4", status=CaseStudy.Status.DRAFT)
    study("southshire", "2")  # no gap on change 2
    client.force_login(cast.member)
    html = client.get(plan_url(agreed)).content.decode()
    assert "Practice from elsewhere (1)" in card(html, "1")
    assert "How northshire did it" in card(html, "1")
    assert "/case-studies/northshire/" in card(html, "1")
    assert "Practice from elsewhere" not in card(html, "4")  # only a draft
    assert "Practice from elsewhere" not in card(html, "2")  # no gap
    assert "southshire" not in html
