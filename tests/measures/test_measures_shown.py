"""Where a system's measures show: the plan's change card, the review and workshop pages of
the change (as context), and the BCF return, in its data and its body."""

import pytest
from django.urls import reverse

from improvement_plans.models import IssuedReturn
from improvement_plans.return_selectors import return_body_html, return_data
from improvement_plans.return_services import return_issue
from tests.assessments.helpers import to_review
from tests.measures.helpers import REABLEMENT_LINE, make_measure, measure_url, new_measure_url
from tests.returns.helpers import seed_demo_round

pytestmark = pytest.mark.django_db


def page(client, address: str) -> str:
    response = client.get(address)
    assert response.status_code == 200, address
    return response.content.decode()


# --- The plan --------------------------------------------------------------------------------


def test_the_plan_shows_a_changes_measures_on_its_card(client, cast, agreed, home_first):
    measure = make_measure(cast.system, home_first)
    client.force_login(cast.facilitator)
    html = page(client, reverse("plan", args=[agreed.public_id]))
    card = html[html.index('id="change-4"') : html.index('id="change-5"')]
    assert "Local measures" in card
    assert "Average reablement episode (days)" in card
    assert "23 (1 April 2025)" in card
    assert "17 (1 October 2025)" in card
    assert measure_url(agreed, measure) in card
    assert measure_url(agreed, measure, "measure_remove") in card
    assert new_measure_url(agreed, "4") in card
    # Other changes' cards offer to add one, and show none.
    other = html[html.index('id="change-1"') : html.index('id="change-2"')]
    assert "Average reablement episode" not in other
    assert new_measure_url(agreed, "1") in other


def test_people_who_read_the_plan_see_measures_without_the_links_to_change_them(
    client, cast, agreed, home_first
):
    measure = make_measure(cast.system, home_first)
    for person in (cast.steering, cast.viewer, cast.member):
        client.force_login(person)
        html = page(client, reverse("plan", args=[agreed.public_id]))
        assert "Average reablement episode (days)" in html
        assert measure_url(agreed, measure) not in html
        assert "/measures/new/" not in html


def test_another_systems_measures_never_show(client, cast, agreed, home_first):
    make_measure(cast.other_system, home_first, name="Their secret measure")
    client.force_login(cast.facilitator)
    assert "Their secret measure" not in page(client, reverse("plan", args=[agreed.public_id]))
    assert all(not change["measures"] for change in return_data(agreed)["changes"])


# --- The review and workshop pages -----------------------------------------------------------


def test_the_change_review_page_shows_the_measures_as_context(client, cast, open_round, home_first):
    make_measure(cast.system, home_first)
    make_measure(cast.other_system, home_first, name="Their secret measure")
    to_review(open_round, cast)
    client.force_login(cast.member)
    html = page(client, reverse("review_change", args=[open_round.public_id, "4"]))
    assert f"<strong>Local measures:</strong> {REABLEMENT_LINE}" in html
    assert "Their secret measure" not in html
    # A change without measures says nothing about them.
    html = page(client, reverse("review_change", args=[open_round.public_id, "1"]))
    assert "Local measures" not in html


def test_the_workshop_page_shows_every_measure_of_the_change(client, cast, open_round, home_first):
    make_measure(cast.system, home_first)
    make_measure(cast.system, home_first, name="People at home 91 days later", unit="%",
                 baseline="78", latest=None, target="85")  # fmt: skip
    to_review(open_round, cast)
    client.force_login(cast.facilitator)
    html = page(client, reverse("workshop", args=[open_round.public_id, "4"]))
    assert "Local measures:" in html
    assert f"<li>{REABLEMENT_LINE}</li>" in html
    assert "<li>People at home 91 days later (%): 78 (1 April 2025), target 85</li>" in html


# --- The return ------------------------------------------------------------------------------


def test_the_returns_data_holds_each_changes_measures_as_plain_values(cast, agreed, home_first):
    make_measure(cast.system, home_first, baseline="1250.50", target=None)
    changes = {change["code"]: change for change in return_data(agreed)["changes"]}
    assert changes["4"]["measures"] == [
        {
            "name": "Average reablement episode",
            "unit": "days",
            "baseline": "1250.5",
            "baseline_on": "2025-04-01",
            "latest": "17",
            "latest_on": "2025-10-01",
            "target": None,
        }
    ]
    assert changes["1"]["measures"] == []


def test_the_returns_body_prints_the_measures_under_their_change(cast, agreed, home_first):
    make_measure(cast.system, home_first)
    body = str(return_body_html(return_data(agreed)))
    after_heading = body[body.index("Change by change") :]
    assert "Local measures" in after_heading
    assert REABLEMENT_LINE in after_heading


def test_a_return_issued_before_measures_existed_still_prints(cast, agreed):
    data = return_data(agreed)
    for change in data["changes"]:
        del change["measures"]
    assert "Local measures" not in str(return_body_html(data))


def test_an_issued_return_keeps_the_measures_it_printed(cast, agreed, home_first):
    measure = make_measure(cast.system, home_first)
    issued = return_issue(round_=agreed, issued_by=cast.facilitator)
    measure.delete()
    snapshot = IssuedReturn.objects.get(pk=issued.pk).data
    change = next(change for change in snapshot["changes"] if change["code"] == "4")
    assert [m["name"] for m in change["measures"]] == ["Average reablement episode"]


# --- The demo --------------------------------------------------------------------------------


def test_the_demo_plan_shows_measures_and_its_issued_return_printed_them(client):
    round_ = seed_demo_round()
    issued = IssuedReturn.objects.get(round=round_, version=1)
    change = next(change for change in issued.data["changes"] if change["code"] == "4")
    assert [(m["name"], m["baseline"], m["latest"], m["target"]) for m in change["measures"]] == [
        ("Average reablement episode", "23", "17", "15")
    ]
    assert "Average reablement episode (days): 23 (" in issued.html
    client.force_login(round_.system.roles.filter(role="facilitator").first().user)
    html = page(client, reverse("plan", args=[round_.public_id]))
    assert html.count("Local measures") == 3
