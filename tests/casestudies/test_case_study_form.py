"""Adding and editing a case study: GOV.UK errors, and nothing saved when anything is wrong."""

import pytest

from casestudies.models import CHANGES_REQUIRED_MESSAGE, SOURCE_URL_MESSAGE, CaseStudy
from tests.casestudies.helpers import change_id

pytestmark = pytest.mark.django_db


def level_id(key: str, number: int) -> int:
    from assessments.models import Level

    return Level.objects.get(framework__key=key, number=number).pk


def framework_id(key: str) -> int:
    from assessments.models import Framework

    return Framework.objects.get(key=key).pk


def valid_post(**overrides) -> dict:
    data = {
        "title": "Discharge to assess beds",
        "place": "Testshire",
        "organisations": "Testshire Council",
        f"changes_{framework_id('mtoc-2020')}": [str(change_id("mtoc-2020", "4"))],
        "level": str(level_id("mtoc-2020", 3)),
        "summary": "Short-term beds while people are assessed outside hospital.",
        "what_they_did": "They opened beds.\n\nThey assessed people there.",
        "outcomes": "Fewer delays.",
        "figures": "Beds: 12\n\nDelayed days: down 20%\n",
        "source_url": "www.example.org/d2a",
        "status": "published",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def errors_of(response) -> dict:
    return {
        name: [e.code for e in errors]
        for name, errors in response.context["form"].errors.as_data().items()
    }


def test_the_add_form_asks_for_changes_framework_by_framework(client, cast, frameworks):
    client.force_login(cast.facilitator)
    page = client.get("/case-studies/new/").content.decode()
    assert '<h1 class="govuk-heading-l">Add a case study</h1>' in page
    assert "Changes in Managing transfers of care (2017)" in page
    assert "Changes in Optimal Handed Care (2025–26)" in page
    assert '<optgroup label="Managing transfers of care (2020)">' in page


def test_a_facilitator_adds_a_case_study(client, cast, frameworks):
    client.force_login(cast.facilitator)
    response = client.post("/case-studies/new/", valid_post())
    study = CaseStudy.objects.get()
    assert response.status_code == 302
    assert response["Location"] == "/case-studies/discharge-to-assess-beds/"
    assert study.slug == "discharge-to-assess-beds"
    assert study.created_by == cast.facilitator
    assert study.figures == ["Beds: 12", "Delayed days: down 20%"]
    assert study.source_url == "https://www.example.org/d2a"
    assert [c.pk for c in study.changes.all()] == [change_id("mtoc-2020", "4")]
    assert study.level.number == 3 and study.is_published
    assert study.history.exists()
    page = client.get(response["Location"]).content.decode()
    assert "is saved and published" in page


def test_a_site_administrator_adds_a_draft(client, cast, frameworks):
    client.force_login(cast.admin)
    client.post("/case-studies/new/", valid_post(status="draft", level=""))
    study = CaseStudy.objects.get()
    assert study.status == "draft" and study.level is None


def test_the_same_title_twice_gets_a_second_web_address(client, cast, frameworks):
    client.force_login(cast.facilitator)
    client.post("/case-studies/new/", valid_post())
    response = client.post("/case-studies/new/", valid_post())
    assert response["Location"] == "/case-studies/discharge-to-assess-beds-2/"


def test_a_title_that_would_take_a_page_address_gets_another(client, cast, frameworks):
    client.force_login(cast.facilitator)
    response = client.post("/case-studies/new/", valid_post(title="New"))
    assert response["Location"] == "/case-studies/new-2/"


@pytest.mark.parametrize(
    "link", ["ftp://files.example.org/report", "javascript:alert(1)", "not a link"]
)
def test_a_source_link_that_is_not_a_web_address_is_refused(client, cast, frameworks, link):
    client.force_login(cast.facilitator)
    response = client.post("/case-studies/new/", valid_post(source_url=link))
    assert response.status_code == 200
    assert errors_of(response) == {"source_url": ["invalid"]}
    page = response.content.decode()
    assert SOURCE_URL_MESSAGE in page
    assert "<title>Error: " in page
    assert 'href="#id_source_url"' in page
    assert not CaseStudy.objects.exists()


def test_a_level_of_another_framework_than_the_changes_is_refused(client, cast, frameworks):
    client.force_login(cast.facilitator)
    response = client.post("/case-studies/new/", valid_post(level=str(level_id("ohc-2025", 4))))
    assert response.status_code == 200
    assert errors_of(response) == {"level": ["level_framework"]}
    page = response.content.decode()
    assert "Select a level of the same framework as the changes you chose" in page
    assert "(Managing transfers of care (2020))" in page
    assert 'href="#id_level"' in page
    assert not CaseStudy.objects.exists()


def test_a_case_study_needs_at_least_one_change(client, cast, frameworks):
    client.force_login(cast.facilitator)
    response = client.post(
        "/case-studies/new/", valid_post(**{f"changes_{framework_id('mtoc-2020')}": None})
    )
    first = f"changes_{framework_id('ohc-2025')}"  # the newest framework comes first
    assert errors_of(response) == {first: ["required"]}
    page = response.content.decode()
    assert CHANGES_REQUIRED_MESSAGE in page
    assert f'href="#id_{first}_1"' in page  # lands on the first checkbox
    assert not CaseStudy.objects.exists()


def test_empty_required_answers_each_get_a_message(client, cast, frameworks):
    client.force_login(cast.facilitator)
    response = client.post(
        "/case-studies/new/",
        valid_post(title="", place="", summary="", what_they_did="", outcomes="", status=None),
    )
    page = response.content.decode()
    messages = [
        "Enter a title",
        "Enter the place",
        "Enter a summary",
        "Enter what they did",
        "Enter the outcomes",
        "Select whether to publish the case study",
    ]
    summary = page[
        page.index("govuk-error-summary") : page.index("</ul>", page.index("govuk-error-summary"))
    ]
    positions = [summary.index(message) for message in messages]
    assert positions == sorted(positions), "the summary follows the order of the page"
    assert not CaseStudy.objects.exists()


def test_the_error_summary_lists_the_changes_question_where_it_is_on_the_page(
    client, cast, frameworks
):
    client.force_login(cast.facilitator)
    first = f"changes_{framework_id('ohc-2025')}"
    response = client.post(
        "/case-studies/new/",
        valid_post(place="", summary="", **{f"changes_{framework_id('mtoc-2020')}": None}),
    )
    page = response.content.decode()
    anchors = [page.index(f'href="#id_{name}') for name in ("place", first, "summary")]
    assert anchors == sorted(anchors)


@pytest.mark.parametrize(
    ("figures", "message"),
    [
        ("\n".join(f"Figure {n}" for n in range(9)), "Give at most 8 figures"),
        ("x" * 101, "Each figure must be 100 characters or fewer"),
    ],
)
def test_too_many_or_too_long_figures_are_refused(client, cast, frameworks, figures, message):
    client.force_login(cast.facilitator)
    response = client.post("/case-studies/new/", valid_post(figures=figures))
    assert errors_of(response) == {"figures": ["invalid"]}
    assert message in response.content.decode()
    assert not CaseStudy.objects.exists()


def test_a_change_from_another_framework_field_cannot_be_smuggled_in(client, cast, frameworks):
    client.force_login(cast.facilitator)
    response = client.post(
        "/case-studies/new/",
        valid_post(**{f"changes_{framework_id('mtoc-2020')}": [str(change_id("ohc-2025", "F"))]}),
    )
    assert errors_of(response) == {f"changes_{framework_id('mtoc-2020')}": ["invalid_choice"]}
    assert not CaseStudy.objects.exists()


@pytest.fixture
def existing(cast, make_case_study):
    return make_case_study(
        system=cast.system,
        title="Trusted assessors",
        slug="trusted-assessors",
        changes=[("mtoc-2017", "6")],
        level=("mtoc-2017", 3),
        figures=["Investment: £70k"],
    )


def test_the_edit_form_starts_from_the_case_study(client, cast, existing):
    client.force_login(cast.facilitator)
    response = client.get("/case-studies/trusted-assessors/edit/")
    form = response.context["form"]
    assert form.initial["title"] == "Trusted assessors"
    assert form.initial[f"changes_{framework_id('mtoc-2017')}"] == [
        str(change_id("mtoc-2017", "6"))
    ]
    assert form.initial["figures"] == "Investment: £70k"
    assert "Change this case study" in response.content.decode()


def test_a_facilitator_edits_a_case_study_and_its_address_stays(client, cast, existing):
    client.force_login(cast.facilitator)
    response = client.post(
        "/case-studies/trusted-assessors/edit/", valid_post(title="Trusted assessment")
    )
    assert response["Location"] == "/case-studies/trusted-assessors/"
    existing.refresh_from_db()
    assert existing.title == "Trusted assessment"
    assert [c.pk for c in existing.changes.all()] == [change_id("mtoc-2020", "4")]
    assert existing.history.count() >= 2
    assert existing.created_by is None  # the loader's case studies keep no creator


def test_a_refused_edit_changes_nothing(client, cast, existing):
    client.force_login(cast.facilitator)
    response = client.post(
        "/case-studies/trusted-assessors/edit/",
        valid_post(title="Renamed", level=str(level_id("ohc-2025", 2))),
    )
    assert response.status_code == 200
    existing.refresh_from_db()
    assert existing.title == "Trusted assessors"
    assert [c.pk for c in existing.changes.all()] == [change_id("mtoc-2017", "6")]
    assert existing.level.number == 3


def test_the_add_form_runs_a_bounded_number_of_queries(
    client, cast, frameworks, django_assert_max_num_queries
):
    client.force_login(cast.facilitator)
    with django_assert_max_num_queries(10):
        assert client.get("/case-studies/new/").status_code == 200
