"""Each resource of the API, for the people who may read it and those who may not: the same
answers as the pages (404 for outsiders, 403 for those who see the thing but not this)."""

import pytest
from django.utils import timezone

from accounts.token_services import access_token_create
from assessments.models import NationalViewer
from improvement_plans.models import Document, IssuedReturn
from tests.api.helpers import api, get
from tests.factories import RegionalViewerFactory, UserFactory
from tests.improvement_plans.helpers import agreed_round
from tests.returns.helpers import plan_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(cast, frameworks):
    """An agreed round of cast.system with a plan (an action, two investments)."""
    return plan_round(cast, frameworks["mtoc-2020"])


def test_frameworks_are_read_by_every_signed_in_person(client, cast, frameworks):
    response = get(client, api("frameworks"), cast.nobody)
    assert "mtoc-2020" in [f["key"] for f in response.json()["results"]]
    detail = get(client, api("framework", "mtoc-2020"), cast.nobody).json()
    assert [level["number"] for level in detail["levels"]] == [1, 2, 3, 4, 5]
    change = detail["changes"][0]
    assert change["code"] == "1" and len(change["levels"]) == 5
    assert get(client, api("framework", "no-such"), cast.nobody).status_code == 404


def test_systems_are_those_a_person_sees(client, cast):
    assert [s["slug"] for s in get(client, api("systems"), cast.viewer).json()["results"]] == [
        "testshire"
    ]
    assert get(client, api("systems"), cast.nobody).json()["results"] == []
    partners = get(client, api("system", "testshire"), cast.member).json()["partners"]
    assert {p["name"] for p in partners} == {"Testshire Hospitals", "Testshire Council"}
    assert get(client, api("system", "testshire"), cast.outsider).status_code == 404


def test_rounds_follow_who_may_see_them(client, cast, open_round, plan):
    for person, expected in [
        (cast.facilitator, {open_round.public_id, plan.public_id}),
        (cast.member, {open_round.public_id, plan.public_id}),
        (cast.viewer, {plan.public_id}),
        (cast.outsider, set()),
    ]:
        listed = get(client, api("rounds"), person).json()["results"]
        assert {r["id"] for r in listed} == {str(i) for i in expected}, person
    detail = get(client, api("round", open_round.public_id), cast.member).json()
    assert detail["status"] == "rating"
    assert {p["name"] for p in detail["partners"]} == {"Testshire Hospitals", "Testshire Council"}
    # A regional viewer knows of the system but may not see a round before it is agreed.
    assert get(client, api("round", open_round.public_id), cast.viewer).status_code == 403
    assert get(client, api("round", open_round.public_id), cast.outsider).status_code == 404
    rounds = get(client, api("system_rounds", "testshire"), cast.viewer).json()["results"]
    assert [r["id"] for r in rounds] == [str(plan.public_id)]


def test_a_regional_viewer_reads_only_their_regions_agreed_rounds(client, cast, frameworks, plan):
    elsewhere = agreed_round(cast.other_system, frameworks["mtoc-2020"])
    listed = get(client, api("rounds"), cast.viewer).json()["results"]
    assert [r["id"] for r in listed] == [str(plan.public_id)]
    assert get(client, api("round", elsewhere.public_id), cast.viewer).status_code == 404
    assert get(client, api("agreed_levels", elsewhere.public_id), cast.viewer).status_code == 404


def test_agreed_levels_of_an_agreed_round(client, cast, open_round, plan):
    levels = get(client, api("agreed_levels", plan.public_id), cast.viewer).json()
    first = next(row for row in levels if row["code"] == "1")
    assert first["level"] == {"number": 3, "name": "Established"}
    assert first["planned_level"]["number"] == 4
    # Not before agreement: the review is not theirs yet (403), or there is none (404).
    assert get(client, api("agreed_levels", open_round.public_id), cast.member).status_code == 403
    assert get(client, api("agreed_levels", plan.public_id), cast.outsider).status_code == 404


def test_the_plan_with_its_actions_and_investments(client, cast, open_round, plan):
    body = get(client, api("plan", plan.public_id), cast.steering).json()
    assert [a["title"] for a in body["actions"]] == ["Set up a discharge hub"]
    assert {i["scheme"] for i in body["investments"]} == {"Discharge to assess", "Reablement"}
    assert body["total_investment"] == "3500.50"
    assert get(client, api("plan", plan.public_id), cast.nobody).status_code == 404
    assert get(client, api("plan", open_round.public_id), cast.member).status_code == 403


