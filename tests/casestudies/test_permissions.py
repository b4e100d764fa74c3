"""Who may read, add and edit case studies, and who sees drafts: every role of the cast.

Everyone logged in reads published case studies. The case studies here belong to `cast.system`:
its facilitators and site administrators add and edit, and see drafts; to everyone else a draft
does not exist (404). Facilitators of other systems: tests/trust/test_case_study_ownership.py.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from casestudies.models import CaseStudy
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EDITORS = ["facilitator", "admin"]
READERS = ["member", "other_member", "steering", "viewer", "outsider", "nobody"]


def person(cast, role: str):
    return cast.admin if role == "admin" else cast.roles()[role]


@pytest.fixture
def published(cast, make_case_study):
    return make_case_study(title="Published study", slug="published-study", system=cast.system)


@pytest.fixture
def draft(cast, make_case_study):
    return make_case_study(
        title="Draft study", slug="draft-study", status=CaseStudy.Status.DRAFT, system=cast.system
    )


@pytest.mark.parametrize("role", EDITORS)
def test_facilitators_and_site_administrators_add_edit_and_see_drafts(cast, role, draft):
    user = person(cast, role)
    assert user.has_perm("casestudies.add_case_study")
    assert user.has_perm("casestudies.edit_case_study", draft)
    assert user.has_perm("casestudies.view_case_study", draft)


@pytest.mark.parametrize("role", READERS)
def test_everyone_else_reads_published_case_studies_only(cast, role, published, draft):
    user = person(cast, role)
    assert user.has_perm("casestudies.view_case_study", published)
    assert not user.has_perm("casestudies.view_case_study", draft)
    assert not user.has_perm("casestudies.add_case_study")
    assert not user.has_perm("casestudies.edit_case_study", published)


def test_a_facilitator_of_another_system_adds_but_may_not_edit_or_see_drafts(
    cast, published, draft
):
    from tests.factories import SystemRoleFactory

    elsewhere = UserFactory(email="elsewhere-facilitator@test.example")
    SystemRoleFactory(user=elsewhere, system=cast.other_system, role="facilitator")
    assert elsewhere.has_perm("casestudies.add_case_study")
    assert not elsewhere.has_perm("casestudies.edit_case_study", published)
    assert not elsewhere.has_perm("casestudies.view_case_study", draft)


def test_a_site_administrator_need_not_be_a_superuser(db, published):
    staff = UserFactory(email="staff@test.example", is_staff=True)
    assert staff.has_perm("casestudies.add_case_study")
    assert staff.has_perm("casestudies.edit_case_study", published)


def test_an_anonymous_visitor_may_do_nothing(db, published):
    anonymous = AnonymousUser()
    assert not anonymous.has_perm("casestudies.view_case_study", published)
    assert not anonymous.has_perm("casestudies.add_case_study")
    assert CaseStudy.objects.visible_to(anonymous).count() == 0


@pytest.mark.parametrize("role", EDITORS + READERS)
def test_the_pages_follow_the_rules_for_every_role(client, cast, role, published, draft):
    client.force_login(person(cast, role))
    may_edit = role in EDITORS
    listing = client.get("/case-studies/").content.decode()
    assert "Published study" in listing
    assert ("Draft study" in listing) is may_edit
    assert ("Add a case study" in listing) is may_edit
    assert client.get("/case-studies/published-study/").status_code == 200
    assert client.get("/case-studies/draft-study/").status_code == (200 if may_edit else 404)
    assert client.get("/case-studies/new/").status_code == (200 if may_edit else 403)
    assert client.get("/case-studies/published-study/edit/").status_code == (
        200 if may_edit else 403
    )
    assert client.get("/case-studies/draft-study/edit/").status_code == (200 if may_edit else 404)


@pytest.mark.parametrize("role", READERS)
def test_a_reader_cannot_add_or_edit_by_posting(client, cast, role, published):
    client.force_login(person(cast, role))
    before = CaseStudy.objects.count()
    assert client.post("/case-studies/new/", {"title": "Sneaky"}).status_code == 403
    assert client.post("/case-studies/published-study/edit/", {"title": "X"}).status_code == 403
    assert CaseStudy.objects.count() == before
    published.refresh_from_db()
    assert published.title == "Published study"


def test_anonymous_visitors_are_sent_to_log_in(client, published):
    for path in (
        "/case-studies/",
        "/case-studies/new/",
        "/case-studies/published-study/",
        "/case-studies/published-study/edit/",
    ):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
