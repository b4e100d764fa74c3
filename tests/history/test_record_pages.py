"""The page where a facilitator records a past round: the framework first, then the round and
each change's levels; errors in a GOV.UK error summary, nothing written until all is valid."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.history_services import field_key
from assessments.models import Change, Consensus, Round
from tests.helpers import date_fields, query_count
from tests.history.helpers import APPROVAL_NOTE, recorded_form


def record_url(cast, framework=None) -> str:
    url = reverse("round_record", args=[cast.system.slug])
    return f"{url}?framework={framework.key}" if framework else url


@pytest.fixture
def model_2017(frameworks):
    return frameworks["mtoc-2017"]


def test_the_rounds_page_links_to_it_for_a_facilitator(client, cast):
    client.force_login(cast.facilitator)

    page = client.get(reverse("round_list", args=[cast.system.slug])).content.decode()

    assert "Record a past round" in page
    assert record_url(cast) in page


def test_the_rounds_page_does_not_link_to_it_for_a_member(client, cast):
    client.force_login(cast.member)

    page = client.get(reverse("round_list", args=[cast.system.slug])).content.decode()

    assert "Record a past round" not in page


def test_it_asks_the_framework_first(client, cast, model_2017):
    client.force_login(cast.facilitator)

    response = client.get(record_url(cast))

    assert response.status_code == 200
    page = response.content.decode()
    assert model_2017.title in page
    assert 'method="get"' in page
    assert "There is a problem" not in page


def test_an_unknown_framework_is_an_error_on_the_first_step(client, cast):
    client.force_login(cast.facilitator)

    page = client.get(record_url(cast) + "?framework=no-such-model").content.decode()

    assert "There is a problem" in page
    assert "Select a framework" in page


def test_the_second_step_asks_every_change_of_the_framework(client, cast, model_2017):
    client.force_login(cast.facilitator)

    page = client.get(record_url(cast, model_2017)).content.decode()

    for change in Change.objects.filter(framework=model_2017, archived=False):
        assert f"Change {change.code}. {change.title}" in page
        assert f'name="{field_key(change, "level")}"' in page
        assert f'name="{field_key(change, "planned_by")}_0"' in page
    assert "Milestones met / observed impact (optional)" in page


def test_a_facilitator_records_a_round_and_sees_it(client, cast, model_2017):
    client.force_login(cast.facilitator)

    response = client.post(record_url(cast, model_2017), recorded_form(model_2017))

    round_ = Round.objects.get(system=cast.system, name="2019/20")
    assert response.status_code == 302
    assert response.url == reverse("round_detail", args=[round_.public_id])
    assert round_.recorded_afterwards and round_.is_agreed
    assert Consensus.objects.filter(round=round_).count() == 8
    page = client.get(response.url).content.decode()
    assert "Recorded afterwards" in page
    assert APPROVAL_NOTE in page
    assert "12 September 2019" in page
    assert "Fay Facilitator" in page
    # Links that assume partner ratings are left out.
    assert reverse("review", args=[round_.public_id]) not in page
    assert reverse("approval", args=[round_.public_id]) not in page
    assert reverse("agreed", args=[round_.public_id]) in page


def test_the_rounds_page_marks_it(client, cast, model_2017):
    client.force_login(cast.facilitator)
    client.post(record_url(cast, model_2017), recorded_form(model_2017))
    client.force_login(cast.member)

    page = client.get(reverse("round_list", args=[cast.system.slug])).content.decode()

    assert "2019/20" in page
    assert "Recorded afterwards" in page
    assert "Agreed 12 Sep 2019" in page


@pytest.mark.parametrize("role", ["member", "steering", "viewer"])
def test_people_of_the_system_who_are_not_its_facilitators_are_refused(
    client, cast, model_2017, role
):
    client.force_login(getattr(cast, role))

    assert client.get(record_url(cast)).status_code == 403
    assert client.get(record_url(cast, model_2017)).status_code == 403
    response = client.post(record_url(cast, model_2017), recorded_form(model_2017))
    assert response.status_code == 403
    assert not Round.objects.exists()


@pytest.mark.parametrize("role", ["outsider", "nobody"])
def test_outsiders_learn_nothing(client, cast, model_2017, role):
    client.force_login(getattr(cast, role))

    assert client.get(record_url(cast)).status_code == 404
    response = client.post(record_url(cast, model_2017), recorded_form(model_2017))
    assert response.status_code == 404
    assert not Round.objects.exists()


def test_it_needs_a_login(client, cast):
    response = client.get(record_url(cast))

    assert response.status_code == 302
    assert reverse("login") in response.url


def test_errors_are_named_and_nothing_is_written_or_lost(client, cast, model_2017):
    client.force_login(cast.facilitator)
    changes = {c.code: c for c in Change.objects.filter(framework=model_2017)}
    levels = {level.number: level.pk for level in model_2017.levels.all()}
    data = recorded_form(model_2017)
    data[field_key(changes["1"], "planned_level")] = levels[2]  # below the agreed 3
    data[field_key(changes["8"], "level")] = ""  # no agreed level
    data["approval_note"] = "Health and Wellbeing Board, 12 Sept"

    response = client.post(record_url(cast, model_2017), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error: " in page
    assert "govuk-error-summary" in page
    assert "Select the agreed level of change 8. Enhancing health in care homes" in page
    assert (
        "The planned level must be the same as or above the agreed level for change "
        "1. Early discharge planning"
    ) in page
    assert not Round.objects.exists()
    assert "Health and Wellbeing Board, 12 Sept" in page  # what was typed is kept
    assert "Workforce (3)" in page


def test_the_page_asks_who_approved_it(client, cast, model_2017):
    client.force_login(cast.facilitator)

    response = client.post(
        record_url(cast, model_2017), recorded_form(model_2017, approval_note="")
    )

    assert "Enter who approved the levels and where" in response.content.decode()
    assert not Round.objects.exists()


def test_a_future_agreed_date_is_refused(client, cast, model_2017):
    client.force_login(cast.facilitator)
    tomorrow = timezone.localdate() + timedelta(days=1)
    data = {**recorded_form(model_2017), **date_fields("agreed_on", tomorrow)}

    response = client.post(record_url(cast, model_2017), data)

    assert response.status_code == 200
    assert "The date agreed must be today or in the past" in response.content.decode()
    assert not Round.objects.exists()


def test_a_name_the_system_has_is_refused(client, cast, model_2017):
    client.force_login(cast.facilitator)
    client.post(record_url(cast, model_2017), recorded_form(model_2017))

    response = client.post(record_url(cast, model_2017), recorded_form(model_2017))

    assert "This system already has a round called 2019/20" in response.content.decode()
    assert Round.objects.count() == 1


def test_the_second_step_runs_a_fixed_number_of_queries(client, cast, model_2017, frameworks):
    """As many queries for the 2020 model's nine changes as for the 2017 model's eight."""
    client.force_login(cast.facilitator)
    client.get(record_url(cast))  # the person's roles, read once and kept

    counts = [
        query_count(client, record_url(cast, f)) for f in (model_2017, frameworks["mtoc-2020"])
    ]

    assert counts[0] == counts[1]
    assert counts[0] <= 10
