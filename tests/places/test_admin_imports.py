"""The admin's system and partner imports (and forms) take ONS area codes, NHS ODS codes and
further partner types, checked, with bad rows named by number and nothing written."""

import pytest

from assessments.models import Partner, System
from tests.factories import SystemFactory
from tests.places.helpers import confirm, csv_bytes, page_text, preview, row_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, cast):
    client.force_login(cast.admin)
    return client


def test_a_system_import_sets_area_codes_as_the_list_writes_them(staff_client, cast):
    region = cast.system.region.slug
    content = csv_bytes(
        [
            ["name", "slug", "region", "area_code"],
            ["Leicestershire", "leicestershire", region, " e10000018 "],
            ["Northshire", "northshire", region, ""],
        ]
    )

    response = preview(staff_client, "system", content)
    assert row_errors(response) == {}
    assert not System.objects.filter(slug="leicestershire").exists()
    confirm(staff_client, "system", response)

    assert System.objects.get(slug="leicestershire").area_code == "E10000018"
    assert System.objects.get(slug="northshire").area_code == ""


def test_a_system_import_without_an_area_code_column_leaves_codes_alone(staff_client, cast):
    cast.system.area_code = "E10000018"
    cast.system.save()
    content = csv_bytes([["name", "slug", "region"], ["Testshire", "testshire", "region-x"]])
    content = content.replace(b"region-x", cast.system.region.slug.encode())

    confirm(staff_client, "system", preview(staff_client, "system", content))

    cast.system.refresh_from_db()
    assert cast.system.area_code == "E10000018"


def test_bad_area_codes_are_named_by_row_and_nothing_is_written(staff_client, cast):
    SystemFactory(name="Rutland", slug="rutland", area_code="E06000017")
    region = cast.system.region.slug
    content = csv_bytes(
        [
            ["name", "slug", "region", "area_code"],
            ["Leicestershire", "leicestershire", region, "E10000018"],
            ["Cumbria", "cumbria", region, "E10000006"],
            ["Rutland Two", "rutland-two", region, "E06000017"],
            ["Leicestershire Again", "leicestershire-again", region, "e10000018"],
        ]
    )

    response = preview(staff_client, "system", content)

    errors = row_errors(response)
    assert sorted(errors) == [2, 3, 4]
    assert "E10000006 is not the ONS code of a Health and Wellbeing Board area" in errors[2]
    assert "Rutland already has the area code E06000017" in errors[3]
    assert "Leicestershire already has the area code E10000018" in errors[4]
    assert "E10000006 is not the ONS code" in page_text(response)
    assert response.context.get("confirm_form") is None
    assert not System.objects.filter(slug__in=["leicestershire", "cumbria"]).exists()


def test_systems_export_with_their_area_codes(staff_client, cast):
    cast.system.area_code = "E10000018"
    cast.system.save()
    response = staff_client.post(
        "/admin/assessments/system/export/",
        {
            "format": "0",
            "resource": "0",
            **{f"systemresource_{f}": "on" for f in ("name", "slug", "region", "area_code")},
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert text.splitlines()[0].split(",")[-1].strip() == "area_code"
    assert "testshire" in text and "E10000018" in text


def test_a_partner_import_sets_ods_codes_and_further_types(staff_client, cast):
    content = csv_bytes(
        [
            ["system", "name", "partner_type", "ods_code", "other_types"],
            [
                "testshire",
                "Testshire Care NHS Trust",
                "mental_health_trust",
                " rx4 ",
                "Community trust; acute_trust",
            ],
            ["testshire", "Testshire CCG", "ccg", "03W", ""],
            ["testshire", "Testshire Homes", "housing", "", ""],
        ]
    )

    response = preview(staff_client, "partner", content)
    assert row_errors(response) == {}
    confirm(staff_client, "partner", response)

    trust = Partner.objects.get(name="Testshire Care NHS Trust")
    assert (trust.ods_code, trust.other_types) == ("RX4", ["community_trust", "acute_trust"])
    ccg = Partner.objects.get(name="Testshire CCG")
    assert (ccg.partner_type, ccg.ods_code, ccg.other_types) == ("ccg", "03W", [])
    homes = Partner.objects.get(name="Testshire Homes")
    assert (homes.ods_code, homes.other_types) == ("", [])


def test_bad_ods_codes_and_further_types_are_named_by_row_and_nothing_is_written(
    staff_client, cast
):
    before = Partner.objects.count()
    content = csv_bytes(
        [
            ["system", "name", "partner_type", "ods_code", "other_types"],
            ["testshire", "Good Trust", "acute_trust", "RTH01", "community_trust"],
            ["testshire", "Dashed Trust", "acute_trust", "R-TH", ""],
            ["testshire", "Long Practice", "primary_care", "A810011", ""],
            ["testshire", "Odd Trust", "acute_trust", "", "hospice"],
            ["testshire", "Same Trust", "acute_trust", "", "Acute trust"],
            ["testshire", "Twice Trust", "acute_trust", "", "housing; Housing"],
        ]
    )

    response = preview(staff_client, "partner", content)

    errors = row_errors(response)
    assert sorted(errors) == [2, 3, 4, 5, 6]
    assert "R-TH is not an NHS ODS code" in errors[2]
    assert "A810011 is not an NHS ODS code" in errors[3]
    assert "'hospice' is not a partner type" in errors[4]
    assert "Acute trust is the partner's main type" in errors[5]
    assert "Select each further type once" in errors[6]
    assert response.context.get("confirm_form") is None
    assert Partner.objects.count() == before


def test_the_partner_form_takes_further_types_as_boxes_and_refuses_the_main_type(
    staff_client, cast
):
    url = f"/admin/assessments/partner/{cast.partner.pk}/change/"
    form = {
        "system": cast.system.pk,
        "name": cast.partner.name,
        "partner_type": "acute_trust",
        "ods_code": "rth",
    }

    refused = staff_client.post(url, {**form, "other_types": ["acute_trust"]})
    assert refused.status_code == 200
    assert "Acute trust is the partner's main type" in page_text(refused)

    saved = staff_client.post(url, {**form, "other_types": ["community_trust", "ccg"]})
    assert saved.status_code == 302
    cast.partner.refresh_from_db()
    assert (cast.partner.ods_code, cast.partner.other_types) == ("RTH", ["community_trust", "ccg"])


def test_the_system_form_refuses_an_area_code_not_in_the_list(staff_client, cast):
    url = f"/admin/assessments/system/{cast.system.pk}/change/"
    form = {
        "region": cast.system.region.pk,
        "name": cast.system.name,
        "slug": cast.system.slug,
        "created_at_0": "2024-01-01",
        "created_at_1": "09:00:00",
    }

    refused = staff_client.post(url, {**form, "area_code": "E12345678"})
    assert refused.status_code == 200
    assert "E12345678 is not the ONS code" in page_text(refused)

    assert staff_client.post(url, {**form, "area_code": "e10000018"}).status_code == 302
    cast.system.refresh_from_db()
    assert cast.system.area_code == "E10000018"


def test_the_admin_lists_show_area_codes_ods_codes_and_further_types(staff_client, cast):
    cast.system.area_code = "E10000018"
    cast.system.save()
    cast.partner.ods_code = "RTH"
    cast.partner.other_types = ["community_trust"]
    cast.partner.save()

    systems = page_text(staff_client.get("/admin/assessments/system/?q=E10000018"))
    partners = page_text(staff_client.get("/admin/assessments/partner/?q=RTH"))

    assert "Testshire" in systems and "E10000018" in systems
    assert "Testshire Hospitals" in partners and "Community trust" in partners
    assert "Testshire Council" not in partners
