"""Whether a round rates enablers is the framework's setting: where it does, partners rate them
like changes (on the rating pages, counted toward a complete return) and the review shows them
labelled "Enabler"; where it does not, the round leaves them out."""

from io import BytesIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from assessments import consensus_services
from assessments.round_services import return_submit
from improvement_plans.reports import return_xlsx
from improvement_plans.return_selectors import return_body_context, return_data
from tests.assessments.helpers import approve, propose, to_approval
from tests.model_pages.helpers import ENABLER_TITLE, enabler_framework, enabler_round, rate

pytestmark = pytest.mark.django_db

LABEL = f"Enabler E1: {ENABLER_TITLE}"


def tasks_url(round_, partner) -> str:
    return reverse("return_tasks", args=[round_.public_id, partner.public_id])


def rating_url(round_, partner, code: str) -> str:
    return reverse("rating_edit", args=[round_.public_id, partner.public_id, code])


def review_page(client, cast, round_) -> str:
    """The facilitator reveals the round; the review as the facilitator sees it."""
    consensus_services.round_reveal(round_=round_, revealed_by=cast.facilitator)
    client.force_login(cast.facilitator)
    response = client.get(reverse("review", args=[round_.public_id]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def rated_round(cast):
    return enabler_round(cast, enabler_framework(rate_enablers=True))


@pytest.fixture
def unrated_round(cast):
    return enabler_round(cast, enabler_framework(rate_enablers=False))


def test_partners_are_asked_to_rate_the_enabler_after_the_changes(client, cast, rated_round):
    client.force_login(cast.member)
    page = client.get(tasks_url(rated_round, cast.partner)).content.decode()
    assert "Changes and enablers" in page
    assert "You have rated 0 of 3 changes and enablers." in page
    assert page.index("2. Trusted assessment") < page.index(LABEL)
    rating = client.get(rating_url(rated_round, cast.partner, "E1"))
    assert rating.status_code == 200
    assert f'<h1 class="govuk-heading-l">{LABEL}</h1>' in rating.content.decode()
    assert "3 of 3 changes and enablers" in rating.content.decode()


def test_a_return_is_complete_only_with_the_enabler_rated(cast, rated_round):
    partner_return = rate(rated_round, cast.partner, cast.member, ["1", "2"])
    with pytest.raises(ValidationError, match="E1"):
        return_submit(partner_return=partner_return, submitted_by=cast.member)
    rate(rated_round, cast.partner, cast.member, ["E1"])
    assert return_submit(partner_return=partner_return, submitted_by=cast.member).is_submitted


def test_the_review_shows_the_enabler_labelled_as_one(client, cast, rated_round):
    for partner, member in ((cast.partner, cast.member), (cast.other_partner, cast.other_member)):
        partner_return = rate(rated_round, partner, member, ["1", "2", "E1"])
        return_submit(partner_return=partner_return, submitted_by=member)
    page = review_page(client, cast, rated_round)
    assert LABEL in page
    assert "Change or enabler" in page
    workshop = client.get(reverse("workshop", args=[rated_round.public_id, "E1"]))
    assert f'<h1 class="govuk-heading-xl">{LABEL}</h1>' in workshop.content.decode()


def test_the_links_between_changes_name_the_enabler_as_one(client, cast, rated_round):
    for partner, member in ((cast.partner, cast.member), (cast.other_partner, cast.other_member)):
        partner_return = rate(rated_round, partner, member, ["1", "2", "E1"])
        return_submit(partner_return=partner_return, submitted_by=member)
    review_page(client, cast, rated_round)
    label = '<span class="govuk-pagination__link-label">{}</span>'
    before = client.get(reverse("review_change", args=[rated_round.public_id, "2"]))
    assert label.format("Enabler E1") in before.content.decode()
    assert label.format("Change 1") in before.content.decode()
    enabler = client.get(reverse("workshop", args=[rated_round.public_id, "E1"])).content.decode()
    assert label.format("Change 2 (skip without saving)") in enabler
    assert "Change E1" not in enabler


def test_a_round_that_does_not_rate_enablers_leaves_them_out(client, cast, unrated_round):
    client.force_login(cast.member)
    page = client.get(tasks_url(unrated_round, cast.partner)).content.decode()
    assert ENABLER_TITLE not in page
    assert "You have rated 0 of 2 changes." in page
    assert client.get(rating_url(unrated_round, cast.partner, "E1")).status_code == 404

    for partner, member in ((cast.partner, cast.member), (cast.other_partner, cast.other_member)):
        partner_return = rate(unrated_round, partner, member, ["1", "2"])
        assert return_submit(partner_return=partner_return, submitted_by=member).is_submitted
    assert ENABLER_TITLE not in review_page(client, cast, unrated_round)


def test_the_approval_agreed_levels_plan_and_return_label_the_enabler(client, cast, rated_round):
    to_approval(rated_round, cast)
    client.force_login(cast.steering)
    approval = client.get(reverse("approval", args=[rated_round.public_id])).content.decode()
    assert LABEL in approval
    for code in ("1", "2", "E1"):
        approve(rated_round, code, cast.steering)
    client.force_login(cast.facilitator)
    for name in ("agreed", "plan", "return_preview"):
        response = client.get(reverse(name, args=[rated_round.public_id]))
        assert response.status_code == 200, name
        assert LABEL in response.content.decode(), name
    heading = next(
        row["heading"]
        for row in return_body_context(return_data(rated_round))["change_rows"]
        if row["code"] == "E1"
    )
    assert heading == LABEL
    sheet = load_workbook(BytesIO(return_xlsx(return_data(rated_round))))["Changes"]
    assert ["E1", f"Enabler: {ENABLER_TITLE}"] in [[c.value for c in row[:2]] for row in sheet.rows]


def test_opening_the_round_asks_partners_to_rate_the_changes_and_enablers(
    cast, django_capture_on_commit_callbacks
):
    framework = enabler_framework(rate_enablers=True)
    with django_capture_on_commit_callbacks(execute=True):
        enabler_round(cast, framework)
    assert any("rate each of the 3 changes and enablers" in message.body for message in mail.outbox)


def test_the_offline_spreadsheet_lists_the_enabler_labelled_as_one(client, cast, rated_round):
    client.force_login(cast.member)
    url = reverse("return_download", args=[rated_round.public_id, cast.partner.public_id])
    sheet = load_workbook(BytesIO(client.get(url).content)).active
    assert ["E1", f"Enabler: {ENABLER_TITLE}"] in [[c.value for c in row[:2]] for row in sheet.rows]


def test_a_review_is_ready_for_approval_without_the_enablers_a_round_does_not_rate(
    client, cast, unrated_round
):
    for partner, member in ((cast.partner, cast.member), (cast.other_partner, cast.other_member)):
        partner_return = rate(unrated_round, partner, member, ["1", "2"])
        return_submit(partner_return=partner_return, submitted_by=member)
    review_page(client, cast, unrated_round)
    for code in ("1", "2"):
        propose(unrated_round, code, cast.facilitator)
    home = " ".join(client.get(reverse("home")).content.decode().split())
    assert "every change has a proposed level – submit them for approval" in home
