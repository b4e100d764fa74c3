"""Issue 12, fault 2: no spreadsheet the portal writes holds a live formula.

Hostile text (`=HYPERLINK(...)`, `=cmd|...`, `+1`, `-1+2`, `@SUM(A1)`) is put in every field of
user text that reaches an export; then every export is opened — the actions lists (CSV and
XLSX), the partner return spreadsheet, the BCF return XLSX (draft, issued download and the
stored snapshot) and every admin export (CSV and XLSX) — and none holds a formula cell (XLSX)
or a field that a spreadsheet program would start as a formula (CSV). Amounts stay numbers.
"""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessments.models import Change, Consensus, PartnerReturn, Rating, Round
from casestudies.models import CaseStudy
from improvement_plans import return_services
from improvement_plans.models import Investment, ReturnNarrative
from tests.factories import MemberFactory, UserFactory
from tests.improvement_plans.helpers import make_action, reagree
from tests.returns.helpers import plan_round

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("http://x")', "=cmd|' /C calc'!A0", "+1", "-1+2", "@SUM(A1)"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

ADMIN_EXPORTS = [
    ("assessments", "region"),
    ("assessments", "system"),
    ("assessments", "partner"),
    ("assessments", "member"),
    ("assessments", "change"),
    ("casestudies", "casestudy"),
    ("improvement_plans", "investment"),
]


def hostile(number: int) -> str:
    return HOSTILE[number % len(HOSTILE)]


@pytest.fixture
def hostile_data(cast, frameworks):
    """Every field of user text that reaches an export, filled with hostile values."""
    region = cast.system.region
    region.name = hostile(0)
    region.save()
    cast.system.name = hostile(1)
    cast.system.save()
    cast.partner.name = hostile(0)
    cast.partner.save()
    cast.steering.full_name = hostile(3)  # an approver, on the return's cover
    cast.steering.save()
    change = Change.objects.get(framework__key="mtoc-2020", code="1")
    change.title, change.summary, change.i_statement = hostile(4), hostile(0), hostile(1)
    change.save()

    round_ = plan_round(cast, frameworks["mtoc-2020"])
    round_.name = hostile(2)
    round_.save()
    level_4 = round_.framework.levels.get(number=4)
    for number, consensus in enumerate(Consensus.objects.filter(round=round_)):
        consensus.level = level_4  # a rationale is shown where Mature or above is claimed
        consensus.planned_level = level_4
        consensus.rationale = hostile(number)
        consensus.challenges = hostile(number + 1)
        consensus.milestones = hostile(number + 2)
        consensus.support_needs = hostile(number + 3)
        reagree(consensus)
    ReturnNarrative.objects.create(
        round=round_,
        performance_issues=hostile(0),
        changes_to_embed=hostile(1),
        anticipated_improvements=hostile(2),
    )
    Investment.objects.filter(round=round_).update(scheme_name=hostile(3), financial_year="-1+2")
    owner = UserFactory(email="+owner@test.example", full_name=hostile(4))
    MemberFactory(user=owner, partner=cast.partner)
    for number, text in enumerate(HOSTILE):
        make_action(
            round_,
            title=text,
            description=hostile(number + 1),
            lead_partner=cast.partner,
            owner=owner,
        )

    today = timezone.localdate()
    rating_round = Round.objects.create(
        system=cast.system,
        name=hostile(3),
        framework=frameworks["mtoc-2020"],
        status=Round.Status.RATING,
        opens_on=today,
        closes_on=today + timedelta(days=14),
        quorum=1,
        opened_at=timezone.now(),
    )
    partner_return = PartnerReturn.objects.create(round=rating_round, partner=cast.partner)
    for number, level_change in enumerate(rating_round.framework.changes.filter(archived=False)):
        Rating.objects.create(
            round=rating_round,
            partner=cast.partner,
            change=level_change,
            level=level_4,
            rationale=hostile(number),
            evidence=[{"title": hostile(number + 1), "url": "https://example.org/x"}],
            confidence="medium",
            version=1,
        )

    CaseStudy.objects.create(
        slug="hostile",
        title=hostile(0),
        place=hostile(1),
        organisations=hostile(2),
        summary=hostile(3),
        what_they_did=hostile(4),
        outcomes=hostile(0),
        figures=[hostile(1), hostile(2)],
        source_url="https://example.org/report",
        status="published",
    ).changes.set([change])
    return {"round": round_, "partner_return": partner_return, "owner": owner}


