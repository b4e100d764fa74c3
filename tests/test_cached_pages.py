"""Cached roles and page fragments never outlive the data under them, and never carry one
person's data onto another's page."""

import pytest

from assessments.models import Member, SystemRole
from tests.assessments.test_partner_return import base, level_pk, rate
from tests.factories import MemberFactory, SystemRoleFactory

pytestmark = pytest.mark.django_db


def test_a_removed_member_loses_access_on_their_next_request(client, cast, open_round):
    client.force_login(cast.member)
    tasks = base(open_round, cast.partner)
    assert client.get(tasks).status_code == 200  # roles now cached
    Member.objects.filter(user=cast.member, partner=cast.partner).delete()
    assert client.get(tasks).status_code == 404
    assert cast.system.name not in client.get("/").content.decode()


def test_a_new_member_gains_access_on_their_next_request(client, cast, open_round):
    client.force_login(cast.nobody)
    tasks = base(open_round, cast.partner)
    assert client.get(tasks).status_code == 404  # roles (none) now cached
    MemberFactory(user=cast.nobody, partner=cast.partner)
    assert client.get(tasks).status_code == 200
    assert cast.system.name in client.get("/").content.decode()


def test_a_facilitator_stripped_of_the_role_can_no_longer_manage_the_round(
    client, cast, open_round
):
    SystemRoleFactory(user=cast.member, system=cast.system, role="facilitator")
    client.force_login(cast.member)
    edit = f"/rounds/{open_round.public_id}/edit/"
    assert client.get(edit).status_code == 302  # allowed: sent on, as the round is open
    SystemRole.objects.filter(user=cast.member, role="facilitator").delete()
    assert client.get(edit).status_code == 403


def test_a_partners_rating_never_shows_on_another_partners_page(client, cast, open_round):
    client.force_login(cast.member)
    saved = rate(
        client,
        open_round,
        cast.partner,
        "1",
        action="save_draft",
        level=level_pk(open_round, 3),
        rationale="Only Testshire Hospitals knows this",
        evidence_title_1="Our private audit",
        evidence_url_1="https://example.org/private-audit",
    )
    assert saved.status_code == 302
    own = client.get(base(open_round, cast.partner) + "changes/1/").content.decode()
    assert "Only Testshire Hospitals knows this" in own
    assert "checked" in own

    client.force_login(cast.other_member)
    other = client.get(base(open_round, cast.other_partner) + "changes/1/").content.decode()
    assert "Only Testshire Hospitals knows this" not in other
    assert "Our private audit" not in other
    assert "checked" not in other  # no level chosen on the other partner's page


def test_a_field_in_error_is_shown_with_its_error_after_being_shown_without(
    client, cast, open_round
):
    client.force_login(cast.member)
    page = base(open_round, cast.partner) + "changes/1/"
    assert "govuk-error-message" not in client.get(page).content.decode()
    failed = rate(client, open_round, cast.partner, "1", level=level_pk(open_round, 3))
    assert failed.status_code == 200
    assert "govuk-error-message" in failed.content.decode()
    assert "govuk-error-message" not in client.get(page).content.decode()


def test_a_system_renamed_shows_its_new_name_on_the_cached_pages(client, cast, open_round):
    client.force_login(cast.facilitator)
    assert "Testshire" in client.get("/").content.decode()
    cast.system.name = "Newshire"
    cast.system.save()
    assert "Newshire" in client.get("/").content.decode()


def test_a_partner_renamed_in_the_admin_shows_its_new_name_on_the_home_page(client, cast):
    client.force_login(cast.member)
    assert "Testshire Hospitals" in client.get("/").content.decode()
    client.force_login(cast.admin)
    form = {
        "system": cast.system.pk,
        "name": "Testshire Health",
        "partner_type": cast.partner.partner_type,
    }
    response = client.post(f"/admin/assessments/partner/{cast.partner.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    client.force_login(cast.member)
    page = client.get("/").content.decode()
    assert "Testshire Health" in page and "Testshire Hospitals" not in page
