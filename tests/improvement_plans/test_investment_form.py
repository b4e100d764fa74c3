"""The investment form: several funding lines typed as people write money, an allocation per
change, and errors in the GOV.UK error summary with nothing typed lost."""

from decimal import Decimal

import pytest

from improvement_plans.models import Investment, InvestmentChange
from tests.improvement_plans.helpers import errors_of, make_investment, plan_url

pytestmark = pytest.mark.django_db


def change_pk(round_, code: str) -> int:
    return round_.framework.changes.get(code=code).pk


def form(round_, **overrides) -> dict:
    return {
        "scheme_name": "Winter discharge capacity",
        "financial_year": "2026/27",
        "line_1_source": "discharge",
        "line_1_amount": "£100,000.50",
        "line_2_source": "bcf",
        "line_2_amount": "25,000",
        "line_3_source": "",
        "line_3_amount": "",
        "changes": [change_pk(round_, "4"), change_pk(round_, "5")],
        **overrides,
    }


def test_a_scheme_with_two_funding_lines_allocated_across_two_changes_is_saved(
    client, cast, agreed
):
    client.force_login(cast.facilitator)
    response = client.post(
        plan_url(agreed, "investment_new"),
        form(
            agreed,
            **{
                f"allocation_{change_pk(agreed, '4')}": "75,000.50",
                f"allocation_{change_pk(agreed, '5')}": "£50,000",
            },
        ),
    )
    assert response.status_code == 302, errors_of(response)
    investment = Investment.objects.with_total().get()
    assert investment.total == Decimal("125000.50")
    assert [(line.source, line.amount) for line in investment.funding_lines.all()] == [
        ("discharge", Decimal("100000.50")),
        ("bcf", Decimal("25000.00")),
    ]
    links = InvestmentChange.objects.filter(investment=investment).order_by("change__position")
    assert [(link.change.code, link.amount) for link in links] == [
        ("4", Decimal("75000.50")),
        ("5", Decimal("50000.00")),
    ]
    plan = client.get(plan_url(agreed)).content.decode()
    assert "Discharge funding £100,000.50" in plan and "Better Care Fund £25,000.00" in plan
    assert "4 (£75,000.50), 5 (£50,000.00)" in plan
    assert "£125,000.50" in plan


def test_the_form_offers_rows_for_every_line_of_a_scheme_being_changed(client, cast, agreed):
    investment = make_investment(
        agreed,
        lines=[("bcf", "1.00"), ("ibcf", "2.00"), ("dfg", "3.00")],
        codes=("1", "4"),
        allocation=["5.00", "1.00"],
    )
    client.force_login(cast.facilitator)
    page = client.get(f"{plan_url(agreed)}investments/{investment.public_id}/")
    initial = page.context["form"].initial
    assert page.context["form"].line_rows == 4  # one blank row more than it has
    assert (initial["line_3_source"], initial["line_3_amount"]) == ("dfg", "3.00")
    assert initial[f"allocation_{change_pk(agreed, '1')}"] == "5.00"
    html = page.content.decode()
    assert "Funding line 4 (optional)" in html
    assert "How the money is allocated across the changes (optional)" in html


def test_allocations_that_do_not_add_up_are_shown_in_the_error_summary_and_nothing_is_lost(
    client, cast, agreed
):
    client.force_login(cast.facilitator)
    four, five = change_pk(agreed, "4"), change_pk(agreed, "5")
    response = client.post(
        plan_url(agreed, "investment_new"),
        form(agreed, **{f"allocation_{four}": "1,000", f"allocation_{five}": "2,000"}),
    )
    assert response.status_code == 200
    message = (
        "The allocations add up to £3,000.00 but the funding lines total £125,000.50: make "
        "them the same, or leave every allocation empty"
    )
    assert errors_of(response) == {f"allocation_{four}": [message]}
    html = response.content.decode()
    assert "govuk-error-summary" in html and message in html
    assert html.count('value="£100,000.50"') == 1 and 'value="2,000"' in html
    assert Investment.objects.count() == 0


def test_a_line_half_filled_and_an_allocation_to_a_change_not_served_are_named(
    client, cast, agreed
):
    client.force_login(cast.facilitator)
    one = change_pk(agreed, "1")
    response = client.post(
        plan_url(agreed, "investment_new"),
        form(agreed, line_3_amount="500", **{f"allocation_{one}": "10"}),
    )
    assert errors_of(response) == {
        "line_3_source": ["Funding line 3: select the funding source"],
        f"allocation_{one}": [
            "Allocation to change 1: the scheme does not serve this change; select it above or "
            "leave its amount empty"
        ],
    }
    assert Investment.objects.count() == 0


def test_a_scheme_without_an_allocation_serves_its_changes_shared(client, cast, agreed):
    client.force_login(cast.facilitator)
    response = client.post(plan_url(agreed, "investment_new"), form(agreed, ongoing="on"))
    assert response.status_code == 302
    investment = Investment.objects.get()
    assert investment.ongoing
    assert set(
        InvestmentChange.objects.filter(investment=investment).values_list("amount", flat=True)
    ) == {None}
    plan = client.get(plan_url(agreed)).content.decode()
    assert "4, 5 (shared)" in plan
    assert "Of which shared between changes, not allocated" in plan
