"""Adding, changing and removing a local measure from the plan: who may, what they type, what
they are told."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import AuditEvent
from improvement_plans.models import Measure
from tests.measures.helpers import (
    errors_of,
    make_measure,
    measure_form,
    measure_url,
    new_measure_url,
)

pytestmark = pytest.mark.django_db


def plan_card(round_, code: str) -> str:
    return reverse("plan", args=[round_.public_id]) + f"#change-{code}"


# --- Who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "person,status",
    [
        ("facilitator", 200),
        ("member", 403),
        ("other_member", 403),
        ("steering", 403),
        ("viewer", 403),
        ("outsider", 404),
        ("nobody", 404),
    ],
)
def test_only_those_who_manage_the_plan_reach_the_measure_pages(
    client, cast, agreed, home_first, person, status
):
    measure = make_measure(cast.system, home_first)
    client.force_login(cast.roles()[person])
    for address, name in (
        (new_measure_url(agreed, "4"), "Added"),
        (measure_url(agreed, measure), "Renamed"),
        (measure_url(agreed, measure, "measure_remove"), ""),
    ):
        assert client.get(address).status_code == status, address
        response = client.post(address, measure_form(name=name))
        assert response.status_code == (302 if status == 200 else status), address
    # The facilitator's posts changed the measure and then removed it; nobody else's did.
    assert Measure.objects.filter(pk=measure.pk).exists() == (person != "facilitator")


def test_a_member_who_posts_changes_nothing(client, cast, agreed, home_first):
    measure = make_measure(cast.system, home_first)
    client.force_login(cast.member)
    response = client.post(measure_url(agreed, measure), measure_form(latest_value="3"))
    assert response.status_code == 403
    measure.refresh_from_db()
    assert measure.latest_value == Decimal("17")


def test_the_pages_need_a_login(client, agreed):
    response = client.get(new_measure_url(agreed, "4"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_measure_of_another_system_is_not_found(client, cast, agreed, home_first):
    theirs = make_measure(cast.other_system, home_first)
    client.force_login(cast.facilitator)
    assert client.get(measure_url(agreed, theirs)).status_code == 404
    assert client.post(measure_url(agreed, theirs, "measure_remove")).status_code == 404
    assert Measure.objects.filter(pk=theirs.pk).exists()


def test_an_unknown_change_is_not_found(client, cast, agreed):
    client.force_login(cast.facilitator)
    assert client.get(new_measure_url(agreed, "Z9")).status_code == 404


def test_a_round_not_yet_agreed_has_no_plan_to_add_measures_to(client, cast, open_round):
    client.force_login(cast.facilitator)
    assert client.get(new_measure_url(open_round, "4")).status_code == 403


# --- Add, change, remove ---------------------------------------------------------------------


def test_the_facilitator_adds_a_measure_typed_as_people_write_numbers(
    client, cast, agreed, home_first
):
    client.force_login(cast.facilitator)
    response = client.post(
        new_measure_url(agreed, "4"),
        measure_form(baseline_value="1,250", latest_value="1,180.5", target_value=" 900 "),
    )
    assert response.status_code == 302
    assert response["Location"] == plan_card(agreed, "4")
    measure = Measure.objects.get(system=cast.system, change=home_first)
    assert (measure.name, measure.unit) == ("Average reablement episode", "days")
    assert (measure.baseline_value, measure.latest_value, measure.target_value) == (
        Decimal("1250"),
        Decimal("1180.5"),
        Decimal("900"),
    )
    assert (measure.baseline_on, measure.latest_on) == (date(2025, 4, 1), date(2025, 10, 1))
    assert measure.created_by == cast.facilitator
    assert measure.history.get().history_user == cast.facilitator
    assert AuditEvent.objects.filter(
        round=agreed, action="Added a measure to the plan", detail__contains="Change 4"
    ).exists()
    page = client.get(response["Location"]).content.decode()
    assert "The measure “Average reablement episode” is added." in page


def test_the_latest_value_and_target_are_optional(client, cast, agreed, home_first):
    client.force_login(cast.facilitator)
    response = client.post(
        new_measure_url(agreed, "4"),
        measure_form(latest_value="", target_value="", latest_on=None, unit=""),
    )
    assert response.status_code == 302
    measure = Measure.objects.get()
    assert (measure.unit, measure.latest_value, measure.latest_on, measure.target_value) == (
        "",
        None,
        None,
        None,
    )


def test_the_facilitator_records_the_latest_value(client, cast, agreed, home_first):
    measure = make_measure(cast.system, home_first, latest=None, target=None)
    client.force_login(cast.facilitator)
    form_page = client.get(measure_url(agreed, measure)).content.decode()
    assert 'value="Average reablement episode"' in form_page
    assert 'value="23"' in form_page  # as typed, not "23.00"
    response = client.post(
        measure_url(agreed, measure),
        measure_form(latest_value="16.25", latest_on=date(2025, 11, 3), target_value="15"),
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert (measure.latest_value, measure.latest_on, measure.target_value) == (
        Decimal("16.25"),
        date(2025, 11, 3),
        Decimal("15"),
    )
    assert measure.history.count() == 2
    assert measure.history.first().history_user == cast.facilitator


def test_the_facilitator_renames_a_measure_and_changes_its_unit(client, cast, agreed, home_first):
    measure = make_measure(cast.system, home_first)
    client.force_login(cast.facilitator)
    client.post(
        measure_url(agreed, measure), measure_form(name="Reablement episode", unit="days, median")
    )
    measure.refresh_from_db()
    assert (measure.name, measure.unit) == ("Reablement episode", "days, median")


def test_removing_asks_first_then_removes(client, cast, agreed, home_first):
    measure = make_measure(cast.system, home_first)
    client.force_login(cast.facilitator)
    page = client.get(measure_url(agreed, measure, "measure_remove")).content.decode()
    assert "Remove the measure “Average reablement episode”?" in page
    assert Measure.objects.filter(pk=measure.pk).exists()
    response = client.post(measure_url(agreed, measure, "measure_remove"))
    assert response["Location"] == plan_card(agreed, "4")
    assert not Measure.objects.filter(pk=measure.pk).exists()
    assert measure.history.filter(history_type="-").get().history_user == cast.facilitator
    assert AuditEvent.objects.filter(
        round=agreed, action="Removed a measure from the plan"
    ).exists()


# --- What people are told when the form is wrong ---------------------------------------------


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"name": ""}, "name", "Enter the name of the measure"),
        ({"baseline_value": ""}, "baseline_value", "Enter the baseline value"),
        (
            {"baseline_value": "twenty"},
            "baseline_value",
            "Enter the baseline value as a number, like 23, 23.5 or 1,250",
        ),
        (
            {"latest_value": "1,25"},
            "latest_value",
            "Enter the latest value as a number, like 23, 23.5 or 1,250",
        ),
        (
            {"target_value": "15.125"},
            "target_value",
            "Enter a number with at most two decimal places, like 23.5",
        ),
        ({"baseline_on": None}, "baseline_on", "Enter the baseline date"),
        (
            {"baseline_on": timezone.localdate() + timedelta(days=1), "latest_on": None,
             "latest_value": ""},
            "baseline_on",
            "The baseline date must be today or in the past",
        ),
        (
            {"latest_on": date(2025, 3, 31)},
            "latest_on",
            "The date of the latest value must be the same as or after the baseline date",
        ),
        ({"latest_on": None}, "latest_on", "Enter the date of the latest value"),
        (
            {"latest_value": ""},
            "latest_value",
            "Enter the latest value, or leave its date empty",
        ),
    ],
)  # fmt: skip
def test_a_wrong_form_says_what_to_do_and_keeps_what_was_typed(
    client, cast, agreed, overrides, field, message
):
    client.force_login(cast.facilitator)
    data = measure_form(**overrides)
    response = client.post(new_measure_url(agreed, "4"), data)
    assert response.status_code == 200
    assert message in errors_of(response)[field]
    page = response.content.decode()
    assert page.count(message) >= 2  # in the error summary and beside the field
    assert "<title>Error: " in page
    assert 'value="Average reablement episode"' in page or overrides.get("name") == ""
    assert not Measure.objects.exists()


def test_a_name_the_change_already_has_is_refused(client, cast, agreed, home_first):
    make_measure(cast.system, home_first)
    client.force_login(cast.facilitator)
    response = client.post(
        new_measure_url(agreed, "4"), measure_form(name="average reablement episode")
    )
    assert errors_of(response)["name"] == [
        "This change already has a measure called “average reablement episode”"
    ]
    assert Measure.objects.count() == 1


def test_the_same_name_on_another_change_is_fine(client, cast, agreed, home_first):
    make_measure(cast.system, home_first)
    client.force_login(cast.facilitator)
    assert client.post(new_measure_url(agreed, "1"), measure_form()).status_code == 302
    assert Measure.objects.count() == 2
