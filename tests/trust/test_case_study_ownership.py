"""Issue 12, fault 10a: a case study belongs to the system that wrote it.

Only that system's facilitators edit or unpublish it (and see it while it is a draft); a case
study of no system is the shared library, curated by site administrators. Before, a
facilitator of any system could edit or unpublish any case study.
"""

import pytest
from django.core.exceptions import PermissionDenied

from assessments.models import Change
from casestudies.forms import CaseStudyForm
from casestudies.models import CaseStudy
from casestudies.services import case_study_update
from tests.factories import SystemRoleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def elsewhere_facilitator(cast):
    """A facilitator of `cast.other_system` only."""
    user = UserFactory(email="elsewhere-facilitator@test.example", full_name="Els Where")
    SystemRoleFactory(user=user, system=cast.other_system, role="facilitator")
    return user


@pytest.fixture
def make_case_study(frameworks):
    def make(*, title: str, slug: str, system=None, status: str = "published") -> CaseStudy:
        case_study = CaseStudy.objects.create(
            slug=slug,
            title=title,
            place="Testshire",
            summary="A short account.",
            what_they_did="The work.",
            outcomes="Better.",
            status=status,
            system=system,
        )
        case_study.changes.set([Change.objects.get(framework__key="mtoc-2017", code="6")])
        return case_study

    return make


@pytest.fixture
def ours(cast, make_case_study):
    return make_case_study(title="Ours", slug="ours", system=cast.system)


@pytest.fixture
def our_draft(cast, make_case_study):
    return make_case_study(title="Our draft", slug="our-draft", system=cast.system, status="draft")


@pytest.fixture
def shared(make_case_study):
    return make_case_study(title="Shared", slug="shared")


def edit_post(case_study: CaseStudy, **overrides) -> dict:
    """The edit form as it stands, with `overrides`: what a browser would send."""
    return {
        key: value
        for key, value in {**CaseStudyForm.initial_for(case_study), **overrides}.items()
        if value is not None
    }


def new_post(**overrides) -> dict:
    change = Change.objects.get(framework__key="mtoc-2020", code="4")
    return {
        "title": "Discharge to assess beds",
        "place": "Testshire",
        f"changes_{change.framework_id}": [str(change.pk)],
        "summary": "Beds while people are assessed.",
        "what_they_did": "They opened beds.",
        "outcomes": "Fewer delays.",
        "status": "published",
        **overrides,
    }


def test_a_facilitator_of_another_system_cannot_edit_it(client, elsewhere_facilitator, ours):
    client.force_login(elsewhere_facilitator)
    assert client.get("/case-studies/ours/edit/").status_code == 403
    response = client.post("/case-studies/ours/edit/", edit_post(ours, title="Taken over"))
    assert response.status_code == 403
    ours.refresh_from_db()
    assert ours.title == "Ours"


def test_a_facilitator_of_another_system_cannot_unpublish_it(client, elsewhere_facilitator, ours):
    client.force_login(elsewhere_facilitator)
    response = client.post("/case-studies/ours/edit/", edit_post(ours, status="draft"))
    assert response.status_code == 403
    ours.refresh_from_db()
    assert ours.is_published


def test_a_facilitator_of_another_system_does_not_see_its_drafts(
    client, elsewhere_facilitator, our_draft
):
    client.force_login(elsewhere_facilitator)
    assert client.get("/case-studies/our-draft/").status_code == 404
    assert client.get("/case-studies/our-draft/edit/").status_code == 404
    assert "Our draft" not in client.get("/case-studies/").content.decode()


def test_the_service_refuses_a_facilitator_of_another_system(cast, elsewhere_facilitator, ours):
    form = CaseStudyForm(edit_post(ours, status="draft"), frameworks=_frameworks(ours))
    assert form.is_valid(), form.errors
    with pytest.raises(PermissionDenied):
        case_study_update(
            case_study=ours, data=form.case_study_input(), updated_by=elsewhere_facilitator
        )
    ours.refresh_from_db()
    assert ours.is_published


def _frameworks(case_study):
    from casestudies.selectors import frameworks_for_form

    return frameworks_for_form(c.pk for c in case_study.changes.all())


def test_the_owning_systems_facilitator_edits_and_unpublishes_it(client, cast, ours):
    client.force_login(cast.facilitator)
    assert client.get("/case-studies/ours/edit/").status_code == 200
    response = client.post("/case-studies/ours/edit/", edit_post(ours, status="draft"))
    assert response.status_code == 302
    ours.refresh_from_db()
    assert ours.status == "draft" and ours.system == cast.system


def test_only_those_who_may_edit_see_the_change_button(client, cast, elsewhere_facilitator, ours):
    client.force_login(elsewhere_facilitator)
    assert "Change this case study" not in client.get("/case-studies/ours/").content.decode()
    client.force_login(cast.facilitator)
    assert "Change this case study" in client.get("/case-studies/ours/").content.decode()


def test_the_shared_library_is_curated_by_site_administrators(client, cast, shared):
    client.force_login(cast.facilitator)
    assert client.get("/case-studies/shared/edit/").status_code == 403
    client.force_login(cast.admin)
    response = client.post("/case-studies/shared/edit/", edit_post(shared, title="Curated"))
    assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.title == "Curated" and shared.system is None


def test_a_case_study_a_facilitator_adds_belongs_to_their_system(client, cast, frameworks):
    client.force_login(cast.facilitator)
    assert client.post("/case-studies/new/", new_post()).status_code == 302
    assert CaseStudy.objects.get().system == cast.system
    page = client.get("/case-studies/discharge-to-assess-beds/").content.decode()
    assert "Testshire" in page and "Change this case study" in page


def test_a_facilitator_of_two_systems_says_which_system_it_belongs_to(client, cast, frameworks):
    SystemRoleFactory(user=cast.facilitator, system=cast.other_system, role="facilitator")
    client.force_login(cast.facilitator)
    response = client.post("/case-studies/new/", new_post())
    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
    assert not CaseStudy.objects.exists()
    client.post("/case-studies/new/", new_post(owner=str(cast.other_system.pk)))
    assert CaseStudy.objects.get().system == cast.other_system


def test_a_facilitator_cannot_add_a_case_study_to_a_system_they_do_not_facilitate(
    client, cast, frameworks, elsewhere_facilitator
):
    client.force_login(elsewhere_facilitator)
    response = client.post("/case-studies/new/", new_post(owner=str(cast.system.pk)))
    assert response.status_code == 302  # the choice is ignored: there is only one to make
    assert CaseStudy.objects.get().system == cast.other_system


def test_a_site_administrator_adds_to_the_shared_library(client, cast, frameworks):
    client.force_login(cast.admin)
    assert client.post("/case-studies/new/", new_post()).status_code == 302
    assert CaseStudy.objects.get().system is None


def test_site_administrators_set_the_owner_in_the_admin(client, cast, ours):
    client.force_login(cast.admin)
    page = client.get(f"/admin/casestudies/casestudy/{ours.pk}/change/").content.decode()
    assert 'name="system"' in page
