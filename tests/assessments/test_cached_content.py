"""The two things kept in Django's cache — a person's roles and a framework's content — never
show old data: a role granted or removed, or wording edited, shows on the next request."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from assessments.framework_content import content_of
from assessments.models import Descriptor, Framework, RoleChange
from assessments.rules import roles_of
from assessments.services import role_grant, role_remove

pytestmark = pytest.mark.django_db


def test_a_removed_member_loses_the_system_on_their_next_request(client, cast):
    client.force_login(cast.member)
    url = f"/systems/{cast.system.slug}/"
    assert client.get(url).status_code == 200  # their roles are now cached

    role_remove(
        user=cast.member,
        role=RoleChange.Role.MEMBER,
        partner=cast.partner,
        removed_by=cast.facilitator,
    )

    assert client.get(url).status_code == 404


def test_a_granted_role_shows_on_the_next_request(client, cast):
    client.force_login(cast.nobody)
    url = f"/systems/{cast.system.slug}/"
    assert client.get(url).status_code == 404  # no roles, cached

    role_grant(
        user=cast.nobody,
        role=RoleChange.Role.MEMBER,
        system=cast.system,
        partner=cast.partner,
        granted_by=cast.facilitator,
    )

    assert client.get(url).status_code == 200


def test_roles_are_read_once_until_they_change(cast, django_assert_num_queries):
    User = get_user_model()
    roles_of(User.objects.get(pk=cast.member.pk))
    next_request = User.objects.get(pk=cast.member.pk)  # as the next request loads them
    with django_assert_num_queries(0):
        roles = roles_of(next_request)
    assert roles.partner_ids_by_system == {cast.system.pk: frozenset({cast.partner.pk})}


def test_a_new_person_given_a_deleted_persons_id_does_not_inherit_their_roles(cast):
    """SQLite may give a new row the id of the last one deleted; the cache key tells them
    apart by when the person joined."""
    User = get_user_model()
    departed = User.objects.create_user("departed@test.example")
    role_grant(
        user=departed,
        role=RoleChange.Role.FACILITATOR,
        system=cast.system,
        granted_by=cast.admin,
        tell_person=False,
    )
    assert roles_of(User.objects.get(pk=departed.pk)).facilitator_of == {cast.system.pk}
    pk = departed.pk
    departed.delete()

    newcomer = User.objects.create_user("newcomer@test.example", pk=pk)

    assert roles_of(User.objects.get(pk=newcomer.pk)).facilitator_of == frozenset()


def test_framework_content_is_read_once_for_a_version(frameworks, django_assert_num_queries):
    framework = Framework.objects.get(key="mtoc-2020")
    first = content_of(framework)
    with django_assert_num_queries(0):
        again = content_of(framework)
    assert [c.code for c in again.live_changes] == [c.code for c in first.live_changes]
    assert [level.number for level in again.levels] == [1, 2, 3, 4, 5]


def test_a_descriptor_edited_in_the_admin_shows_on_the_change_page_at_once(
    client, cast, frameworks
):
    client.force_login(cast.admin)
    page = "/frameworks/mtoc-2020/changes/1/"
    assert "Wards set dates on admission." not in client.get(page).content.decode()
    framework = Framework.objects.get(key="mtoc-2020")
    change = framework.changes.get(code="1")
    level = framework.levels.get(number=2)

    form = client.get(f"/admin/assessments/change/{change.pk}/change/").context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list | dict)
    }
    data.update(
        {
            "framework": framework.pk,
            "tips": "[]",
            "descriptors-TOTAL_FORMS": "1",
            "descriptors-INITIAL_FORMS": "0",
            "descriptors-0-level": level.pk,
            "descriptors-0-text": "Wards set dates on admission.",
            "actions-TOTAL_FORMS": "0",
            "actions-INITIAL_FORMS": "0",
        }
    )
    response = client.post(f"/admin/assessments/change/{change.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Descriptor.objects.filter(change=change, level=level).exists()

    assert "Wards set dates on admission." in client.get(page).content.decode()


def test_the_cache_is_not_what_keeps_a_page_right(client, cast, frameworks):
    """An empty cache gives the same page: nothing but speed depends on it."""
    client.force_login(cast.facilitator)
    page = "/frameworks/mtoc-2020/changes/1/"
    warm = client.get(page).content.decode()
    cache.clear()
    cold = client.get(page).content.decode()
    strip = [line for line in warm.splitlines() if "nonce" not in line and "csrf" not in line]
    assert strip == [
        line for line in cold.splitlines() if "nonce" not in line and "csrf" not in line
    ]
