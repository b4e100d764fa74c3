"""While a round is in rating, a partner's levels, rationales and evidence are visible to that
partner's own members only: not to other partners, facilitators, steering committee members or
regional viewers, on any page, export or e-mail they can reach."""

import io

import openpyxl
import pytest
from django.core import mail
from django.core.management import call_command

from assessments.models import Rating
from tests.helpers import rate_everything

pytestmark = pytest.mark.django_db

SECRET = "ZEBRA-SECRET-RATIONALE"
SECRET_URL = "https://secret.example/zebra-evidence"


@pytest.fixture
def rated(cast, open_round):
    partner_return = rate_everything(
        open_round, cast.partner, cast.member, rationale=SECRET, level_number=5
    )
    Rating.objects.filter(partner=cast.partner).update(
        evidence=[{"title": "Zebra audit", "url": SECRET_URL}]
    )
    return partner_return


def pages_of(round_, partner) -> list[str]:
    base = f"/rounds/{round_.public_id}/partners/{partner.public_id}/"
    return [
        base,
        base + "changes/1/",
        base + "changes/1/history/",
        base + "check/",
        base + "submitted/",
        base + "spreadsheet/",
        base + "upload/",
    ]


def everything_visible(client, round_, cast) -> list[tuple[str, int, bytes]]:
    paths = [
        "/",
        "/systems/testshire/",
        "/systems/testshire/rounds/",
        f"/rounds/{round_.public_id}/",
        *pages_of(round_, cast.partner),
        *pages_of(round_, cast.other_partner),
    ]
    results = []
    for path in paths:
        response = client.get(path, follow=True)
        body = response.content
        if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
            workbook = openpyxl.load_workbook(io.BytesIO(body))
            body = " ".join(
                str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row
            ).encode()
        results.append((path, response.status_code, body))
    return results


@pytest.mark.parametrize(
    "role", ["other_member", "facilitator", "steering", "viewer", "outsider", "nobody"]
)
def test_nobody_outside_the_partner_sees_its_ratings_anywhere(
    client, cast, open_round, rated, role
):
    client.force_login(cast.roles()[role])
    for path, _status, body in everything_visible(client, open_round, cast):
        assert SECRET.encode() not in body, f"{role} sees the rationale at {path}"
        assert SECRET_URL.encode() not in body, f"{role} sees the evidence at {path}"
        assert b"Zebra audit" not in body, f"{role} sees the evidence title at {path}"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("other_member", 403),
        ("facilitator", 403),
        ("steering", 403),
        ("viewer", 403),
        ("outsider", 404),
        ("nobody", 404),
    ],
)
def test_the_partners_return_pages_refuse_everyone_else(
    client, cast, open_round, rated, role, status
):
    client.force_login(cast.roles()[role])
    for path in pages_of(open_round, cast.partner):
        assert client.get(path).status_code == status, path


def test_the_partners_own_members_see_their_ratings(client, cast, open_round, rated):
    client.force_login(cast.member)
    visible = b" ".join(body for _, _, body in everything_visible(client, open_round, cast))
    assert SECRET.encode() in visible
    assert SECRET_URL.encode() in visible


def test_no_e_mail_carries_a_rating(cast, open_round, rated, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--today", str(open_round.closes_on), stdout=io.StringIO())
    assert mail.outbox, "reminders were sent"
    for message in mail.outbox:
        assert SECRET not in message.body and SECRET_URL not in message.body


def test_the_admin_is_for_site_administrators_only(client, cast, open_round, rated):
    for role in ("facilitator", "steering", "member"):
        client.force_login(cast.roles()[role])
        assert client.get("/admin/assessments/rating/").status_code == 302
    client.force_login(cast.admin)
    assert b"Testshire Hospitals" not in client.get("/admin/assessments/rating/").content
    rating = Rating.objects.filter(partner=cast.partner).first()
    # While the round is in rating, its ratings are its partners' alone: the admin too.
    page = client.get(f"/admin/assessments/rating/{rating.pk}/change/")
    assert SECRET.encode() not in page.content
