"""Joint actions: the members of an action's contributing partners see it in *My actions*,
marked with their partner's part, and post progress on it; changing the action itself stays
with its owner, its lead partner and the facilitators."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from assessments.rules import roles_changed
from improvement_plans import services
from improvement_plans.models import ProgressUpdate
from tests.factories import MemberFactory
from tests.helpers import add_partners, query_count
from tests.improvement_plans.helpers import action_url, make_action, progress_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def joint(cast, agreed):
    """Led by Testshire Hospitals (Mina Member owns it), with Testshire Council (Otto Other)
    contributing."""
    action = make_action(agreed, title="Joint hub", lead_partner=cast.partner, owner=cast.member)
    action.contributing_partners.add(cast.other_partner)
    return action


@pytest.fixture
def bystander(cast):
    """A member of a partner of the system that neither leads nor contributes."""
    [(_, user)] = add_partners(cast.system, 1)
    return user


def my_rows(client):
    response = client.get(reverse("my_actions"))
    assert response.status_code == 200
    return response


def test_a_contributing_member_sees_the_action_in_my_actions_marked_contributing(
    client, cast, joint
):
    client.force_login(cast.other_member)
    response = my_rows(client)
    assert [a.title for a in response.context["actions"]] == ["Joint hub"]
    page = response.content.decode()
    assert "Contributing: Testshire Council" in page
    assert "Lead: Testshire Hospitals" not in page


def test_the_lead_partners_member_sees_it_marked_lead(client, cast, joint):
    client.force_login(cast.member)
    page = my_rows(client).content.decode()
    assert "Lead: Testshire Hospitals" in page
    assert "Contributing:" not in page


def test_a_member_of_an_uninvolved_partner_does_not_see_it(client, bystander, joint):
    client.force_login(bystander)
    assert my_rows(client).context["actions"] == []


def test_a_contributing_member_posts_progress(client, cast, joint):
    client.force_login(cast.other_member)
    assert 'name="note"' in client.get(action_url(joint)).content.decode()
    response = client.post(action_url(joint), progress_form("Council staff joined the hub"))
    assert response.status_code == 302
    update = joint.updates.get()
    assert (update.author, update.note) == (cast.other_member, "Council staff joined the hub")
    assert "Council staff joined the hub" in client.get(action_url(joint)).content.decode()


def test_a_member_of_an_uninvolved_partner_cannot_post_progress(client, bystander, joint):
    client.force_login(bystander)
    page = client.get(action_url(joint))
    assert page.status_code == 200  # the system's partners read its actions
    assert 'name="note"' not in page.content.decode()
    assert client.post(action_url(joint), progress_form("Not ours")).status_code == 403
    with pytest.raises(PermissionDenied):
        services.progress_post(action=joint, author=bystander, note="Not ours")
    assert not ProgressUpdate.objects.exists()


def test_a_contributing_member_still_cannot_change_the_action(client, cast, joint):
    client.force_login(cast.other_member)
    page = client.get(action_url(joint)).content.decode()
    assert 'name="note"' in page
    assert "Change the action" not in page
    assert client.get(action_url(joint, "action_edit")).status_code == 403
    assert not cast.other_member.has_perm("improvement_plans.update_action", joint)


def test_my_actions_queries_do_not_grow_with_partners_and_joint_actions(
    client, cast, agreed, joint
):
    client.force_login(cast.other_member)
    url = reverse("my_actions")
    client.get(url)  # saves the session; reads the person's roles
    before = query_count(client, url)

    partners = [partner for partner, _ in add_partners(cast.system, 12, first=1)]
    for partner in partners[:3]:
        MemberFactory(user=cast.other_member, partner=partner)
    roles_changed(cast.other_member)  # as the role services do
    for n in range(10):
        action = make_action(
            agreed, title=f"Joint {n}", lead_partner=partners[n], owner=cast.member
        )
        action.contributing_partners.set([cast.other_partner, *partners[n + 1 : n + 4]])
    client.get(url)
    after = query_count(client, url)

    response = client.get(url)
    assert len(response.context["actions"]) == 11
    assert "Lead: Extra 1" in response.content.decode()
    assert after == before
