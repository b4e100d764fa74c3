"""Writing a file of past returns: all of it or none, idempotent, never overwriting, creating
missing systems from the reference list when asked, at national size."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assessments.models import AuditEvent, Consensus, Round, System
from improvement_plans.history_import import past_returns_import
from improvement_plans.models import Investment
from tests.factories import RegionFactory, UserFactory
from tests.history_import.helpers import (
    LEVELS,
    csv_file,
    level_rows,
    read,
    read_and_import,
    xlsx_file,
)

INVESTMENTS = [
    ["testshire", "2019/20", "Discharge to assess", "bcf", "£170,000", "4;6", "120,000;50,000"],
    ["testshire", "2019/20", "Seven-day cover", "bcf", "40,000", "5", None],
    ["testshire", "2019/20", "Seven-day cover", "iBCF", "20000", None, None],
    ["testshire", "2019/20", "Choice officers", "Other", "20000.00", "7", None],
]


@pytest.fixture
def library(frameworks):
    return frameworks


def test_the_rounds_are_recorded_afterwards_with_their_levels_and_who_recorded_them(cast, library):
    imported = read_and_import(csv_file(level_rows()), cast.admin)
    (round_,) = imported.rounds
    assert round_.system == cast.system
    assert round_.name == "2019/20"
    assert round_.recorded_afterwards
    assert round_.is_agreed
    levels = dict(
        Consensus.objects.filter(round=round_).values_list("change__code", "level__number")
    )
    assert levels == {"1": 3, "2": 2, "3": 4, "4": 3, "5": 2, "6": 3, "7": 4, "8": 3}
    event = AuditEvent.objects.get(round=round_)
    assert event.actor == cast.admin
    assert "returns.csv" in round_.approval_note


def test_investments_join_the_plan_of_their_round(cast, library):
    data = xlsx_file(level_rows(), INVESTMENTS)
    imported = read_and_import(data, cast.admin, name="returns.xlsx")
    assert len(imported.schemes) == 3
    discharge = Investment.objects.get(scheme_name="Discharge to assess")
    assert discharge.round == imported.rounds[0]
    assert discharge.financial_year == "2019/20"
    allocation = {
        link.change.code: link.amount
        for link in discharge.investmentchange_set.select_related("change")
    }
    assert allocation == {"4": Decimal("120000.00"), "6": Decimal("50000.00")}
    cover = Investment.objects.get(scheme_name="Seven-day cover")
    lines = sorted((line.source, line.amount) for line in cover.funding_lines.all())
    assert lines == [("bcf", Decimal("40000.00")), ("ibcf", Decimal("20000.00"))]


def test_a_facilitator_imports_their_systems_levels_and_investments(cast, library):
    data = xlsx_file(level_rows(), INVESTMENTS)
    imported = read_and_import(data, cast.facilitator, name="r.xlsx", systems=[cast.system])
    assert imported.rounds[0].created_by == cast.facilitator
    assert Investment.objects.filter(round=imported.rounds[0]).count() == 3


def test_investments_may_join_a_round_already_in_the_portal(cast, library):
    read_and_import(csv_file(level_rows()), cast.admin)
    data = xlsx_file(level_rows(), INVESTMENTS[:1])
    past_returns = read(data, cast.admin, name="returns.xlsx")
    assert past_returns.problems == []
    assert past_returns.rounds[0].skipped
    imported = past_returns_import(actor=cast.admin, past_returns=past_returns)
    assert imported.rounds == [] and len(imported.schemes) == 1


def test_importing_the_same_file_again_changes_nothing(cast, library):
    data = xlsx_file(level_rows(), INVESTMENTS)
    read_and_import(data, cast.admin, name="returns.xlsx")
    counts = (Round.objects.count(), Consensus.objects.count(), Investment.objects.count())
    past_returns = read(data, cast.admin, name="returns.xlsx")
    assert past_returns.problems == []
    assert past_returns.changes_nothing
    assert [p.skipped for p in past_returns.rounds] == [True]
    assert all(scheme.skipped for scheme in past_returns.schemes)
    imported = past_returns_import(actor=cast.admin, past_returns=past_returns)
    assert (imported.rounds, imported.rounds_skipped, imported.schemes_skipped) == ([], 1, 3)
    assert (Round.objects.count(), Consensus.objects.count(), Investment.objects.count()) == counts


def test_a_row_that_conflicts_with_a_round_in_the_portal_is_an_error(cast, library):
    read_and_import(csv_file(level_rows()), cast.admin)
    changed = list(LEVELS)
    changed[2] = "Established"
    messages = read(csv_file(level_rows(levels=changed)), cast.admin).messages
    assert messages == [
        "Row 4, column level: Testshire already has a round called 2019/20 with change 3 at "
        "Mature there and Established here. An import never changes a round: correct the row, "
        "or remove the period's rows"
    ]
    assert Consensus.objects.get(round__name="2019/20", change__code="3").level.name == "Mature"


def test_a_round_run_in_the_portal_is_never_overwritten(cast, library, open_round):
    rows = level_rows(period=open_round.name)
    messages = read(csv_file(rows), cast.admin).messages
    assert messages == [
        "Row 2, column period: Testshire already has a round called 2026/27 Q3, run in the "
        "portal. An import never changes it: give the period another name or remove its rows"
    ]


def test_a_scheme_that_differs_from_the_one_in_the_portal_is_an_error(cast, library):
    read_and_import(xlsx_file(level_rows(), INVESTMENTS[:1]), cast.admin, name="r.xlsx")
    changed = [[*INVESTMENTS[0][:4], "£180,000", "4;6", "130,000;50,000"]]
    messages = read(xlsx_file(level_rows(), changed), cast.admin, name="r.xlsx").messages
    assert len(messages) == 1
    assert messages[0].startswith(
        "Sheet investments, row 2, column scheme: Testshire 2019/20 already has a scheme "
        "called Discharge to assess with other funding or changes"
    )


def test_investment_rows_are_checked_by_row_and_column(cast, library):
    bad = [
        ["testshire", "2019/20", "Beds", "lottery", "£1,000", "4", None],
        ["testshire", "2019/20", "Staff", "bcf", "ten pounds", "4", None],
        ["testshire", "2019/20", "Therapy", "bcf", "1,000", "4;Z", None],
        ["testshire", "2019/20", "Homes", "bcf", "1,000", "4;6", "600;300"],
        ["testshire", "2018/19", "Old", "bcf", "1,000", "4", None],
    ]
    messages = read(xlsx_file(level_rows(), bad), cast.admin, name="r.xlsx").messages
    assert any(
        m.startswith("Sheet investments, row 2, column source: lottery is not") for m in messages
    )
    assert any(
        m.startswith("Sheet investments, row 3, column amount: Enter the amount") for m in messages
    )
    assert any(
        m.startswith("Sheet investments, row 4, column changes: There is no change Z")
        for m in messages
    )
    assert any(
        m.startswith(
            "Sheet investments, row 5, column allocation: The allocations add up to £900.00"
        )
        for m in messages
    )
    assert (
        "Sheet investments, row 6, column period: Testshire has no round called 2018/19 in "
        "this file or in the portal" in messages
    )


def test_any_error_writes_nothing(cast, library):
    rows = level_rows() + level_rows(period="2020/21")
    past_returns = read(csv_file(rows), cast.admin)
    assert past_returns.problems == []
    # The second round appears in the portal between the preview and the import.
    read_and_import(csv_file(level_rows(period="2020/21", levels=["1"] * 8)), cast.admin)
    before = Round.objects.count()
    with pytest.raises(ValidationError):
        past_returns_import(actor=cast.admin, past_returns=past_returns)
    assert Round.objects.count() == before
    assert not Round.objects.filter(name="2019/20").exists()


def test_a_file_with_problems_is_refused_whole(cast, library):
    rows = level_rows() + level_rows(period="2020/21")
    rows[-1][5] = "Brilliant"
    past_returns = read(csv_file(rows), cast.admin)
    with pytest.raises(ValidationError):
        past_returns_import(actor=cast.admin, past_returns=past_returns)
    assert not Round.objects.filter(name__in=["2019/20", "2020/21"]).exists()


def test_missing_systems_are_created_from_the_reference_list_when_asked(cast, library):
    rows = level_rows(system="", area_code="e10000018")
    past_returns = read(csv_file(rows), cast.admin, create_systems=True)
    assert past_returns.problems == []
    assert [place.label for place in past_returns.systems_to_create] == ["Leicestershire"]
    imported = past_returns_import(actor=cast.admin, past_returns=past_returns)
    system = System.objects.get(area_code="E10000018")
    assert system.name == "Leicestershire"
    assert imported.rounds[0].system == system
    assert imported.systems_created == 1
    # Again: the system is found by its code, and the round is already in the portal.
    again = read(csv_file(rows), cast.admin, create_systems=True)
    assert again.problems == [] and again.changes_nothing


def test_a_facilitator_cannot_create_systems(cast, library):
    rows = level_rows(system="", area_code="E10000018")
    messages = read(
        csv_file(rows), cast.facilitator, systems=[cast.system], create_systems=True
    ).messages
    assert messages[0].startswith("You cannot create systems")
    assert messages[1] == "Row 2, column area_code: You can import returns for Testshire only"


def test_a_national_file_imports_every_area(cast, library):
    region = RegionFactory(name="Nation", slug="nation")
    systems = System.objects.bulk_create(
        System(region=region, name=f"Area {n:03}", slug=f"area-{n:03}") for n in range(150)
    )
    rows = []
    for n, system in enumerate(systems):
        levels = [str(1 + (n + change) % 4) for change in range(8)]
        rows += level_rows(system=system.slug, levels=levels)
    for row in rows:
        row[6] = row[7] = ""  # no plans: any level may be agreed
    imported = read_and_import(csv_file(rows), cast.admin)
    assert len(imported.rounds) == 150
    assert Consensus.objects.filter(round__system__region=region).count() == 1200
    last = Consensus.objects.get(round__system=systems[-1], change__code="8")
    assert last.level.number == 1 + (149 + 7) % 4
    assert read(csv_file(rows), cast.admin).changes_nothing


def test_schemes_join_the_plans_of_agreed_rounds_only(cast, library, open_round):
    schemes = [["testshire", open_round.name, "Beds", "bcf", "1,000", "1", None]]
    messages = read(xlsx_file(level_rows(), schemes), cast.admin, name="r.xlsx").messages
    assert messages == [
        "Sheet investments, row 2, column period: Testshire's round 2026/27 Q3 is not agreed "
        "yet: schemes join the plan of an agreed round"
    ]


def test_schemes_are_added_only_by_those_who_may_manage_the_plan(cast, library):
    # A site administrator who is not a superuser records rounds, but plans are facilitators'.
    staff = UserFactory(email="staff@test.example", is_staff=True)
    past_returns = read(xlsx_file(level_rows(), INVESTMENTS[:1]), staff, name="r.xlsx")
    assert past_returns.messages == [
        "Sheet investments, row 2, column period: You cannot add schemes to Testshire's plans: "
        "only its facilitators can"
    ]
    assert read(csv_file(level_rows()), staff).problems == []
