"""The reference list of Health and Wellbeing Board areas loads, and says what the ONS says."""

import re

from assessments.areas import NHS_ENGLAND_REGIONS, hwb_area, hwb_areas


def test_the_list_holds_englands_health_and_wellbeing_board_areas():
    areas = hwb_areas()
    # England's upper-tier authorities of April 2023, City of London and Isles of Scilly included.
    assert 150 <= len(areas) <= 153
    assert len({area.code for area in areas}) == len(areas)
    assert all(re.fullmatch(r"E(06|08|09|10)\d{6}", area.code) for area in areas)
    assert all(area.name for area in areas)


def test_leicestershire_is_e10000018_in_the_midlands_and_its_icb():
    area = hwb_area("E10000018")
    assert area.name == "Leicestershire"
    assert (area.region_code, area.region_name) == ("E40000011", "Midlands")
    assert (area.icb_code, area.icb_name) == (
        "E54000015",
        "NHS Leicester, Leicestershire and Rutland Integrated Care Board",
    )


def test_every_region_is_one_of_the_seven_nhs_england_regions():
    regions = {(area.region_code, area.region_name) for area in hwb_areas()}
    assert regions == set(NHS_ENGLAND_REGIONS.items())


def test_icb_codes_are_ons_codes_or_empty_where_an_area_spans_several_icbs():
    areas = hwb_areas()
    assert all(re.fullmatch(r"E54\d{6}", a.icb_code) for a in areas if a.icb_code)
    assert all(bool(a.icb_code) == bool(a.icb_name) for a in areas)
    assert hwb_area("E10000012").icb_code == ""  # Essex: three ICBs
    # An ICB lies in one NHS England region.
    region_of_icb = {}
    for area in areas:
        if area.icb_code:
            assert region_of_icb.setdefault(area.icb_code, area.region_code) == area.region_code


def test_the_2023_changes_are_in_the_list():
    assert hwb_area("E06000063").name == "Cumberland"
    assert hwb_area("E06000064").name == "Westmorland and Furness"
    assert hwb_area("E06000065").name == "North Yorkshire"
    assert hwb_area("E06000066").name == "Somerset"
    for gone in ("E10000006", "E10000023", "E10000027"):  # Cumbria, the two old counties
        assert hwb_area(gone) is None


def test_a_code_is_found_in_any_case_with_spaces_around_it():
    assert hwb_area(" e10000018 ") == hwb_area("E10000018")
    assert hwb_area("E99999999") is None
    assert hwb_area("") is None
