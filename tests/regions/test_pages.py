"""The region page, the levels map, the summaries and the national page: what a regional or
national viewer reads there, their filters and downloads, and who is refused."""

import csv
import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from assessments.models import Region, System
from improvement_plans.models import Action
from tests.factories import PartnerFactory, UserFactory
from tests.regions.helpers import build_region, national_viewer_user, regional_viewer


@pytest.fixture
def testland(cast, frameworks):
    return build_region(frameworks, cast.admin)


@pytest.fixture
def viewer(testland):
    return regional_viewer(testland)


def text_of(response) -> str:
    return " ".join(response.content.decode().split())


def test_the_region_page_lists_every_system_with_its_rounds_and_what_is_overdue(
    client, testland, viewer, frameworks
):
    dunmere = System.objects.get(name="Dunmere")
    change = frameworks["mtoc-2020"].changes.get(code="1")
    Action.objects.create(
        system=dunmere,
        change=change,
        title="Discharge planning from admission",
        lead_partner=PartnerFactory(system=dunmere),
        owner=UserFactory(email="owner@test.example"),
        start_date=date(2023, 11, 1),
        due_date=date(2024, 1, 31),
        status=Action.Status.IN_PROGRESS,
    )
    client.force_login(viewer)
    response = client.get(reverse("region", args=[testland.slug]))
    assert response.status_code == 200
    text = text_of(response)
    for name in ("Ashdown", "Brookfield", "Coldbrook", "Dunmere", "Eastholm"):
        assert name in text
    assert "Farshire" not in text
    assert "2023/24, agreed 1 October 2023" in text  # Brookfield's last agreed round
    assert (
        '2018/19, agreed 1 October 2018 <strong class="govuk-tag govuk-tag--grey">Recorded' in text
    )  # Coldbrook's
    assert "2025/26: Approval" in text and "has waited for approval since" in text
    assert "2025/26: Rating" in text and "2025/26 closed on" in text  # Eastholm, past closing
    assert "1 overdue action in its plan" in text


def test_the_levels_map_shows_levels_in_words_with_the_trend(client, testland, viewer):
    client.force_login(viewer)
    url = reverse("region_levels", args=[testland.slug])
    response = client.get(url, {"framework": "mtoc-2020", "crosswalk": "yes"})
    assert response.status_code == 200
    text = text_of(response)
    # Ashdown's change 4: Mature, up from Plans in place (its 2017 round, over the crosswalk).
    assert (
        'app-level-4">Mature <span aria-hidden="true">↑</span>'
        '<span class="govuk-visually-hidden">, up from Plans in place</span>' in text
    )
    assert "down from Plans in place" in text  # Brookfield's change 8: 2 → 1
    assert "Recorded afterwards" in text  # Coldbrook's 2017 round
    # Dunmere's proposed levels (all Exemplary) wait for approval: never shown.
    assert "Exemplary" not in text.split('id="map-caption"')[1].split("</table>")[0]
    assert '<caption class="govuk-table__caption govuk-table__caption--m" id="map-caption">' in text
    assert 'role="region" aria-labelledby="map-caption"' in text


def test_the_map_filters_by_state_and_says_what_it_shows(client, testland, viewer):
    client.force_login(viewer)
    url = reverse("region_levels", args=[testland.slug])
    text = text_of(client.get(url, {"framework": "mtoc-2020", "state": "approval"}))
    tbody = text.split("<tbody")[1]
    assert "Dunmere" in tbody and "Ashdown" not in tbody
    assert "systems whose current round is: Approval" in text


def test_bad_filters_are_named_and_nothing_else_is_shown(client, testland, viewer):
    client.force_login(viewer)
    url = reverse("region_levels", args=[testland.slug])
    text = text_of(client.get(url, {"as_of": "31 Febtober", "period": "2021/22"}))
    assert "There is a problem" in text
    assert "31 Febtober is not a date" in text
    assert "map-caption" not in text
    text = text_of(client.get(url, {"as_of": "1 January 2022", "period": "2021/22"}))
    assert "Choose a date or a round name, not both" in text


def test_the_summary_counts_and_says_how(client, testland, viewer):
    client.force_login(viewer)
    url = reverse("region_summary", args=[testland.slug])
    response = client.get(url, {"framework": "mtoc-2020", "as_of": "1 January 2022"})
    text = text_of(response)
    assert "each system's agreed round before the one counted" in text
    row = text.split("1. Early discharge planning")[1].split("</tr>")[0]
    # Ashdown 3, Brookfield 2, Dunmere 1: one of each, 1 Established or better, median 2.
    cells = [cell.split(">")[-1] for cell in row.split("</td>")[:-1]]
    # Per level, then Established or better (bold), before (none), the median, systems.
    assert cells == ["1", "1", "1", "0", "0", "", "–", "2", "3"]
    assert "<strong>1</strong>" in row


