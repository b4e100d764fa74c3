"""The import pages: upload → preview with every problem → confirm → done, for a facilitator
(their own system) and a site administrator (any systems, creating missing ones)."""

import pytest
from django.urls import reverse

from assessments.models import Round, System
from hicm_portal.models import PendingUpload
from tests.history_import.helpers import (
    csv_file,
    level_rows,
    read_and_import,
    uploaded,
    xlsx_file,
)


@pytest.fixture
def urls(cast, frameworks):
    slug = cast.system.slug
    return {
        "upload": reverse("system_history_import_upload", args=[slug]),
        "confirm": reverse("system_history_import_confirm", args=[slug]),
        "done": reverse("system_history_import_done", args=[slug]),
    }


ADMIN = {
    "upload": "/imports/past-returns/",
    "confirm": "/imports/past-returns/confirm/",
    "done": "/imports/past-returns/done/",
}


def test_a_facilitator_imports_for_their_system(client, cast, urls):
    client.force_login(cast.facilitator)
    assert client.get(urls["upload"]).status_code == 200
    response = client.post(
        urls["upload"], {"spreadsheet": uploaded("returns.csv", csv_file(level_rows()))}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Check the past returns to import" in page
    assert "To be recorded afterwards" in page
    assert not Round.objects.filter(name="2019/20").exists()
    response = client.post(urls["confirm"])
    assert response.status_code == 302 and response["Location"] == urls["done"]
    round_ = Round.objects.get(system=cast.system, name="2019/20")
    assert round_.recorded_afterwards and round_.created_by == cast.facilitator
    page = client.get(urls["done"]).content.decode()
    assert "1 round recorded afterwards" in page
    assert "Testshire 2019/20" in page
    assert not PendingUpload.objects.exists()


def test_the_preview_lists_every_rows_problem_and_keeps_nothing(client, cast, urls):
    rows = level_rows() + level_rows(system="elsewhere")
    rows[2][5] = "Splendid"
    client.force_login(cast.facilitator)
    response = client.post(urls["upload"], {"spreadsheet": uploaded("r.csv", csv_file(rows))})
    page = response.content.decode()
    assert "<title>Error: " in page
    assert "Row 4, column level: Splendid is not a level" in page
    assert "Row 10, column system: You can import returns for Testshire only" in page
    assert "Has problems" in page
    assert "Import these returns" not in page
    assert not PendingUpload.objects.exists()
    response = client.post(urls["confirm"])
    assert response.status_code == 302 and response["Location"] == urls["upload"]
    assert not Round.objects.filter(name="2019/20").exists()


def test_the_system_page_links_to_the_import_for_its_facilitators(client, cast, urls):
    client.force_login(cast.facilitator)
    page = client.get(reverse("system_detail", args=[cast.system.slug])).content.decode()
    assert urls["upload"] in page
    client.force_login(cast.member)
    page = client.get(reverse("system_detail", args=[cast.system.slug])).content.decode()
    assert urls["upload"] not in page


@pytest.mark.parametrize(
    ("role", "status"),
    [("member", 403), ("steering", 403), ("viewer", 403), ("outsider", 404), ("nobody", 404)],
)
def test_only_facilitators_import_for_a_system(client, cast, urls, role, status):
    client.force_login(cast.roles()[role])
    assert client.get(urls["upload"]).status_code == status
    assert client.post(urls["confirm"]).status_code == status


def test_a_site_administrator_imports_for_any_systems_and_creates_missing_ones(
    client, cast, frameworks
):
    client.force_login(cast.admin)
    page = client.get(ADMIN["upload"]).content.decode()
    assert "Create a system for each area code" in page
    rows = level_rows(system="elsewhere") + level_rows(system="", area_code="E10000018")
    response = client.post(
        ADMIN["upload"],
        {"spreadsheet": uploaded("r.xlsx", xlsx_file(rows)), "create_systems": "on"},
    )
    page = response.content.decode()
    assert "Systems to create from the reference list" in page
    assert "Leicestershire (E10000018, Midlands)" in page
    assert not System.objects.filter(area_code="E10000018").exists()
    response = client.post(ADMIN["confirm"])
    assert response["Location"] == ADMIN["done"]
    assert Round.objects.get(system=cast.other_system, name="2019/20").recorded_afterwards
    assert Round.objects.get(system__area_code="E10000018", name="2019/20").recorded_afterwards
    page = client.get(ADMIN["done"]).content.decode()
    assert "2 rounds recorded afterwards" in page
    assert "1 system created from the reference list" in page


def test_the_confirmation_checks_the_file_again(client, cast, urls):
    client.force_login(cast.facilitator)
    data = csv_file(level_rows())
    client.post(urls["upload"], {"spreadsheet": uploaded("r.csv", data)})
    # Someone records a different 2019/20 meanwhile.
    read_and_import(csv_file(level_rows(levels=["1"] * 8)), cast.admin)
    response = client.post(urls["confirm"])
    assert response.status_code == 302 and response["Location"] == urls["upload"]
    page = client.get(urls["upload"]).content.decode()
    assert "no longer passes the checks" in page
    assert Round.objects.get(name="2019/20").consensus.filter(level__number=1).count() == 8


def test_only_site_administrators_use_the_national_import(client, cast, frameworks):
    for person in (cast.facilitator, cast.member, cast.nobody):
        client.force_login(person)
        assert client.get(ADMIN["upload"]).status_code == 403
        assert client.post(ADMIN["confirm"]).status_code == 403


def test_the_home_page_and_the_admin_link_administrators_to_the_import(client, cast):
    client.force_login(cast.admin)
    assert ADMIN["upload"] in client.get(reverse("home")).content.decode()
    assert ADMIN["upload"] in client.get(reverse("admin:index")).content.decode()
    client.force_login(cast.facilitator)
    assert ADMIN["upload"] not in client.get(reverse("home")).content.decode()
