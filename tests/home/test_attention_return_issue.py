"""Issuing a BCF return: a page says which version will be issued and who will be told, and
nothing is issued until the facilitator confirms."""

import pytest

from improvement_plans.models import IssuedReturn
from tests.returns.helpers import CONFIRM, plan_round, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(cast, frameworks):
    return plan_round(cast, frameworks["mtoc-2020"])


def test_the_return_page_leads_to_the_confirmation_not_a_one_click_issue(client, cast, plan):
    client.force_login(cast.facilitator)
    page = client.get(url("return_page", plan)).content.decode()
    assert f'href="{url("return_issue", plan)}"' in page
    assert f'action="{url("return_issue", plan)}"' not in page


def test_the_confirmation_says_which_version_and_who_will_be_told(client, cast, plan):
    client.force_login(cast.facilitator)
    page = client.get(url("return_issue", plan)).content.decode()
    assert "Issue version 1 of the BCF return" in page
    assert "1 steering committee member<" in page
    assert "2 members of the 2 partners of Testshire" in page
    assert f"1 regional viewer of {cast.system.region}" in page
    assert not IssuedReturn.objects.filter(round=plan).exists()


def test_a_post_without_the_confirmation_issues_nothing_and_says_why(client, cast, plan):
    client.force_login(cast.facilitator)
    response = client.post(url("return_issue", plan))
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Error:" in page
    assert "Confirm that you want to issue this version of the return" in page
    assert not IssuedReturn.objects.filter(round=plan).exists()


def test_confirming_issues_the_next_version(client, cast, plan):
    client.force_login(cast.facilitator)
    client.post(url("return_issue", plan), CONFIRM)
    assert (
        "Issue version 2 of the BCF return"
        in client.get(url("return_issue", plan)).content.decode()
    )
    response = client.post(url("return_issue", plan), CONFIRM, follow=True)
    assert "Version 2 of the return is issued." in response.content.decode()
    assert list(IssuedReturn.objects.filter(round=plan).values_list("version", flat=True)) == [2, 1]


@pytest.mark.parametrize("person", ["steering", "member", "viewer"])
def test_only_a_facilitator_sees_the_confirmation(client, cast, plan, person):
    client.force_login(cast.roles()[person])
    assert client.get(url("return_issue", plan)).status_code == 403


def test_the_confirmation_runs_a_bounded_number_of_queries(client, cast, plan):
    from tests.helpers import query_count

    client.force_login(cast.facilitator)
    client.get(url("return_issue", plan))
    assert query_count(client, url("return_issue", plan)) <= 10