def test_the_summary_downloads_as_csv_and_xlsx_with_the_filters(client, testland, viewer):
    client.force_login(viewer)
    url = reverse("region_summary", args=[testland.slug])
    query = {"framework": "mtoc-2020", "crosswalk": "yes"}
    response = client.get(url, {**query, "download": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["change"] for row in rows] == [str(n) for n in range(1, 10)]
    assert rows[0]["established_or_better"] == "3" and rows[0]["systems"] == "4"
    assert rows[0]["Established"] == "2" and rows[0]["Not yet established"] == "1"
    response = client.get(url, {**query, "download": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][:2] == ("change", "title")
    assert values[1][0] == "1" and values[1][values[0].index("established_or_better")] == 3


def test_the_map_downloads_as_csv_and_xlsx_with_the_filters(client, testland, viewer):
    client.force_login(viewer)
    url = reverse("region_levels", args=[testland.slug])
    response = client.get(url, {"framework": "mtoc-2020", "period": "2021/22", "download": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["system"] for row in rows] == [
        "Ashdown",
        "Brookfield",
        "Coldbrook",
        "Dunmere",
        "Eastholm",
    ]
    ashdown = rows[0]
    assert (
        ashdown["round"] == "2021/22"
        and ashdown["4. Home first (and discharge to assess)"] == "Mature"
    )
    assert ashdown["4 level number"] == "4"
    assert rows[2]["round"] == ""  # Coldbrook has no 2021/22 round
    response = client.get(url, {"framework": "mtoc-2020", "download": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "system" and values[2][0] == "Brookfield"
    assert values[2][1] == "2023/24"


def test_a_system_named_like_a_formula_stays_text_in_the_downloads(client, testland, viewer):
    System.objects.filter(name="Ashdown").update(name="=HYPERLINK(1)")
    client.force_login(viewer)
    url = reverse("region_levels", args=[testland.slug])
    response = client.get(url, {"download": "csv"})
    assert "'=HYPERLINK(1)" in response.content.decode()


def test_the_national_pages_count_every_region(client, testland):
    client.force_login(national_viewer_user())
    text = text_of(client.get(reverse("national")))
    assert "Testland" in text and "Elsewhere region" in text
    row = text.split(">Testland</a>")[1].split("</tr>")[0]
    assert [cell.split(">")[-1] for cell in row.split("</td>")[:-1]] == ["5", "4", "0"]
    response = client.get(
        reverse("national_summary"), {"framework": "mtoc-2020", "download": "csv"}
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["systems"] == "4" and rows[0]["Exemplary"] == "1"  # Farshire too


def test_a_national_viewer_reads_every_regions_pages(client, testland):
    client.force_login(national_viewer_user())
    for name in ("region", "region_levels", "region_summary"):
        assert client.get(reverse(name, args=[testland.slug])).status_code == 200


def test_a_site_administrator_reads_them_too(client, cast, testland):
    client.force_login(cast.admin)
    text = text_of(client.get(reverse("region", args=[testland.slug])))
    assert "Ashdown" in text
    assert client.get(reverse("national")).status_code == 200


REGION_PAGES = ["region", "region_levels", "region_summary"]


@pytest.mark.parametrize("name", REGION_PAGES)
def test_members_of_a_system_of_the_region_get_403(client, cast, name):
    for person in (cast.member, cast.facilitator, cast.steering):
        client.force_login(person)
        assert client.get(reverse(name, args=[cast.system.region.slug])).status_code == 403


@pytest.mark.parametrize("name", REGION_PAGES)
def test_outsiders_and_viewers_of_another_region_get_404(client, cast, testland, name):
    for person in (cast.outsider, cast.nobody, cast.viewer):
        client.force_login(person)
        assert client.get(reverse(name, args=[testland.slug])).status_code == 404
    client.force_login(cast.viewer)
    assert client.get(reverse(name, args=["no-such-region"])).status_code == 404


@pytest.mark.parametrize("name", ["national", "national_summary"])
def test_only_national_viewers_and_administrators_see_the_nation(client, cast, name):
    for person in (cast.viewer, cast.facilitator, cast.member, cast.nobody):
        client.force_login(person)
        assert client.get(reverse(name)).status_code == 404


def test_a_regional_viewers_home_links_to_their_region(client, cast):
    client.force_login(cast.viewer)
    text = text_of(client.get(reverse("home")))
    assert reverse("region", args=[cast.system.region.slug]) in text


def test_a_person_without_a_region_sees_no_region_link(client, cast):
    client.force_login(cast.member)
    assert "/regions/" not in text_of(client.get(reverse("home")))


def test_regions_without_systems_say_so(client, db):
    region = Region.objects.create(name="Emptyland", slug="emptyland")
    client.force_login(regional_viewer(region, "empty-viewer@test.example"))
    assert "The region has no systems yet" in text_of(
        client.get(reverse("region", args=["emptyland"]))
    )
