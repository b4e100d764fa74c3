"""A confirmed spreadsheet upload respects versions (issue 12, fault 5): a rating a colleague
saved after the preview is never overwritten silently; the person sees both versions of each
such rating and chooses which to keep."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from assessments import spreadsheets
from assessments.models import PartnerReturn, Rating
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

MINE = "From the spreadsheet"
THEIRS = "Typed in the browser by a colleague"


def base(round_, partner) -> str:
    return f"/rounds/{round_.public_id}/partners/{partner.public_id}/"


@pytest.fixture
def colleague(cast):
    """Another member of `cast.partner`, logged in on a browser of their own."""
    user = UserFactory(email="colleague@test.example", full_name="Cal Colleague")
    MemberFactory(user=user, partner=cast.partner)
    browser = Client()
    browser.force_login(user)
    return browser


def workbook(client, round_, partner, codes=("1", "2")) -> SimpleUploadedFile:
    """The downloaded return with the given changes filled in, as someone would in Excel."""
    content = client.get(base(round_, partner) + "spreadsheet/").content
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book["Return"]
    for row in range(2, sheet.max_row + 1):
        if str(sheet.cell(row, 1).value) in codes:
            sheet.cell(row, 3).value = "Established"
            sheet.cell(row, 4).value = f"{MINE} {sheet.cell(row, 1).value}"
            sheet.cell(row, 6).value = "Medium"
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("return.xlsx", out.getvalue())


def save_in_browser(browser, round_, partner, code, *, version, rationale=THEIRS):
    level = round_.framework.levels.get(number=2)
    response = browser.post(
        base(round_, partner) + f"changes/{code}/",
        {
            "version": version,
            "save_continue": "",
            "level": level.pk,
            "rationale": rationale,
            "confidence": "low",
        },
    )
    assert response.status_code == 302
    return Rating.objects.get(round=round_, partner=partner, change__code=code)


def preview_then_colleague_saves(client, cast, open_round, colleague):
    client.force_login(cast.member)
    preview = client.post(
        base(open_round, cast.partner) + "upload/",
        {"spreadsheet": workbook(client, open_round, cast.partner)},
    )
    assert "Check what will be saved" in preview.content.decode()
    return save_in_browser(colleague, open_round, cast.partner, "1", version=0)


def test_a_colleagues_save_after_the_preview_stops_the_upload_and_both_versions_are_shown(
    client, cast, open_round, colleague
):
    theirs = preview_then_colleague_saves(client, cast, open_round, colleague)

    response = client.post(base(open_round, cast.partner) + "upload/confirm/")

    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else saved some of these ratings" in page
    assert f"{MINE} 1" in page and THEIRS in page  # both versions of change 1
    assert "Cal Colleague saved it" in page
    assert f"{MINE} 2" not in page  # change 2 met no one else's save: no choice to make
    # Nothing was overwritten, and nothing of the upload was saved.
    theirs.refresh_from_db()
    assert (theirs.rationale, theirs.version) == (THEIRS, 1)
    assert not Rating.objects.filter(change__code="2").exists()


def test_choosing_the_spreadsheets_version_saves_it_over_the_colleagues(
    client, cast, open_round, colleague
):
    theirs = preview_then_colleague_saves(client, cast, open_round, colleague)
    client.post(base(open_round, cast.partner) + "upload/confirm/")

    change_id = theirs.change_id
    response = client.post(
        base(open_round, cast.partner) + "upload/confirm/",
        {f"version-{change_id}": theirs.version, f"choice-{change_id}": "mine"},
    )

    assert response.status_code == 302
    theirs.refresh_from_db()
    assert (theirs.rationale, theirs.version, theirs.updated_by) == (f"{MINE} 1", 2, cast.member)
    assert [h.rationale for h in theirs.history.order_by("history_date")] == [THEIRS, f"{MINE} 1"]
    assert Rating.objects.get(change__code="2").rationale == f"{MINE} 2"


def test_choosing_the_saved_version_keeps_it_and_saves_the_rest_of_the_spreadsheet(
    client, cast, open_round, colleague
):
    theirs = preview_then_colleague_saves(client, cast, open_round, colleague)
    client.post(base(open_round, cast.partner) + "upload/confirm/")

    change_id = theirs.change_id
    response = client.post(
        base(open_round, cast.partner) + "upload/confirm/",
        {f"version-{change_id}": theirs.version, f"choice-{change_id}": "saved"},
    )

    assert response.status_code == 302
    theirs.refresh_from_db()
    assert (theirs.rationale, theirs.version) == (THEIRS, 1)
    assert Rating.objects.get(change__code="2").rationale == f"{MINE} 2"


def test_a_choice_is_asked_for_when_none_was_made(client, cast, open_round, colleague):
    theirs = preview_then_colleague_saves(client, cast, open_round, colleague)
    client.post(base(open_round, cast.partner) + "upload/confirm/")

    response = client.post(
        base(open_round, cast.partner) + "upload/confirm/",
        {f"version-{theirs.change_id}": theirs.version},
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "<title>Error: " in page
    assert "Select which version of change 1 to keep" in page
    assert not Rating.objects.filter(change__code="2").exists()


def test_a_second_save_by_the_colleague_while_choosing_is_shown_again(
    client, cast, open_round, colleague
):
    theirs = preview_then_colleague_saves(client, cast, open_round, colleague)
    client.post(base(open_round, cast.partner) + "upload/confirm/")
    seen = theirs.version
    again = save_in_browser(
        colleague, open_round, cast.partner, "1", version=seen, rationale="Changed again"
    )

    response = client.post(
        base(open_round, cast.partner) + "upload/confirm/",
        {f"version-{theirs.change_id}": seen, f"choice-{theirs.change_id}": "mine"},
    )

    assert response.status_code == 409
    assert "Changed again" in response.content.decode()
    again.refresh_from_db()
    assert (again.rationale, again.version) == ("Changed again", 2)


def test_the_service_names_each_conflicting_rating_with_both_versions(
    client, cast, open_round, colleague
):
    client.force_login(cast.member)
    partner_return = PartnerReturn.objects.get(round=open_round, partner=cast.partner)
    parsed = spreadsheets.parse_return_workbook(
        partner_return, workbook(client, open_round, cast.partner)
    )
    assert [row.version for row in parsed.rows] == [0, 0]
    save_in_browser(colleague, open_round, cast.partner, "1", version=0)

    with pytest.raises(spreadsheets.UploadConflicts) as raised:
        spreadsheets.upload_apply(partner_return, parsed, cast.member)

    (conflict,) = raised.value.conflicts
    assert conflict.row.code == "1"
    assert conflict.mine.rationale == f"{MINE} 1"
    assert (conflict.saved.rationale, conflict.saved.version) == (THEIRS, 1)
    assert Rating.objects.count() == 1


def test_the_preview_records_the_version_of_each_saved_rating(client, cast, open_round):
    client.force_login(cast.member)
    rating = save_in_browser(client, open_round, cast.partner, "2", version=0)
    partner_return = PartnerReturn.objects.get(round=open_round, partner=cast.partner)
    parsed = spreadsheets.parse_return_workbook(
        partner_return, workbook(client, open_round, cast.partner)
    )
    assert {row.code: row.version for row in parsed.rows} == {"1": 0, "2": rating.version}
    # Over the version it saw, the upload saves as the form does.
    assert spreadsheets.upload_apply(partner_return, parsed, cast.member) == 2
    rating.refresh_from_db()
    assert (rating.rationale, rating.version) == (f"{MINE} 2", 2)
