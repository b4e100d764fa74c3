"""The services check permission and every rule themselves, whoever calls them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessments.models import Change, Level
from casestudies.models import CaseStudy
from casestudies.services import CaseStudyInput, case_study_create, case_study_update

pytestmark = pytest.mark.django_db


def details(**overrides) -> CaseStudyInput:
    values = {
        "title": "  Red bag  ",
        "place": "Testshire",
        "summary": "S",
        "what_they_did": "W",
        "outcomes": "O",
        "changes": [Change.objects.get(framework__key="mtoc-2017", code="8")],
        "status": "published",
    }
    values.update(overrides)
    return CaseStudyInput(**values)


def test_a_member_cannot_create_through_the_service(cast, frameworks):
    with pytest.raises(PermissionDenied):
        case_study_create(data=details(), created_by=cast.member)
    assert not CaseStudy.objects.exists()


def test_a_member_cannot_update_through_the_service(cast, make_case_study):
    study = make_case_study(title="Kept")
    with pytest.raises(PermissionDenied):
        case_study_update(case_study=study, data=details(), updated_by=cast.steering)
    study.refresh_from_db()
    assert study.title == "Kept"


def test_the_service_trims_text_and_records_who_created_it(cast, frameworks):
    study = case_study_create(data=details(system=cast.system), created_by=cast.facilitator)
    assert study.title == "Red bag" and study.slug == "red-bag"
    assert study.created_by == cast.facilitator
    assert study.history.first().history_type in {"+", "~"}


def test_the_service_refuses_a_level_of_another_framework(cast, frameworks):
    level = Level.objects.get(framework__key="ohc-2025", number=3)
    with pytest.raises(ValidationError) as raised:
        case_study_create(data=details(level=level), created_by=cast.admin)
    assert raised.value.error_dict["level"][0].code == "level_framework"
    assert not CaseStudy.objects.exists()


def test_the_service_refuses_a_case_study_without_changes(cast, frameworks):
    with pytest.raises(ValidationError) as raised:
        case_study_create(data=details(changes=[]), created_by=cast.admin)
    assert raised.value.error_dict["changes"][0].code == "required"
    assert not CaseStudy.objects.exists()


def test_the_service_refuses_a_javascript_link(cast, frameworks):
    with pytest.raises(ValidationError) as raised:
        case_study_create(data=details(source_url="javascript:alert(1)"), created_by=cast.admin)
    assert "source_url" in raised.value.error_dict
    assert not CaseStudy.objects.exists()
