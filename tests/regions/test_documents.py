"""A region's downloads: the zip of its systems' latest issued returns, and the region report
PDF; who may have them."""

import hashlib
import re
from datetime import date

import pytest
from django.urls import reverse

from assessments.models import RegionalViewer, Round
from hicm_portal.charts import stacked_bars
from improvement_plans.models import Document
from improvement_plans.return_services import return_issue
from regions import documents
from regions.selectors import systems_read
from tests.factories import RegionFactory, UserFactory
from tests.regions.document_helpers import (
    filters_of,
    national_viewer,
    record_round,
    report_url,
    stored_return,
    system_in,
    unbuilt_return,
    zip_index,
    zip_of,
    zip_url,
)
from tests.returns.helpers import pdf_layout_text


@pytest.fixture
def region_returns(cast, frameworks):
    """Testshire's region with four systems: Testshire (two agreed rounds; the later one
    issued twice), Northby (an issued return, and a later round still in approval that has
    a return row of its own, which no service would make), Southby (an agreed round, nothing
    issued) and Westby (a return whose PDF is still being built). Elsewhere, in another
    region, has an issued return too."""
    framework = frameworks["mtoc-2020"]
    region = cast.system.region
    levels = dict.fromkeys("123456789", 3)

    def agreed(system, name, on):
        return record_round(
            system, framework, actor=cast.admin, name=name, agreed_on=on, levels=levels
        )

    older = agreed(cast.system, "2023/24", date(2023, 9, 1))
    newer = agreed(cast.system, "2024/25", date(2024, 9, 1))
    northby = system_in(region, "Northby")
    north_round = agreed(northby, "2024/25", date(2024, 10, 1))
    north_open = agreed(northby, "2025/26", date(2025, 10, 1))
    Round.objects.filter(pk=north_open.pk).update(status=Round.Status.APPROVAL, agreed_at=None)
    southby = system_in(region, "Southby")
    agreed(southby, "2024/25", date(2024, 11, 1))
    westby = system_in(region, "Westby")
    west_round = agreed(westby, "2024/25", date(2024, 12, 1))
    elsewhere = agreed(cast.other_system, "2024/25", date(2024, 9, 1))
    return {
        "region": region,
        "older": stored_return(older, on=date(2023, 9, 10)),
        "first": stored_return(newer, version=1, on=date(2024, 9, 10)),
        "latest": stored_return(newer, version=2, on=date(2024, 9, 20)),
        "north": stored_return(north_round, on=date(2024, 10, 10)),
        "north_open": stored_return(north_open, on=date(2025, 10, 10)),
        "west": unbuilt_return(west_round),
        "elsewhere": stored_return(elsewhere, on=date(2024, 9, 10)),
    }


