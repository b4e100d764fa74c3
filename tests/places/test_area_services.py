"""`system_create_for_area`: a system made from the reference list of HWB areas."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessments.area_services import system_create_for_area
from assessments.models import Region, System
from tests.factories import RegionFactory, SystemFactory

pytestmark = pytest.mark.django_db


def test_it_creates_the_system_named_as_the_area_in_its_nhs_england_region(cast):
    system = system_create_for_area(actor=cast.admin, area_code=" e10000018 ")

    assert (system.name, system.slug, system.area_code) == (
        "Leicestershire",
        "leicestershire",
        "E10000018",
    )
    assert (system.region.name, system.region.slug) == ("Midlands", "midlands")


def test_it_records_who_created_the_system_and_the_region_in_their_history(cast):
    system = system_create_for_area(actor=cast.admin, area_code="E10000018")

    (created,) = system.history.all()
    assert (created.history_type, created.history_user) == ("+", cast.admin)
    assert "E10000018" in created.history_change_reason
    (region_created,) = system.region.history.all()
    assert (region_created.history_type, region_created.history_user) == ("+", cast.admin)


def test_it_uses_the_region_of_that_name_when_the_portal_has_one(cast):
    midlands = RegionFactory(name="Midlands", slug="nhs-midlands")

    system = system_create_for_area(actor=cast.admin, area_code="E06000016")  # Leicester

    assert system.region == midlands
    assert Region.objects.filter(name="Midlands").count() == 1


def test_a_second_area_of_the_region_shares_its_region(cast):
    first = system_create_for_area(actor=cast.admin, area_code="E10000018")
    second = system_create_for_area(actor=cast.admin, area_code="E06000017")  # Rutland

    assert second.region == first.region


def test_the_command_line_may_create_a_system_without_a_person(db):
    system = system_create_for_area(actor=None, area_code="E06000063")

    assert (system.name, system.region.name) == ("Cumberland", "North East and Yorkshire")
    assert system.history.get().history_user is None


def test_a_code_not_in_the_list_is_refused_and_nothing_is_written(cast):
    before = (System.objects.count(), Region.objects.count())

    with pytest.raises(ValidationError) as refused:
        system_create_for_area(actor=cast.admin, area_code="E10000006")  # Cumbria, gone in 2023

    assert "E10000006 is not the ONS code of a Health and Wellbeing Board area" in str(
        refused.value
    )
    assert (System.objects.count(), Region.objects.count()) == before


def test_a_code_another_system_has_is_refused(cast):
    SystemFactory(name="Leicestershire and Rutland", slug="lr", area_code="E10000018")

    with pytest.raises(ValidationError) as refused:
        system_create_for_area(actor=cast.admin, area_code="E10000018")

    assert refused.value.message_dict == {
        "area_code": [
            "Leicestershire and Rutland already has the area code E10000018: each "
            "area is one system"
        ]
    }


def test_a_system_of_the_areas_name_without_the_code_is_refused_with_what_to_do(cast):
    SystemFactory(name="Leicestershire", slug="leics")
    regions = Region.objects.count()

    with pytest.raises(ValidationError) as refused:
        system_create_for_area(actor=cast.admin, area_code="E10000018")

    assert "give it the code in the admin" in str(refused.value)
    assert Region.objects.count() == regions


def test_a_person_who_may_not_add_systems_is_refused(cast):
    with pytest.raises(PermissionDenied):
        system_create_for_area(actor=cast.facilitator, area_code="E10000018")
    assert not System.objects.filter(area_code="E10000018").exists()
