"""Investments that add up: a scheme's funding lines and its total, its allocation across the
changes it serves (`investment_save`, `check_investment`), totals per change that never count a
scheme twice (`investment_totals`, on the plan and in the return), and open schemes carried
into the next plan."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessments.models import AuditEvent
from improvement_plans.models import Investment, InvestmentChange
from improvement_plans.return_selectors import return_data
from improvement_plans.selectors import investment_totals, plan_investments, plan_rows
from improvement_plans.services import FundingLineInput, InvestmentInput, investment_save
from tests.improvement_plans.helpers import agreed_round, make_investment

pytestmark = pytest.mark.django_db


def changes_of(round_, *codes):
    return list(round_.framework.changes.filter(code__in=codes).order_by("position"))


def scheme(round_, *, lines=(("bcf", "600"), ("ibcf", "400")), codes=("1", "4"), **fields):
    return InvestmentInput(
        scheme_name=fields.pop("scheme_name", "Home first"),
        financial_year=fields.pop("financial_year", "2026/27"),
        lines=[FundingLineInput(source, Decimal(amount)) for source, amount in lines],
        changes=changes_of(round_, *codes),
        **fields,
    )


def problems(round_, cast, data) -> dict:
    with pytest.raises(ValidationError) as refused:
        investment_save(round_=round_, data=data, saved_by=cast.facilitator)
    assert Investment.objects.count() == 0  # nothing half-written
    return refused.value.message_dict


def test_a_scheme_with_two_funding_lines_totals_their_sum_and_is_audited(cast, agreed):
    investment = investment_save(
        round_=agreed,
        data=scheme(agreed, allocation=[Decimal("700"), Decimal("300")]),
        saved_by=cast.facilitator,
    )
    assert Investment.objects.with_total().get().total == Decimal("1000.00")
    assert [(line.source, line.amount) for line in investment.funding_lines.all()] == [
        ("bcf", Decimal("600.00")),
        ("ibcf", Decimal("400.00")),
    ]
    allocated = InvestmentChange.objects.filter(investment=investment).order_by("change__code")
    assert [(link.change.code, link.amount) for link in allocated] == [
        ("1", Decimal("700.00")),
        ("4", Decimal("300.00")),
    ]
    event = AuditEvent.objects.get(round=agreed, action="Added an investment")
    assert event.actor == cast.facilitator
    assert "£1,000.00 from Better Care Fund £600.00" in event.detail


def test_changing_a_scheme_replaces_its_lines_and_allocation_and_records_before_and_after(
    cast, agreed
):
    investment = investment_save(round_=agreed, data=scheme(agreed), saved_by=cast.facilitator)
    investment_save(
        round_=agreed,
        data=scheme(agreed, lines=(("dfg", "250"),), codes=("4",)),
        saved_by=cast.facilitator,
        investment=investment,
    )
    assert [line.source for line in investment.funding_lines.all()] == ["dfg"]
    assert [c.code for c in investment.changes.all()] == ["4"]
    detail = AuditEvent.objects.get(action="Changed an investment").detail
    assert "£1,000.00" in detail and "→" in detail and "£250.00" in detail


def test_allocations_that_do_not_add_up_to_the_total_are_refused_naming_both_sums(cast, agreed):
    data = scheme(agreed, allocation=[Decimal("700"), Decimal("200")])
    assert problems(agreed, cast, data) == {
        "allocation": [
            "The allocations add up to £900.00 but the funding lines total £1,000.00: make them "
            "the same, or leave every allocation empty"
        ]
    }


def test_every_problem_is_named_at_once(cast, agreed):
    data = scheme(
        agreed,
        lines=(("bcf", "-5"), ("nowhere", "10.555")),
        allocation=[Decimal("1")],
        scheme_name=" ",
        financial_year="2026-27",
    )
    assert problems(agreed, cast, data) == {
        "scheme_name": ["Enter the scheme name"],
        "financial_year": ["Enter the financial year like 2026/27"],
        "lines": [
            "Funding line 1: the amount must be £0 or more",
            "Funding line 2: select the funding source",
            "Funding line 2: enter the amount in pounds and pence, with at most two decimal places",
        ],
        "allocation": ["Give an amount for each of the 2 changes the scheme serves (there are 1)"],
    }


def test_a_negative_allocation_and_a_scheme_without_lines_are_refused(cast, agreed):
    data = scheme(agreed, lines=(), allocation=[Decimal("-1"), Decimal("1")])
    assert problems(agreed, cast, data) == {
        "lines": ["Enter at least one funding line: a source and an amount"],
        "allocation": ["Allocation to change 1: the amount must be £0 or more"],
    }


def test_only_a_facilitator_of_the_system_saves_a_scheme(cast, agreed):
    with pytest.raises(PermissionDenied):
        investment_save(round_=agreed, data=scheme(agreed), saved_by=cast.member)
    assert Investment.objects.count() == 0


# --- Totals that never count a scheme twice --------------------------------------------------


def test_per_change_totals_never_count_a_scheme_twice(cast, agreed):
    """Allocated, single-change and shared schemes: the allocated figures of all changes and
    the shared schemes (each once) make the grand total exactly."""
    make_investment(agreed, scheme="One change", amount="100.00", codes=("1",))
    make_investment(
        agreed,
        scheme="Allocated",
        lines=[("bcf", "600.00"), ("ibcf", "400.00")],
        codes=("1", "4", "5"),
        allocation=["500.00", "300.00", "200.00"],
    )
    make_investment(agreed, scheme="Shared", source="dfg", amount="2000.00", codes=("4", "5"))
    totals = investment_totals(plan_investments(agreed))
    by_code = {c.pk: c.code for c in agreed.framework.changes.all()}
    allocated = {by_code[pk]: amount for pk, amount in totals["by_change"].items()}
    shared = {by_code[pk]: amount for pk, amount in totals["shared_by_change"].items()}
    assert allocated == {"1": Decimal("600.00"), "4": Decimal("300.00"), "5": Decimal("200.00")}
    assert shared == {"4": Decimal("2000.00"), "5": Decimal("2000.00")}
    assert totals["total"] == Decimal("3100.00")
    assert totals["shared"] == Decimal("2000.00")
    assert sum(totals["by_change"].values()) + totals["shared"] == totals["total"]
    assert dict(totals["by_source"]) == {
        "Better Care Fund": Decimal("700.00"),
        "Improved Better Care Fund (iBCF)": Decimal("400.00"),
        "Disabled Facilities Grant": Decimal("2000.00"),
    }


def test_the_return_shows_each_scheme_once_and_its_totals_add_up(cast, agreed):
    make_investment(
        agreed,
        scheme="Winter capacity",
        lines=[("discharge", "100000.50"), ("bcf", "25000.00")],
        codes=("4", "5"),
        allocation=["75000.50", "50000.00"],
    )
    make_investment(
        agreed, scheme="Trusted assessors", source="ibcf", amount="70000", codes=("6", "8")
    )
    data = return_data(agreed)
    winter = next(i for i in data["investments"] if i["scheme"] == "Winter capacity")
    assert winter["amount"] == "125000.50"
    assert winter["lines"] == [["Discharge funding", "100000.50"], ["Better Care Fund", "25000.00"]]
    assert winter["allocation"] == [["4", "75000.50"], ["5", "50000.00"]]
    assert winter["shared"] is False
    assert data["totals"]["total"] == "195000.50"
    assert data["totals"]["shared"] == "70000.00"
    invested = sum(Decimal(c["invested"]) for c in data["changes"])
    assert invested + Decimal(data["totals"]["shared"]) == Decimal(data["totals"]["total"])
    assert sum(Decimal(i["amount"]) for i in data["investments"]) == Decimal("195000.50")
    assert sum(Decimal(amount) for _s, amount in data["totals"]["by_source"]) == Decimal(
        "195000.50"
    )
    shared_by_code = {c["code"]: c["shared"] for c in data["changes"]}
    assert shared_by_code["6"] == shared_by_code["8"] == "70000.00"


# --- Carrying open schemes into the next plan ------------------------------------------------


def next_round(cast, frameworks, earlier, *, opens_on: date):
    later = agreed_round(
        cast.system, frameworks["mtoc-2020"], name="2027/28", previous_round=earlier
    )
    later.opens_on, later.closes_on = opens_on, opens_on + timedelta(days=30)
    later.save(update_fields=["opens_on", "closes_on"])
    return later


def test_open_schemes_carry_into_the_next_plan_and_closed_ones_do_not(cast, agreed, frameworks):
    make_investment(agreed, scheme="Ended", year="2026/27", codes=("1",))
    make_investment(agreed, scheme="This year", year="2027/28", codes=("1",))
    make_investment(agreed, scheme="Ongoing", year="2025/26", codes=("4",), ongoing=True)
    later = next_round(cast, frameworks, agreed, opens_on=date(2027, 5, 1))
    make_investment(later, scheme="New", amount="5.00", year="2027/28", codes=("4",))

    carried = {i["scheme"]: i["carried_from"] for i in plan_investments(later)}
    assert carried == {"This year": "2025/26", "Ongoing": "2025/26", "New": ""}
    # The earlier plan keeps all of its own.
    assert {i["scheme"] for i in plan_investments(agreed)} == {"Ended", "This year", "Ongoing"}
    # The next plan's return counts each scheme once.
    data = return_data(later)
    assert sorted(i["scheme"] for i in data["investments"]) == ["New", "Ongoing", "This year"]
    assert data["totals"]["total"] == "2005.00"


def test_a_carried_scheme_is_shown_as_from_the_earlier_plan_and_can_be_changed_there(
    client, cast, agreed, frameworks
):
    investment = make_investment(agreed, scheme="Ongoing", codes=("4",), ongoing=True)
    later = next_round(cast, frameworks, agreed, opens_on=date(2028, 5, 1))
    client.force_login(cast.facilitator)
    html = client.get(f"/rounds/{later.public_id}/plan/").content.decode()
    assert "From the 2025/26 plan" in html and "Ongoing</strong>" in html
    edit = client.get(f"/rounds/{later.public_id}/plan/investments/{investment.public_id}/")
    assert edit.status_code == 200
    rows = {row.change.code: row for row in plan_rows(later)["rows"]}
    assert rows["4"].invested == Decimal("1000.00")
