"""The previous agreed level where a level is decided (propose, workshop, approval), with a
warning when the level falls below it; and the workshop screen as a meeting display."""

import pytest

from assessments.consensus_services import attendance_record
from tests.assessments.helpers import (
    agreed_earlier,
    proposal_form,
    propose_every_change,
    reveal,
    set_level,
    url,
)
from tests.helpers import add_rated_partners, query_count

pytestmark = pytest.mark.django_db

WARNING = "This level is below the previous agreed level"


@pytest.fixture
def in_review(cast, frameworks, open_round):
    """Started from 2019/20 on the 2017 edition: its change 5 (seven-day services, Mature)
    maps over the crosswalk to the 2020 change 5. Both partners rate everything Established."""
    open_round.previous_round = agreed_earlier(
        cast, frameworks["mtoc-2017"], {"5": 4, "8": 2}, name="2019/20"
    )
    open_round.save()
    reveal(open_round, cast)
    return open_round


def test_the_propose_page_shows_the_previous_level_and_warns_when_the_suggestion_is_below_it(
    client, cast, in_review
):
    client.force_login(cast.facilitator)
    page = client.get(url(in_review, "propose", "5")).content.decode()
    assert "Previous agreed level: <strong>4 Mature</strong> (2019/20)" in page
    assert "govuk-warning-text" in page and WARNING in page
    page = client.get(url(in_review, "propose", "8")).content.decode()
    assert "Previous agreed level: <strong>2 Plans in place</strong>" in page
    assert WARNING not in page
    assert (
        "Previous agreed level: none recorded"
        in client.get(url(in_review, "propose", "1")).content.decode()
    )


def test_the_warning_follows_the_level_chosen(client, cast, in_review):
    client.force_login(cast.facilitator)
    # Sent back with an error (no planned level), at Mature: not below, so no warning.
    response = client.post(url(in_review, "propose", "5"), proposal_form(in_review, level_number=4))
    assert response.status_code == 200
    assert WARNING not in response.content.decode()
    response = client.post(url(in_review, "propose", "8"), proposal_form(in_review, level_number=1))
    assert WARNING in response.content.decode()


def test_the_workshop_shows_the_previous_level_and_its_warning(client, cast, in_review):
    client.force_login(cast.facilitator)
    page = client.get(url(in_review, "workshop", "5")).content.decode()
    assert "Previous agreed level: <strong>4 Mature</strong>" in page
    assert WARNING in page


def test_the_approval_page_shows_the_previous_level_and_warns_below_it(client, cast, in_review):
    propose_every_change(in_review, cast.facilitator)
    client.force_login(cast.facilitator)
    client.post(url(in_review, "submit_for_approval"))
    client.force_login(cast.steering)
    response = client.get(url(in_review, "approval"))
    rows = {row.change.code: row for row in response.context["rows"]}
    assert rows["5"].previous.number == 4 and rows["5"].below_previous
    assert not rows["8"].below_previous and rows["1"].previous is None
    page = response.content.decode()
    assert page.count("The proposed level is below the previous agreed level") == 1
    assert "The proposed level is below the previous agreed level, 4 Mature." in page


def test_the_approval_page_with_a_previous_round_runs_a_bounded_number_of_queries(
    client, cast, in_review, django_assert_max_num_queries
):
    propose_every_change(in_review, cast.facilitator)
    client.force_login(cast.facilitator)
    client.post(url(in_review, "submit_for_approval"))
    client.force_login(cast.steering)
    client.get(url(in_review, "approval"))
    # The page's nine, and the round it started from, its agreed levels and the crosswalk.
    with django_assert_max_num_queries(12):
        assert client.get(url(in_review, "approval")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(url(in_review, "approve_all")).status_code == 200


def test_the_workshop_display_charts_the_levels_with_their_figures_and_who_is_there(
    client, cast, in_review
):
    set_level(in_review, cast.partner, "2", 4)
    attendance_record(
        round_=in_review,
        recorded_by=cast.facilitator,
        attendees=[cast.member, cast.other_member, cast.steering],
        note="",
    )
    client.force_login(cast.facilitator)
    hidden = client.get(url(in_review, "workshop", "2")).content.decode()
    assert "<svg" not in hidden  # the distribution waits until the room is ready
    response = client.get(url(in_review, "workshop", "2") + "?show=ratings")
    page = response.content.decode()
    assert 'class="app-workshop-display"' in page
    assert '<svg class="app-workshop-chart"' in page
    bars = {bar.number: bar.count for bar in response.context["bars"]}
    assert bars == {5: 0, 4: 1, 3: 1, 2: 0, 1: 0}
    widths = {bar.number: bar.width for bar in response.context["bars"]}
    assert widths[4] == widths[3] == 400 and widths[5] == 0
    assert "The figures" in page  # the chart's figures as a table
    assert "<strong>Mina Member</strong>, Testshire Hospitals" in page
    assert "<strong>Otto Other</strong>, Testshire Council" in page
    assert "<strong>Stu Steering</strong>, steering committee member" in page


@pytest.mark.parametrize("page_name", ["workshop", "propose"])
def test_the_workshop_and_propose_pages_run_as_many_queries_for_12_partners_as_for_2(
    client, cast, in_review, page_name
):
    attendance_record(
        round_=in_review, recorded_by=cast.facilitator, attendees=[cast.member], note=""
    )
    client.force_login(cast.facilitator)
    path = url(in_review, page_name, "5") + ("?show=ratings" if page_name == "workshop" else "")
    client.get(path)
    few = query_count(client, path)
    added = add_rated_partners(in_review, 10, partner_type="icb")
    attendance_record(
        round_=in_review,
        recorded_by=cast.facilitator,
        attendees=[cast.member, cast.steering, *(member for _partner, member in added)],
        note="",
    )
    assert query_count(client, path) <= few