def test_the_zip_holds_each_systems_latest_issued_pdf_byte_for_byte(client, cast, region_returns):
    client.force_login(cast.viewer)
    response = client.get(zip_url(region_returns["region"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="{cast.system.region.slug}-latest-returns-'
    )
    archive = zip_of(response)
    assert archive.namelist() == [  # by system, then the index
        "northby-202425-return-v1.pdf",
        "testshire-202425-return-v2.pdf",
        "index.csv",
        "index.txt",
    ]
    latest, north = region_returns["latest"], region_returns["north"]
    assert archive.read("testshire-202425-return-v2.pdf") == bytes(latest.pdf)
    assert archive.read("northby-202425-return-v1.pdf") == bytes(north.pdf)
    index = {row["system"]: row for row in zip_index(archive)}
    assert index["Testshire"] == {
        "system": "Testshire",
        "round": "2024/25",
        "version": "2",
        "issued": "2024-09-20",
        "sha256": hashlib.sha256(bytes(latest.pdf)).hexdigest(),
        "file": "testshire-202425-return-v2.pdf",
        "status": documents.INCLUDED,
        "recorded_afterwards": "yes",
    }
    assert index["Northby"]["sha256"] == hashlib.sha256(bytes(north.pdf)).hexdigest()


def test_the_index_names_systems_without_a_pdf_and_why(client, cast, region_returns):
    client.force_login(cast.viewer)
    archive = zip_of(client.get(zip_url(region_returns["region"])))
    index = {row["system"]: row for row in zip_index(archive)}
    assert list(index) == ["Northby", "Southby", "Testshire", "Westby"]
    assert index["Southby"]["status"] == "No return issued"
    assert index["Southby"]["file"] == index["Southby"]["round"] == ""
    assert index["Westby"]["status"] == documents.BEING_BUILT
    assert index["Westby"]["file"] == "" and index["Westby"]["version"] == "1"
    text = archive.read("index.txt").decode()
    assert "2 of 4 systems have a return PDF in this zip" in text
    assert "Southby\n  No return issued" in text
    assert "Westby\n  2024/25, recorded afterwards, version 1, issued" in text
    assert documents.BEING_BUILT in text
    assert f"SHA-256: {hashlib.sha256(bytes(region_returns['latest'].pdf)).hexdigest()}" in text


def test_a_failed_build_is_named_as_such(client, cast, region_returns):
    Document.objects.filter(issued_return=region_returns["west"]).update(
        status=Document.Status.FAILED
    )
    client.force_login(cast.viewer)
    index = {
        row["system"]: row for row in zip_index(zip_of(client.get(zip_url(cast.system.region))))
    }
    assert index["Westby"]["status"] == documents.BUILD_FAILED


def test_the_zip_builds_nothing_and_leaves_an_unbuilt_pdf_unbuilt(client, cast, region_returns):
    client.force_login(cast.viewer)
    b"".join(client.get(zip_url(cast.system.region)).streaming_content)
    west = region_returns["west"]
    west.refresh_from_db()
    assert bytes(west.pdf) == b""
    assert Document.objects.get(issued_return=west).status == Document.Status.QUEUED


def test_no_other_region_and_no_round_not_agreed_is_in_the_zip(client, cast, region_returns):
    client.force_login(cast.viewer)
    archive = zip_of(client.get(zip_url(cast.system.region)))
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"Elsewhere" not in everything
    assert b"2025/26" not in everything and b"202526" not in everything
    assert b"2023/24" not in everything  # an older round's return is not the latest


def test_the_zip_of_a_real_issued_return_is_its_stored_pdf(client, cast, frameworks):
    round_ = record_round(
        cast.system,
        frameworks["mtoc-2020"],
        actor=cast.facilitator,
        name="2024/25",
        agreed_on=date(2024, 9, 1),
        levels=dict.fromkeys("123456789", 2),
    )
    issued = return_issue(round_=round_, issued_by=cast.facilitator)
    client.force_login(cast.viewer)
    archive = zip_of(client.get(zip_url(cast.system.region)))
    stored = archive.read("testshire-202425-return-v1.pdf")
    assert stored == bytes(issued.pdf) and stored.startswith(b"%PDF")
    index = zip_index(archive)
    assert index[0]["sha256"] == hashlib.sha256(stored).hexdigest()


def test_the_zip_is_read_in_a_fixed_number_of_queries(
    client, cast, region_returns, django_assert_max_num_queries
):
    client.force_login(cast.viewer)
    with django_assert_max_num_queries(8):
        b"".join(client.get(zip_url(cast.system.region)).streaming_content)


# The region report.


@pytest.fixture
def region_levels(cast, frameworks):
    """Testshire's region on the 2020 model: Testshire at 3 Established on every change (2
    Plans in place the round before), Northby at 4 Mature on change 1 and 2 Plans in place on
    the rest, Southby with no agreed round."""
    framework = frameworks["mtoc-2020"]
    region = cast.system.region
    codes = "123456789"
    record_round(
        cast.system,
        framework,
        actor=cast.admin,
        name="2023/24",
        agreed_on=date(2023, 9, 1),
        levels=dict.fromkeys(codes, 2),
    )
    record_round(
        cast.system,
        framework,
        actor=cast.admin,
        name="2024/25",
        agreed_on=date(2024, 9, 1),
        levels=dict.fromkeys(codes, 3),
    )
    northby = system_in(region, "Northby")
    record_round(
        northby,
        framework,
        actor=cast.admin,
        name="2024/25",
        agreed_on=date(2024, 10, 1),
        levels={**dict.fromkeys(codes, 2), "1": 4},
    )
    system_in(region, "Southby")
    return region


def test_the_report_shows_the_summary_the_map_and_the_chart(client, cast, region_levels):
    client.force_login(cast.viewer)
    response = client.get(report_url(region_levels))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_layout_text(response.content)
    assert f"{region_levels.name}: HICM levels report" in text
    assert "Managing transfers of care" in text
    # Change 1: Testshire at 3 (2 the round before), Northby at 4 (no round before): counts
    # 0 0 1 1 0, both Established or better, none of the one with a round before was, one
    # more is now, median 3.5.
    assert re.search(r"1\. Early [a-z ]*0 0 1 1 0 2 of 2 0 of 1 \+1 3\.5", text)
    # Change 2: Northby at 2, Testshire at 3: one of the two, median 2.5.
    assert re.search(r"2\. Monitoring [a-z ]*0 1 1 0 0 1 of 2 0 of 1 \+1 2\.5", text)
    for name in ("Not yet established", "Plans in place", "Established", "Mature", "Exemplary"):
        assert name in text
    assert "Northby" in text and "Southby" in text and "No agreed level" in text
    assert "3 Established ↑" in text and "4 Mature" in text
    assert "2 of the 3 systems shown have an agreed level" in text
    assert "Elsewhere" not in text


def test_the_report_html_has_a_counts_chart_with_its_figures(cast, region_levels, frameworks):
    html = documents.region_report_html(
        region=region_levels,
        systems=systems_read(cast.viewer, region_levels),
        filters=filters_of(frameworks["mtoc-2020"]),
    )
    assert html.count('role="img"') == 1
    assert '<title id="counts-title">Systems at each level, per change' in html
    assert "1 at 4 Mature" in html and "1 at 3 Established" in html


def test_the_report_counts_the_period_asked_for(cast, region_levels, frameworks):
    data = documents.region_report_data(
        region=region_levels,
        systems=systems_read(cast.viewer, region_levels),
        filters=filters_of(frameworks["mtoc-2020"], period="2023/24"),
    )
    first = data["summary_rows"][0]
    assert first["counts"] == [0, 1, 0, 0, 0]
    assert first["summary"].established_or_better == 0


def test_stacked_bars_scale_every_bar_alike_and_label_the_levels():
    chart = stacked_bars([("1", [1, 1, 0]), ("2", [0, 0, 4])], [(1, "A"), (2, "B"), (3, "C")])
    first, second = chart["rows"]
    assert [s["count"] for s in first["segments"]] == [1, 1]  # no segment for a zero
    widths = [float(s["width"]) for s in first["segments"] + second["segments"]]
    assert widths[2] == pytest.approx(4 * widths[0], abs=0.2)
    assert [item["name"] for item in chart["legend"]] == ["A", "B", "C"]
    assert (first["total"], second["total"]) == (2, 4)


# Who may have them.


@pytest.mark.parametrize("url", [zip_url, report_url])
def test_regional_and_national_viewers_and_site_administrators_may_have_them(
    client, cast, frameworks, url
):
    for person in (cast.viewer, national_viewer(), cast.admin):
        client.force_login(person)
        assert client.get(url(cast.system.region)).status_code == 200


@pytest.mark.parametrize("url", [zip_url, report_url])
def test_members_of_the_regions_systems_are_refused(client, cast, url):
    for person in (cast.member, cast.facilitator, cast.steering):
        client.force_login(person)
        assert client.get(url(cast.system.region)).status_code == 403


@pytest.mark.parametrize("url", [zip_url, report_url])
def test_outsiders_and_viewers_of_another_region_get_404(client, cast, url):
    other_viewer = UserFactory(email="other-viewer@test.example")
    RegionalViewer.objects.create(user=other_viewer, region=RegionFactory(slug="far-away"))
    for person in (cast.outsider, cast.nobody, other_viewer):
        client.force_login(person)
        assert client.get(url(cast.system.region)).status_code == 404


@pytest.mark.parametrize("url", [zip_url, report_url])
def test_signing_in_is_required(client, cast, url):
    response = client.get(url(cast.system.region))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_report_follows_the_summary_pages_filters(client, cast, region_levels):
    client.force_login(cast.viewer)
    response = client.get(report_url(region_levels), {"period": "2023/24"})
    text = pdf_layout_text(response.content)
    assert "in rounds named 2023/24" in text
    assert re.search(r"1\. Early [a-z ]*0 1 0 0 0 0 of 1 – – 2", text)


def test_filters_that_make_no_sense_go_back_to_the_summary_page(client, cast, region_levels):
    client.force_login(cast.viewer)
    response = client.get(report_url(region_levels), {"as_of": "not a date"})
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("region_summary", args=[region_levels.slug]) + "?as_of=not+a+date"
    )


def test_the_region_page_and_the_summary_link_to_the_downloads(client, cast, region_levels):
    client.force_login(cast.viewer)
    page = client.get(reverse("region", args=[region_levels.slug])).content.decode()
    assert f'href="{zip_url(region_levels)}"' in page
    assert f'href="{report_url(region_levels)}"' in page
    summary = client.get(
        reverse("region_summary", args=[region_levels.slug]), {"period": "2023/24"}
    ).content.decode()
    assert f'href="{report_url(region_levels)}?period=2023%2F24"' in summary


def test_the_report_is_read_in_a_fixed_number_of_queries(
    client, cast, region_levels, frameworks, django_assert_max_num_queries
):
    client.force_login(cast.viewer)
    client.get(report_url(region_levels))  # the framework's content is cached from here on
    with django_assert_max_num_queries(8):
        client.get(report_url(region_levels))
    for index in range(5):
        more = system_in(region_levels, f"Eastby {index}")
        for name, on in (("2023/24", date(2023, 9, 1)), ("2024/25", date(2024, 9, 1))):
            record_round(
                more,
                frameworks["mtoc-2020"],
                actor=cast.admin,
                name=name,
                agreed_on=on,
                levels=dict.fromkeys("123456789", 4),
            )
    with django_assert_max_num_queries(8):
        client.get(report_url(region_levels))


def test_the_zip_holds_the_return_the_region_page_lists_as_latest(client, cast, region_returns):
    """A return issued again for an earlier round, after the later round's: it is the latest
    issued, on the page and in the zip alike."""
    again = stored_return(region_returns["older"].round, version=2, on=date(2024, 10, 1))
    client.force_login(cast.viewer)
    page = client.get(reverse("region", args=[cast.system.region.slug])).content.decode()
    assert "Version 2<span" in page and "issued 1 October 2024" in page
    archive = zip_of(client.get(zip_url(cast.system.region)))
    assert archive.read("testshire-202324-return-v2.pdf") == bytes(again.pdf)


def test_the_region_page_links_each_latest_issued_return_to_its_pdf(client, cast, region_returns):
    client.force_login(cast.viewer)
    page = client.get(reverse("region", args=[cast.system.region.slug])).content.decode()
    for issued in (region_returns["latest"], region_returns["north"]):
        assert reverse("issued_return_file", args=[issued.public_id, "pdf"]) in page
    for other in (region_returns["first"], region_returns["older"], region_returns["elsewhere"]):
        assert str(other.public_id) not in page
