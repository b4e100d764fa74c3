"""A system's actions with filters, a person's own actions, and CSV and Excel downloads."""

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from improvement_plans.models import Action
from tests.factories import MemberFactory, UserFactory
from tests.improvement_plans.helpers import agreed_round, make_action

pytestmark = pytest.mark.django_db


@pytest.fixture
def actions(cast, owner, agreed):
    today = timezone.localdate()
    return {
        "hub": make_action(agreed, title="Hub", code="1", lead_partner=cast.partner, owner=owner),
        "late": make_action(
            agreed,
            title="Late one",
            code="4",
            lead_partner=cast.other_partner,
            owner=owner,
            status=Action.Status.IN_PROGRESS,
            start=today - timedelta(days=60),
            due=today - timedelta(days=3),
        ),
        "done": make_action(
            agreed,
            title="Done and dusted",
            code="4",
            lead_partner=cast.partner,
            owner=cast.other_member,
            status=Action.Status.DONE,
            start=today - timedelta(days=60),
            due=today - timedelta(days=3),
        ),
        "mine": make_action(
            agreed,
            title="Member's own",
            code="2",
            lead_partner=cast.other_partner,
            owner=cast.member,
            status=Action.Status.BLOCKED,
        ),
    }


def listed(client, cast, query: str = "") -> list[str]:
    response = client.get(reverse("system_actions", args=[cast.system.slug]) + query)
    assert response.status_code == 200
    return sorted(action.title for action in response.context["actions"])


def test_a_systems_actions_are_listed_and_filtered(client, cast, agreed, actions):
    client.force_login(cast.steering)
    everything = ["Done and dusted", "Hub", "Late one", "Member's own"]
    assert listed(client, cast) == everything
    assert listed(client, cast, "?status=done") == ["Done and dusted"]
    assert listed(client, cast, f"?lead_partner={cast.partner.pk}") == ["Done and dusted", "Hub"]
    change_4 = agreed.framework.changes.get(code="4").pk
    assert listed(client, cast, f"?change={change_4}") == ["Done and dusted", "Late one"]
    assert listed(client, cast, "?overdue=on") == ["Late one"]  # done is not overdue
    assert listed(client, cast, f"?overdue=on&lead_partner={cast.partner.pk}") == []
    assert listed(client, cast, "?status=&lead_partner=&change=") == everything


def test_the_list_marks_overdue_actions_and_offers_the_filters(client, cast, actions):
    client.force_login(cast.viewer)
    response = client.get(reverse("system_actions", args=[cast.system.slug]) + "?overdue=on")
    html = response.content.decode()
    assert "Overdue</strong>" in html
    assert 'name="overdue" id="id_overdue" checked' in html
    assert "Testshire Council" in html and "Olive Owner" in html
    assert "?overdue=on&amp;export=csv" in html


def test_an_unknown_filter_value_is_a_form_error_not_a_crash(client, cast, actions):
    client.force_login(cast.member)
    response = client.get(reverse("system_actions", args=[cast.system.slug]) + "?status=nonsense")
    assert response.status_code == 200
    assert response.context["filter"].errors


def test_the_filter_offers_only_this_systems_partners(client, cast, actions):
    client.force_login(cast.member)
    response = client.get(
        reverse("system_actions", args=[cast.system.slug])
        + f"?lead_partner={cast.outsider_partner.pk}"
    )
    assert "Elsewhere Trust" not in response.content.decode()
    assert response.context["filter"].errors


def test_my_actions_are_those_i_own_or_my_partner_leads(client, cast, owner, actions):
    client.force_login(cast.member)
    response = client.get(reverse("my_actions"))
    titles = sorted(a.title for a in response.context["actions"])
    assert titles == ["Done and dusted", "Hub", "Member's own"]
    client.force_login(owner)
    titles = sorted(a.title for a in client.get(reverse("my_actions")).context["actions"])
    assert titles == ["Hub", "Late one", "Member's own"]  # owned, and led by her partner
    client.force_login(cast.facilitator)
    assert client.get(reverse("my_actions")).context["actions"] == []


def test_my_actions_spans_my_systems(client, cast, actions, agreed, frameworks):
    elsewhere = agreed_round(cast.other_system, frameworks["mtoc-2020"], name="Elsewhere 25")
    make_action(
        elsewhere,
        title="Elsewhere's action",
        lead_partner=cast.outsider_partner,
        owner=cast.outsider,
    )
    both = UserFactory(email="both@test.example")
    MemberFactory(user=both, partner=cast.partner)
    MemberFactory(user=both, partner=cast.outsider_partner)
    client.force_login(both)
    titles = sorted(a.title for a in client.get(reverse("my_actions")).context["actions"])
    assert titles == ["Done and dusted", "Elsewhere's action", "Hub"]


def test_the_csv_export_lists_the_actions(client, cast, actions):
    client.force_login(cast.member)
    response = client.get(reverse("system_actions", args=[cast.system.slug]) + "?export=csv")
    assert response["Content-Type"] == "text/csv"
    assert 'filename="actions-of-testshire.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_title = {row["title"]: row for row in rows}
    assert sorted(by_title) == ["Done and dusted", "Hub", "Late one", "Member's own"]
    late = by_title["Late one"]
    assert (late["change"], late["lead_partner"], late["owner"]) == (
        "4",
        "Testshire Council",
        "owner@test.example",
    )
    assert (late["status"], late["rag"]) == ("In progress", "Red")
    assert by_title["Hub"]["rag"] == "Amber"


def xlsx_rows(response) -> list[dict]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    header = values[0]
    return [dict(zip(header, row, strict=True)) for row in values[1:]]


def test_the_xlsx_export_lists_the_actions(client, cast, actions):
    client.force_login(cast.viewer)
    response = client.get(reverse("system_actions", args=[cast.system.slug]) + "?export=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = xlsx_rows(response)
    assert sorted(row["title"] for row in rows) == [
        "Done and dusted",
        "Hub",
        "Late one",
        "Member's own",
    ]
    assert {row["status"] for row in rows} == {"Not started", "In progress", "Done", "Blocked"}


def test_an_export_respects_the_filters(client, cast, actions):
    client.force_login(cast.member)
    base = reverse("system_actions", args=[cast.system.slug])
    response = client.get(base + "?overdue=on&export=xlsx")
    assert [row["title"] for row in xlsx_rows(response)] == ["Late one"]
    response = client.get(base + f"?lead_partner={cast.partner.pk}&export=csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert sorted(row["title"] for row in rows) == ["Done and dusted", "Hub"]


def test_my_actions_can_be_downloaded(client, cast, actions):
    client.force_login(cast.member)
    response = client.get(reverse("my_actions") + "?export=csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert sorted(row["title"] for row in rows) == ["Done and dusted", "Hub", "Member's own"]
