"""A round recorded afterwards, once in the portal: it counts in the trend and in planned
versus achieved (marked as recorded afterwards), a new round starts from it, its plan and
return work as for any agreed round, and pages that show partner ratings say there are none."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assessments.models import Round
from assessments.review_selectors import trend_rows, trend_values
from assessments.selectors import previous_agreed_levels
from improvement_plans.models import Action, IssuedReturn
from tests.helpers import date_fields
from tests.history.helpers import APPROVAL_NOTE, record_2019_20
from tests.improvement_plans.helpers import action_form, agreed_round, make_owner
from tests.returns.helpers import CONFIRM, issued_url, pdf_text


@pytest.fixture
def model_2017(frameworks):
    return frameworks["mtoc-2017"]


@pytest.fixture
def recorded(cast, model_2017) -> Round:
    return record_2019_20(cast, model_2017)


@pytest.fixture
def later(cast, model_2017, recorded) -> Round:
    """The next round, agreed in the portal now (after 31 March 2020), started from 2019/20:
    change 1 agreed at 3 (planned 4 by 31 March 2020: not reached), change 4 at 4 (planned 4:
    reached, later than planned)."""
    return agreed_round(
        cast.system,
        model_2017,
        name="2020/21",
        gaps={"1": (3, 4), "4": (4, 4)},
        previous_round=recorded,
    )


def test_it_counts_in_the_trend_before_the_later_round(later, recorded):
    trend = trend_rows(later)

    assert [r.name for r in trend["rounds"]] == ["2019/20", "2020/21"]
    row = {r.change.code: r for r in trend["rows"]}["4"]
    assert [level.number for _, level in row.points] == [2, 4]
    values = trend_values(trend)
    assert values["recorded_afterwards"] == ["2019/20"]


def test_planned_versus_achieved_compares_with_its_past_planned_dates(later):
    rows = {r.change.code: r for r in trend_rows(later)["rows"]}

    assert rows["1"].planned_check == (
        "Planned Mature by 31 March 2020: not reached (Established) "
        "(planned in 2019/20, recorded afterwards)"
    )
    assert rows["4"].planned_check == (
        "Planned Mature by 31 March 2020: reached, later than planned "
        "(planned in 2019/20, recorded afterwards)"
    )


def test_the_agreed_page_marks_it_in_the_trend(client, cast, later):
    client.force_login(cast.member)

    page = client.get(reverse("agreed", args=[later.public_id])).content.decode()

    assert "Recorded afterwards" in page
    assert "planned in 2019/20, recorded afterwards" in page
    assert "2019/20, recorded afterwards: 2" in page  # the chart's figures as text


def test_its_own_agreed_page_says_there_are_no_partner_ratings(client, cast, recorded):
    client.force_login(cast.steering)

    page = client.get(reverse("agreed", args=[recorded.public_id])).content.decode()

    assert "Recorded afterwards: no partner ratings." in page
    assert APPROVAL_NOTE in page
    assert "Partners&#x27; ratings" not in page and "Partners' ratings" not in page
    assert "Mature by Mar 2020" in page  # change 4, planned by a past date


@pytest.mark.parametrize("name", ["review", "approval"])
def test_rating_pages_say_there_are_no_partner_ratings(client, cast, recorded, name):
    client.force_login(cast.steering)

    response = client.get(reverse(name, args=[recorded.public_id]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Recorded afterwards: no partner ratings." in page
    assert "Approve all" not in page
    assert "Median" not in page


def test_a_change_of_it_shows_its_level_without_statistics(client, cast, recorded):
    client.force_login(cast.member)

    page = client.get(reverse("review_change", args=[recorded.public_id, "4"])).content.decode()

    assert "Recorded afterwards: no partner ratings." in page
    assert "Recorded afterwards by Fay Facilitator" in page
    assert "Nobody has commented yet" not in page
    assert "Suggested level" not in page


def test_the_system_page_marks_it_while_it_is_the_latest(client, cast, recorded):
    client.force_login(cast.member)

    page = client.get(reverse("system_detail", args=[cast.system.slug])).content.decode()

    assert "Agreed in 2019/20" in page
    assert "Recorded afterwards" in page


def test_its_audit_trail_says_who_recorded_it(client, cast, recorded):
    client.force_login(cast.steering)

    page = client.get(reverse("audit", args=[recorded.public_id])).content.decode()

    assert "Recorded the round afterwards" in page
    assert "Fay Facilitator" in page
    assert APPROVAL_NOTE in page


def test_a_new_round_can_start_from_it(client, cast, model_2017, recorded):
    client.force_login(cast.facilitator)
    form = client.get(reverse("round_new", args=[cast.system.slug])).context["form"]
    assert recorded in form.fields["previous_round"].queryset
    assert form.initial["previous_round"] == recorded.pk

    response = client.post(
        reverse("round_new", args=[cast.system.slug]),
        {
            "name": "2026/27",
            "framework": model_2017.pk,
            "partners": [cast.partner.pk, cast.other_partner.pk],
            "quorum": 1,
            "previous_round": recorded.pk,
            **date_fields("opens_on", recorded.created_at.date()),
            **date_fields("closes_on", recorded.created_at.date()),
        },
    )

    new = Round.objects.get(name="2026/27")
    assert response.status_code == 302
    assert new.previous_round == recorded
    assert {change.code: level.number for change, level in _previous(new)} == {
        "1": 3, "2": 2, "3": 3, "4": 2, "5": 1, "6": 2, "7": 4, "8": 2,
    }  # fmt: skip


def _previous(round_: Round):
    levels = previous_agreed_levels(round_)
    return [(change, levels[change.pk]) for change in round_.framework.changes.all()]


def test_partners_see_its_levels_as_the_last_agreed(client, cast, model_2017, recorded):
    new = Round.objects.create(
        system=cast.system,
        name="2026/27",
        framework=model_2017,
        status=Round.Status.RATING,
        opens_on=recorded.created_at.date(),
        closes_on=recorded.created_at.date(),
        quorum=1,
        previous_round=recorded,
    )
    new.returns.create(partner=cast.partner)
    client.force_login(cast.member)

    tasks = client.get(reverse("return_tasks", args=[new.public_id, cast.partner.public_id]))

    assert "Last agreed: 1 Not yet established" in tasks.content.decode()  # change 5


def test_its_plan_takes_actions_and_its_return_issues(client, cast, recorded):
    owner = make_owner(cast.partner)
    client.force_login(cast.facilitator)
    assert client.get(reverse("plan", args=[recorded.public_id])).status_code == 200
    assert client.get(reverse("investment_new", args=[recorded.public_id])).status_code == 200
    change = recorded.framework.changes.get(code="4")

    response = client.post(
        reverse("action_new", args=[recorded.public_id]),
        action_form(recorded, lead_partner=cast.partner, owner=owner, change=change.pk),
    )
    assert response.status_code == 302
    assert Action.objects.filter(rounds=recorded, change=change).exists()

    response = client.post(reverse("return_issue", args=[recorded.public_id]), CONFIRM)

    assert response.status_code == 302
    issued = IssuedReturn.objects.get(round=recorded)
    assert issued.data["recorded_afterwards"] is True
    assert issued.data["approval_note"] == APPROVAL_NOTE
    assert issued.data["agreed_at"] == "2019-09-12"
    pdf = client.get(issued_url(issued, "pdf"))
    assert pdf.status_code == 200
    text = pdf_text(pdf.content)
    assert "Recorded afterwards" in text
    assert "Health and Wellbeing Board, 12 September 2019" in text
    xlsx = client.get(issued_url(issued, "xlsx"))
    cover = {
        row[0]: row[1]
        for row in load_workbook(io.BytesIO(xlsx.content))["Cover"].iter_rows(values_only=True)
    }
    assert cover["Recorded afterwards"] == f"Approved by {APPROVAL_NOTE}; no partner ratings"


def test_its_consensus_record_says_it_has_no_partner_ratings(client, cast, recorded):
    client.force_login(cast.facilitator)

    response = client.get(reverse("consensus_record", args=[recorded.public_id]))

    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Recorded afterwards: no partner ratings." in text
    assert "Agreement:" not in text
    assert "8. Enhancing health in care homes" in text
