"""A new round's plan carries the open actions of the plan it started from (the same rows,
linked, not copied), and raters are asked about the actions that finished."""

import pytest
from django.utils import timezone

from assessments.models import Round
from improvement_plans.models import Action
from tests.improvement_plans.helpers import (
    agree_every_change,
    agreed_round,
    make_action,
    plan_url,
    rating_round,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def earlier_plan(cast, owner, agreed):
    def action(title, code, status):
        return make_action(
            agreed, title=title, code=code, status=status, lead_partner=cast.partner, owner=owner
        )

    return {
        "open": action("Discharge hub", "1", Action.Status.NOT_STARTED),
        "blocked": action("Home first pathway", "4", Action.Status.BLOCKED),
        "under way": action("Ward huddles", "3", Action.Status.IN_PROGRESS),
        "done": action("Hub opened", "1", Action.Status.DONE),
        "cancelled": action("Weekend rota", "5", Action.Status.CANCELLED),
    }


def agree(round_: Round) -> None:
    round_.status = Round.Status.AGREED
    round_.revealed_at = round_.agreed_at = timezone.now()
    round_.save()
    agree_every_change(round_)


def plan_actions(response) -> dict[str, list[Action]]:
    return {row.change.code: row.actions for row in response.context["rows"] if row.actions}


def test_a_new_rounds_plan_carries_the_open_actions_once_agreed(
    client, cast, frameworks, agreed, earlier_plan
):
    new = rating_round(
        cast.system,
        frameworks["mtoc-2020"],
        [cast.partner, cast.other_partner],
        name="2026/27",
        previous_round=agreed,
    )
    client.force_login(cast.facilitator)
    assert client.get(plan_url(new)).status_code == 403  # not agreed yet
    count = Action.objects.count()
    agree(new)
    response = client.get(plan_url(new))
    assert response.status_code == 200
    carried = plan_actions(response)
    assert {code: [a.title for a in actions] for code, actions in carried.items()} == {
        "1": ["Discharge hub"],
        "3": ["Ward huddles"],
        "4": ["Home first pathway"],
    }
    assert {a.pk for actions in carried.values() for a in actions} == {
        earlier_plan[key].pk for key in ("open", "blocked", "under way")
    }
    html = response.content.decode()
    assert "Hub opened" not in html and "Weekend rota" not in html
    assert Action.objects.count() == count  # linked, not copied
    assert list(earlier_plan["open"].rounds.all()) == [agreed]
    # The earlier plan still shows all of its own actions.
    earlier = plan_actions(client.get(plan_url(agreed)))
    assert sorted(a.title for a in earlier["1"]) == ["Discharge hub", "Hub opened"]
    assert [a.title for a in earlier["5"]] == ["Weekend rota"]


def test_a_carried_action_closed_later_leaves_the_new_plan(
    client, cast, frameworks, agreed, earlier_plan
):
    new = agreed_round(cast.system, frameworks["mtoc-2020"], name="2026/27", previous_round=agreed)
    client.force_login(cast.member)
    assert "1" in plan_actions(client.get(plan_url(new)))
    finished = earlier_plan["open"]
    finished.status = Action.Status.DONE
    finished.save()
    page = client.get(plan_url(new))
    assert "1" not in plan_actions(page)
    assert page.context["rows"][0].needs_action  # change 1 has a gap


def test_open_actions_are_carried_through_every_earlier_plan(
    client, cast, frameworks, agreed, earlier_plan, owner
):
    middle = agreed_round(
        cast.system, frameworks["mtoc-2020"], name="2026/27", previous_round=agreed
    )
    make_action(middle, title="Middle action", code="2", lead_partner=cast.partner, owner=owner)
    latest = agreed_round(
        cast.system, frameworks["mtoc-2020"], name="2027/28", previous_round=middle
    )
    client.force_login(cast.steering)
    titles = sorted(
        a.title for actions in plan_actions(client.get(plan_url(latest))).values() for a in actions
    )
    assert titles == ["Discharge hub", "Home first pathway", "Middle action", "Ward huddles"]


def test_actions_of_a_plan_on_the_earlier_edition_sit_beside_the_change_they_map_to(
    client, cast, owner, frameworks
):
    old = agreed_round(cast.system, frameworks["mtoc-2017"], name="2019/20", gaps={})
    make_action(old, title="Seven-day discharge", code="5", lead_partner=cast.partner, owner=owner)
    new = agreed_round(cast.system, frameworks["mtoc-2020"], name="2020/21", previous_round=old)
    client.force_login(cast.member)
    response = client.get(plan_url(new))
    assert [a.title for a in plan_actions(response)["5"]] == ["Seven-day discharge"]
    assert "Carried from an earlier plan" in response.content.decode()


def test_open_actions_of_a_plan_on_another_model_are_still_shown(
    client, cast, owner, agreed, earlier_plan, frameworks
):
    ohc = agreed_round(
        cast.system, frameworks["ohc-2025"], name="OHC 2025/26", previous_round=agreed, gaps={}
    )
    client.force_login(cast.member)
    response = client.get(plan_url(ohc))
    assert plan_actions(response) == {}
    assert {a.title for a in response.context["unmapped_actions"]} == {
        "Discharge hub",
        "Home first pathway",
        "Ward huddles",
    }
    html = response.content.decode()
    assert "Actions carried from an earlier plan" in html
    for title in ("Discharge hub", "Home first pathway", "Ward huddles"):
        assert title in html
    assert "Hub opened" not in html


def rating_page(client, round_, partner, code: str) -> str:
    response = client.get(
        f"/rounds/{round_.public_id}/partners/{partner.public_id}/changes/{code}/"
    )
    assert response.status_code == 200
    return response.content.decode()


PROMPT = "finished — has the level moved?"


def test_raters_are_asked_whether_a_finished_action_moved_the_level(
    client, cast, frameworks, agreed, earlier_plan
):
    new = rating_round(
        cast.system,
        frameworks["mtoc-2020"],
        [cast.partner, cast.other_partner],
        name="2026/27",
        previous_round=agreed,
    )
    client.force_login(cast.member)
    page = rating_page(client, new, cast.partner, "1")
    assert f"This action from the last improvement plan {PROMPT}" in page
    assert "Hub opened (Testshire Hospitals)" in page
    assert "Discharge hub" not in page  # still open
    assert PROMPT not in rating_page(client, new, cast.partner, "5")  # cancelled, not done
    assert PROMPT not in rating_page(client, new, cast.partner, "2")  # no action at all
    client.force_login(cast.other_member)
    assert PROMPT in rating_page(client, new, cast.other_partner, "1")


def test_a_round_with_no_earlier_plan_asks_nothing(client, cast, open_round, owner, agreed):
    make_action(
        agreed, title="Hub opened", code="1", status="done", lead_partner=cast.partner, owner=owner
    )
    client.force_login(cast.member)
    assert PROMPT not in rating_page(client, open_round, cast.partner, "1")


def test_raters_are_asked_about_actions_finished_on_the_earlier_edition(
    client, cast, owner, frameworks
):
    old = agreed_round(cast.system, frameworks["mtoc-2017"], name="2019/20", gaps={})
    make_action(
        old,
        title="Trusted assessors in post",
        code="6",
        status=Action.Status.DONE,
        lead_partner=cast.partner,
        owner=owner,
    )
    new = rating_round(
        cast.system, frameworks["mtoc-2020"], [cast.partner], name="2020/21", previous_round=old
    )
    client.force_login(cast.member)
    page = rating_page(client, new, cast.partner, "6")
    assert PROMPT in page and "Trusted assessors in post" in page