def xlsx_cells(content: bytes) -> list:
    book = load_workbook(io.BytesIO(bytes(content)))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def assert_no_formula_in_xlsx(content: bytes) -> None:
    cells = xlsx_cells(content)
    formulas = [f"{cell.parent.title}!{cell.coordinate}" for cell in cells if cell.data_type == "f"]
    assert formulas == []
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    # The hostile text is in the file, as text: the check above is not vacuous.
    assert any(text.startswith(tuple(HOSTILE)) for text in texts)


def assert_no_formula_in_csv(content: bytes) -> None:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    starts = [field for row in rows for field in row if field.startswith(FORMULA_STARTS)]
    assert starts == []
    fields = [field for row in rows for field in row]
    assert any(field.startswith(tuple(f"'{text}" for text in HOSTILE)) for field in fields)


def assert_safe(response) -> None:
    assert response.status_code == 200
    if response["Content-Type"].startswith("text/csv"):
        assert_no_formula_in_csv(response.content)
    else:
        assert_no_formula_in_xlsx(response.content)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_actions_lists_write_no_formula(client, cast, hostile_data, file_format):
    client.force_login(cast.member)
    url = reverse("system_actions", args=[cast.system.slug])
    assert_safe(client.get(f"{url}?export={file_format}"))
    client.force_login(hostile_data["owner"])
    assert_safe(client.get(reverse("my_actions") + f"?export={file_format}"))


def test_the_partner_return_spreadsheet_writes_no_formula(client, cast, hostile_data):
    partner_return = hostile_data["partner_return"]
    client.force_login(cast.member)
    response = client.get(
        reverse(
            "return_download",
            args=[partner_return.round.public_id, partner_return.partner.public_id],
        )
    )
    assert_safe(response)


def test_the_draft_bcf_return_writes_no_formula_and_keeps_amounts_numeric(
    client, cast, hostile_data
):
    client.force_login(cast.facilitator)
    response = client.get(
        reverse("return_draft_file", args=[hostile_data["round"].public_id, "xlsx"])
    )
    assert_safe(response)
    investments = load_workbook(io.BytesIO(response.content))["Investments"]
    amounts = [row[-1] for row in investments.iter_rows(min_row=2)]
    assert all(cell.data_type == "n" for cell in amounts)
    assert sum(Decimal(str(cell.value)) for cell in amounts[:-1]) == amounts[-1].value


def test_the_issued_bcf_return_writes_no_formula(client, cast, hostile_data):
    issued = return_services.return_issue(round_=hostile_data["round"], issued_by=cast.facilitator)
    issued.refresh_from_db()
    assert_no_formula_in_xlsx(issued.xlsx)
    client.force_login(cast.facilitator)
    assert_safe(client.get(reverse("issued_return_file", args=[issued.public_id, "xlsx"])))


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize(("app", "model"), ADMIN_EXPORTS)
def test_every_admin_export_writes_no_formula(client, cast, hostile_data, app, model, file_format):
    client.force_login(cast.admin)
    url = f"/admin/{app}/{model}/export/"
    form = client.get(url).context["form"]
    choice = next(
        str(value)
        for value, label in form.fields["format"].choices
        if str(label).lower() == file_format
    )
    data = {"format": choice, "resource": "0"}
    data.update({name: "on" for name in form.fields if "resource_" in name})
    assert_safe(client.post(url, data))


def test_only_csv_and_xlsx_are_offered_for_admin_exports(client, cast):
    client.force_login(cast.admin)
    form = client.get("/admin/casestudies/casestudy/export/").context["form"]
    assert sorted(str(label).lower() for _, label in form.fields["format"].choices if _ != "") == [
        "csv",
        "xlsx",
    ]
