"""The case study page."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def study(cast, make_case_study):
    return make_case_study(
        system=cast.system,
        title="Trusted assessors for care homes",
        slug="trusted-assessors",
        changes=[("mtoc-2017", "6"), ("mtoc-2020", "8")],
        level=("mtoc-2017", 3),
        organisations="A council\nA provider",
        what_they_did="First paragraph.\n\nSecond <b>paragraph</b>.\n\n- one step\n- another step",
        outcomes="It worked.",
        figures=["Investment: £70k", "Planned level: Mature"],
        source_url="https://www.example.org/plan",
    )


def test_the_page_shows_the_whole_case_study(client, cast, study):
    client.force_login(cast.member)
    page = client.get("/case-studies/trusted-assessors/").content.decode()
    assert '<h1 class="govuk-heading-xl">Trusted assessors for care homes</h1>' in page
    assert "A council<br>A provider" in page
    assert 'href="/frameworks/mtoc-2017/changes/6/"' in page
    assert 'href="/frameworks/mtoc-2020/changes/8/"' in page
    assert "3 Established" in page
    assert "<li>Investment: £70k</li>" in page
    assert '<p class="govuk-body">First paragraph.</p>' in page
    assert "Second &lt;b&gt;paragraph&lt;/b&gt;." in page  # escaped, never markup
    assert (
        '<ul class="govuk-list govuk-list--bullet"><li>one step</li><li>another step</li></ul>'
        in page
    )
    assert 'href="https://www.example.org/plan"' in page


def test_a_member_sees_no_edit_button(client, cast, study):
    client.force_login(cast.member)
    assert (
        "Change this case study"
        not in client.get("/case-studies/trusted-assessors/").content.decode()
    )


def test_a_facilitator_sees_the_edit_button(client, cast, study):
    client.force_login(cast.facilitator)
    page = client.get("/case-studies/trusted-assessors/").content.decode()
    assert 'href="/case-studies/trusted-assessors/edit/"' in page


def test_a_draft_says_who_can_see_it(client, cast, make_case_study):
    make_case_study(slug="draft-one", status="draft", system=cast.system)
    client.force_login(cast.facilitator)
    page = client.get("/case-studies/draft-one/").content.decode()
    assert "Only facilitators of Testshire and site administrators can see this case study" in page


def test_an_unknown_case_study_is_not_found(client, cast, frameworks):
    client.force_login(cast.member)
    assert client.get("/case-studies/no-such-thing/").status_code == 404


def test_the_case_study_page_runs_a_bounded_number_of_queries(
    client, cast, study, django_assert_max_num_queries
):
    client.force_login(cast.facilitator)
    with django_assert_max_num_queries(10):
        assert client.get("/case-studies/trusted-assessors/").status_code == 200
