"""A round shows the wording version it opened with, whatever is loaded later; a round opened
afterwards shows the new wording, and a draft follows the newest until it opens."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assessments.framework_content import content_for_round, framework_edited
from assessments.history_services import RecordedLevel, round_record_afterwards
from assessments.models import Change, FrameworkVersion, PartnerReturn, Round
from assessments.round_services import return_submit
from assessments.spreadsheets.download import SHEET_NAME, return_workbook
from improvement_plans.forms import ActionForm
from tests.improvement_plans.helpers import agreed_round
from tests.versions.helpers import (
    NEW_TITLE,
    OLD_TITLE,
    load_new_wording,
    open_draft_round,
    rate_the_rounds_changes,
)

pytestmark = pytest.mark.django_db

EXTRA_CHANGE = """\
  - code: "10"
    title: "Sharing records across partners"
"""


def rating_page(round_, partner) -> str:
    return f"/rounds/{round_.public_id}/partners/{partner.public_id}/changes/1/"


def task_list(round_, partner) -> str:
    return f"/rounds/{round_.public_id}/partners/{partner.public_id}/"


def test_opening_a_round_ties_it_to_the_newest_version(cast, frameworks):
    round_ = open_draft_round(cast, frameworks["mtoc-2020"])
    assert round_.framework_version == FrameworkVersion.objects.get(
        framework=frameworks["mtoc-2020"], number=1
    )


def test_a_round_in_rating_keeps_its_wording_when_a_new_version_is_loaded(
    client, cast, frameworks, tmp_path
):
    round_ = open_draft_round(cast, frameworks["mtoc-2020"])
    load_new_wording(tmp_path)

    client.force_login(cast.member)
    for url in (rating_page(round_, cast.partner), task_list(round_, cast.partner)):
        page = client.get(url).content.decode()
        assert OLD_TITLE in page, url
        assert NEW_TITLE not in page, url
    partner_return = PartnerReturn.objects.get(round=round_, partner=cast.partner)
    sheet = load_workbook(io.BytesIO(return_workbook(partner_return)))[SHEET_NAME]
    titles = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert OLD_TITLE in titles and NEW_TITLE not in titles


def test_a_round_opened_after_the_new_version_shows_the_new_wording(
    client, cast, frameworks, tmp_path
):
    earlier = open_draft_round(cast, frameworks["mtoc-2020"], name="Earlier")
    framework = load_new_wording(tmp_path)
    later = open_draft_round(cast, framework, name="Later")

    assert later.framework_version.number == 2
    assert earlier.framework_version.number == 1
    client.force_login(cast.member)
    page = client.get(rating_page(later, cast.partner)).content.decode()
    assert NEW_TITLE in page and OLD_TITLE not in page


def test_a_draft_shows_the_newest_wording_and_opens_with_it(cast, frameworks, tmp_path):
    draft = Round.objects.create(
        system=cast.system,
        name="Draft",
        framework=frameworks["mtoc-2020"],
        opens_on="2026-01-01",
        closes_on="2099-01-01",
        quorum=1,
    )
    assert content_for_round(draft).change("1").title == OLD_TITLE
    load_new_wording(tmp_path)
    draft.refresh_from_db()
    assert draft.framework_version is None
    assert content_for_round(draft).change("1").title == NEW_TITLE


def test_a_change_a_new_version_adds_is_not_asked_of_a_round_already_rating(
    client, cast, frameworks, tmp_path
):
    round_ = open_draft_round(cast, frameworks["mtoc-2020"])
    load_new_wording(tmp_path, extra_change=EXTRA_CHANGE)

    client.force_login(cast.member)
    assert (
        "Sharing records across partners"
        not in client.get(task_list(round_, cast.partner)).content.decode()
    )
    # The partner rates the round's own nine changes and can submit.
    partner_return = rate_the_rounds_changes(round_, cast.partner, cast.member)
    return_submit(partner_return=partner_return, submitted_by=cast.member)
    assert PartnerReturn.objects.get(pk=partner_return.pk).submitted_at is not None
    # A round opened now rates ten.
    later = open_draft_round(cast, frameworks["mtoc-2020"], name="Later")
    assert len(content_for_round(later).live_changes) == 10


def test_an_agreed_rounds_plan_and_return_keep_its_wording(client, cast, frameworks, tmp_path):
    round_ = agreed_round(cast.system, frameworks["mtoc-2020"], planner=cast.facilitator)
    Round.objects.filter(pk=round_.pk).update(
        framework_version=FrameworkVersion.objects.get(framework=round_.framework, number=1)
    )
    load_new_wording(tmp_path)

    client.force_login(cast.facilitator)
    for name in ("plan", "return_preview", "agreed"):
        response = client.get(reverse(name, args=[round_.public_id]))
        assert response.status_code == 200, name
        page = response.content.decode()
        assert OLD_TITLE in page, name
        assert NEW_TITLE not in page, name


def test_a_round_recorded_afterwards_is_tied_to_the_newest_version(cast, frameworks, tmp_path):
    framework = load_new_wording(tmp_path)
    level = framework.levels.get(number=3)
    round_ = round_record_afterwards(
        actor=cast.facilitator,
        system=cast.system,
        framework=framework,
        name="2019/20",
        agreed_on=date(2019, 9, 12),
        approval_note="Health and Wellbeing Board",
        levels=[
            RecordedLevel(change=change, level=level)
            for change in framework.changes.filter(archived=False)
        ],
    )
    assert round_.framework_version.number == 2
    assert content_for_round(round_).change("1").title == NEW_TITLE


def test_a_round_in_review_keeps_its_wording_on_the_review_pages(
    client, cast, frameworks, tmp_path
):
    round_ = open_draft_round(cast, frameworks["mtoc-2020"])
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.REVIEW)
    load_new_wording(tmp_path)

    client.force_login(cast.facilitator)
    for url in (
        reverse("review", args=[round_.public_id]),
        reverse("review_change", args=[round_.public_id, "1"]),
        reverse("workshop", args=[round_.public_id, "1"]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert OLD_TITLE in page and NEW_TITLE not in page, url


def test_a_change_a_later_version_drops_stays_in_the_plan_of_a_round_that_agreed_it(
    cast, frameworks
):
    framework = frameworks["mtoc-2020"]
    round_ = agreed_round(cast.system, framework, planner=cast.facilitator)
    Round.objects.filter(pk=round_.pk).update(
        framework_version=FrameworkVersion.objects.get(framework=framework, number=1)
    )
    round_.refresh_from_db()
    Change.objects.filter(framework=framework, code="9").update(archived=True)
    framework_edited(framework.pk)  # version 2 drops change 9 (its row is archived)

    offered = ActionForm(None, round_=round_).fields["change"].queryset
    assert "9" in {change.code for change in offered}
    later = open_draft_round(cast, framework, name="Later")
    assert "9" not in {change.code for change in content_for_round(later).live_changes}
