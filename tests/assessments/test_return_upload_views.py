import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.models import Rating

pytestmark = pytest.mark.django_db


def base(round_, partner) -> str:
    return f"/rounds/{round_.public_id}/partners/{partner.public_id}/"


def filled_workbook(client, round_, partner, *, level="Established", rationale="Offline view"):
    content = client.get(base(round_, partner) + "spreadsheet/").content
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook["Return"]
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, 1).value:
            sheet.cell(row, 3).value = level
            sheet.cell(row, 4).value = f"{rationale} {sheet.cell(row, 1).value}"
            sheet.cell(row, 6).value = "Medium"
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile("return.xlsx", out.getvalue())


def test_an_upload_is_previewed_then_saved_only_on_confirmation(client, cast, open_round):
    client.force_login(cast.member)
    preview = client.post(
        base(open_round, cast.partner) + "upload/",
        {"spreadsheet": filled_workbook(client, open_round, cast.partner)},
    )
    assert preview.status_code == 200
    assert "Check what will be saved" in preview.content.decode()
    assert not Rating.objects.exists()
    confirmed = client.post(base(open_round, cast.partner) + "upload/confirm/")
    assert confirmed["Location"] == base(open_round, cast.partner)
    assert Rating.objects.filter(partner=cast.partner).count() == 9
    page = client.get(base(open_round, cast.partner)).content.decode()
    assert "You have rated 9 of 9 changes" in page


def test_an_upload_with_errors_lists_them_and_offers_no_confirmation(client, cast, open_round):
    client.force_login(cast.member)
    preview = client.post(
        base(open_round, cast.partner) + "upload/",
        {"spreadsheet": filled_workbook(client, open_round, cast.partner, level="Brilliant")},
    )
    page = preview.content.decode()
    assert "<title>Error: " in page
    assert "Row 2: Brilliant is not a level of this framework" in page
    assert "Save these ratings" not in page
    assert client.post(base(open_round, cast.partner) + "upload/confirm/").status_code == 302
    assert not Rating.objects.exists()


def test_a_file_that_is_not_a_spreadsheet_is_refused(client, cast, open_round):
    client.force_login(cast.member)
    preview = client.post(
        base(open_round, cast.partner) + "upload/",
        {"spreadsheet": SimpleUploadedFile("notes.xlsx", b"just some text")},
    )
    assert "The file is not an Excel spreadsheet (.xlsx)" in preview.content.decode()


def test_an_empty_upload_form_asks_for_a_file(client, cast, open_round):
    client.force_login(cast.member)
    response = client.post(base(open_round, cast.partner) + "upload/", {})
    assert response.context["form"].errors["spreadsheet"] == ["Select a spreadsheet to upload"]


@pytest.mark.parametrize("role", ["other_member", "facilitator", "steering"])
def test_only_the_partners_members_may_upload(client, cast, open_round, role):
    client.force_login(cast.member)
    upload = filled_workbook(client, open_round, cast.partner)
    client.force_login(cast.roles()[role])
    response = client.post(base(open_round, cast.partner) + "upload/", {"spreadsheet": upload})
    assert response.status_code == 403
    assert client.post(base(open_round, cast.partner) + "upload/confirm/").status_code == 403
    assert not Rating.objects.exists()
