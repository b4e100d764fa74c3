"""Codes and types where systems and partners are shown: the system page, and the review
page's filter by type (by the main type only, as the page says)."""

import pytest

from assessments.models import Partner
from tests.assessments.helpers import reveal, url

pytestmark = pytest.mark.django_db

SYSTEM_PAGE = "/systems/testshire/"


def test_the_system_page_shows_the_area_code_and_each_partners_code_and_further_types(client, cast):
    cast.system.area_code = "E10000018"
    cast.system.save()
    cast.partner.ods_code = "RTH"
    cast.partner.other_types = [Partner.Type.COMMUNITY_TRUST, Partner.Type.MENTAL_HEALTH_TRUST]
    cast.partner.save()

    client.force_login(cast.viewer)
    page = client.get(SYSTEM_PAGE).content.decode()

    assert "ONS area code E10000018" in page
    assert "ODS code RTH" in page
    assert "Also: Community trust, Mental health trust" in page


def test_the_system_page_shows_no_codes_where_there_are_none(client, cast):
    client.force_login(cast.member)
    page = client.get(SYSTEM_PAGE).content.decode()

    assert "ONS area code" not in page
    assert "ODS code" not in page
    assert "Also:" not in page


def test_a_clinical_commissioning_group_shows_with_its_label(client, cast):
    cast.other_partner.partner_type = Partner.Type.CCG
    cast.other_partner.save()

    client.force_login(cast.member)
    page = client.get(SYSTEM_PAGE).content.decode()

    assert "Clinical commissioning group (before July 2022)" in page


def test_the_review_filter_groups_partners_by_their_main_type_and_says_so(client, cast, open_round):
    # Testshire Hospitals: a CCG that was also a local authority partner in a joint body.
    cast.partner.partner_type = Partner.Type.CCG
    cast.partner.other_types = [Partner.Type.LOCAL_AUTHORITY]
    cast.partner.save()
    reveal(open_round, cast)
    client.force_login(cast.member)

    ccg = client.get(url(open_round, "review") + "?type=ccg")
    councils = client.get(url(open_round, "review") + "?type=local_authority")

    assert [r.partner for r in ccg.context["returns"]] == [cast.partner]
    assert [r.partner for r in councils.context["returns"]] == [cast.other_partner]
    page = ccg.content.decode()
    assert "A partner of more than one type is listed under its main type." in page
    assert '<option value="ccg" selected>Clinical commissioning group (before July 2022)' in page