def test_actions_of_the_systems_a_person_sees(client, cast, plan):
    action = plan.plan_actions.get()
    listed = get(client, api("actions"), cast.viewer).json()["results"]
    assert [a["id"] for a in listed] == [str(action.public_id)]
    assert get(client, api("actions"), cast.outsider).json()["results"] == []
    detail = get(client, api("action", action.public_id), cast.member).json()
    assert detail["lead_partner_name"] == "Testshire Hospitals" and detail["updates"] == []
    assert get(client, api("action", action.public_id), cast.outsider).status_code == 404


def test_issued_returns_give_their_metadata_and_download_links(client, cast, open_round, plan):
    issued = IssuedReturn.objects.create(
        round=plan,
        version=1,
        data={},
        html="",
        pdf=b"%PDF",
        xlsx=b"PK",
        checksum="0" * 64,
        issued_by=cast.facilitator,
        issued_at=timezone.now(),
    )
    listed = get(client, api("round_returns", plan.public_id), cast.viewer).json()
    assert [r["version"] for r in listed] == [1]
    detail = get(client, api("issued_return", issued.public_id), cast.member).json()
    assert detail["files"]["pdf"].endswith(f"/api/returns/{issued.public_id}/pdf/")
    assert set(detail["files"]) == {"pdf", "xlsx", "docx"}
    assert get(client, api("issued_return", issued.public_id), cast.outsider).status_code == 404


def test_an_issued_returns_file_downloads_with_a_token_or_is_built_first(client, cast, plan):
    issued = IssuedReturn.objects.create(
        round=plan,
        version=1,
        data={},
        html="",
        pdf=b"%PDF-1.7 issued",
        checksum="0" * 64,
        issued_by=cast.facilitator,
        issued_at=timezone.now(),
    )
    _, token = access_token_create(user=cast.viewer, name="reporting")
    pdf = client.get(
        api("issued_return_file", issued.public_id, "pdf"),
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT="application/pdf",
    )
    assert pdf.status_code == 200 and pdf.content == b"%PDF-1.7 issued"
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].endswith('-return-v1.pdf"')
    # Not built yet: queued (built at once here, as tasks run immediately in tests), 202.
    word = client.get(
        api("issued_return_file", issued.public_id, "docx"), HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert word.status_code == 202 and word["Retry-After"] == "5"
    assert Document.objects.filter(issued_return=issued, file_format="docx").exists()
    assert (
        client.get(
            api("issued_return_file", issued.public_id, "pdf"),
            HTTP_AUTHORIZATION="Bearer hicm_nope",
        ).status_code
        == 401
    )
    assert (
        get(client, api("issued_return_file", issued.public_id, "pdf"), cast.outsider).status_code
        == 404
    )


def test_the_region_summary_for_its_viewers_and_the_nation(client, cast, plan):
    region = cast.system.region.slug
    body = get(client, api("region_summary", region), cast.viewer).json()
    assert body["framework"] == "mtoc-2020"
    first = next(row for row in body["changes"] if row["code"] == "1")
    assert first["counts"]["3"] == 1 and first["systems"] == 1
    # Members see the region on their system's page, so know of it (403); others do not (404).
    assert get(client, api("region_summary", region), cast.member).status_code == 403
    assert get(client, api("region_summary", region), cast.outsider).status_code == 404
    assert get(client, api("national_summary"), cast.viewer).status_code == 404
    bad = get(client, api("region_summary", region), cast.viewer, framework="no-such")
    assert bad.status_code == 400 and "framework" in bad.json()
    national = UserFactory(email="nation@test.example")
    NationalViewer.objects.create(user=national)
    assert get(client, api("national_summary"), national).status_code == 200
    regions = get(client, api("regions"), national).json()
    assert {r["slug"] for r in regions} >= {region, cast.other_system.region.slug}


def test_regions_listed_are_those_a_person_views(client, cast):
    other = cast.other_system.region
    second = UserFactory(email="second-viewer@test.example")
    RegionalViewerFactory(user=second, region=other)
    assert [r["slug"] for r in get(client, api("regions"), second).json()] == [other.slug]
    assert get(client, api("regions"), cast.member).json() == []
