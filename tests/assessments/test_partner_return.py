import pytest
from django.core import mail

from assessments.models import PartnerReturn, Rating
from tests.factories import MemberFactory
from tests.helpers import add_partners, rate_everything

pytestmark = pytest.mark.django_db


def base(round_, partner) -> str:
    return f"/rounds/{round_.public_id}/partners/{partner.public_id}/"


def level_pk(round_, number: int) -> str:
    return str(round_.framework.levels.get(number=number).pk)


def rate(client, round_, partner, code, action="save_continue", version=0, **fields):
    data = {"version": version, action: "", **fields}
    return client.post(base(round_, partner) + f"changes/{code}/", data)


def test_the_task_list_shows_each_change_with_its_status_and_the_due_date(client, cast, open_round):
    client.force_login(cast.member)
    rate(
        client,
        open_round,
        cast.partner,
        "1",
        level=level_pk(open_round, 2),
        rationale="Plans agreed",
        confidence="low",
    )
    rate(client, open_round, cast.partner, "2", action="save_draft", rationale="Half done")
    page = client.get(base(open_round, cast.partner)).content.decode()
    assert page.count('<li class="govuk-task-list__item') == 10  # nine changes, then submit
    assert "Rated" in page and "In progress" in page and "Not started" in page
    assert open_round.closes_on.strftime("%-d %B %Y") in page
    assert "You have rated 1 of 9 changes" in page


def test_save_and_continue_needs_level_rationale_and_confidence(client, cast, open_round):
    client.force_login(cast.member)
    response = rate(client, open_round, cast.partner, "1")
    errors = response.context["form"].errors
    assert errors["level"] == ["Select a maturity level"]
    assert errors["rationale"] == ["Enter the rationale for this level"]
    assert errors["confidence"] == ["Select how confident you are in this rating"]
    assert not Rating.objects.exists()


def test_mature_and_exemplary_need_evidence(client, cast, open_round):
    client.force_login(cast.member)
    response = rate(
        client,
        open_round,
        cast.partner,
        "1",
        level=level_pk(open_round, 4),
        rationale="Tested",
        confidence="high",
    )
    assert response.context["form"].has_error("evidence_url_1", "evidence_required")
    ok = rate(
        client,
        open_round,
        cast.partner,
        "1",
        level=level_pk(open_round, 4),
        rationale="Tested",
        confidence="high",
        evidence_title_1="Audit",
        evidence_url_1="https://example.org/audit",
    )
    assert ok.status_code == 302
    assert Rating.objects.get().evidence == [{"title": "Audit", "url": "https://example.org/audit"}]


def test_an_evidence_address_must_be_a_web_address(client, cast, open_round):
    client.force_login(cast.member)
    response = rate(
        client,
        open_round,
        cast.partner,
        "1",
        action="save_draft",
        evidence_title_1="Report",
        evidence_url_1="not a url",
    )
    assert response.context["form"].errors["evidence_url_1"] == [
        "Enter a web address in the correct format, like https://www.example.org/report"
    ]
    missing = rate(
        client, open_round, cast.partner, "1", action="save_draft", evidence_title_1="Report only"
    )
    assert missing.context["form"].errors["evidence_url_1"] == [
        "Enter the web address of this evidence"
    ]


def test_save_and_continue_goes_to_the_next_change_then_to_check_answers(client, cast, open_round):
    client.force_login(cast.member)
    fields = {"level": level_pk(open_round, 3), "rationale": "Yes", "confidence": "medium"}
    first = rate(client, open_round, cast.partner, "1", **fields)
    assert first["Location"].endswith("/changes/2/")
    last = rate(client, open_round, cast.partner, "9", **fields)
    assert last["Location"].endswith("/check/")


def test_a_draft_keeps_whatever_was_typed(client, cast, open_round):
    client.force_login(cast.member)
    response = rate(
        client, open_round, cast.partner, "3", action="save_draft", rationale="Thinking about it"
    )
    assert response["Location"] == base(open_round, cast.partner)
    rating = Rating.objects.get()
    assert rating.rationale == "Thinking about it"
    assert rating.level is None
    page = client.get(base(open_round, cast.partner) + "changes/3/").content.decode()
    assert "Thinking about it" in page
    assert "Last saved by Mina Member" in page


def test_any_member_of_the_partner_can_draft_and_sees_who_saved_last(client, cast, open_round):
    colleague = MemberFactory(partner=cast.partner).user
    client.force_login(cast.member)
    rate(client, open_round, cast.partner, "1", action="save_draft", rationale="Mine")
    client.force_login(colleague)
    rate(client, open_round, cast.partner, "1", action="save_draft", rationale="Theirs", version=1)
    client.force_login(cast.member)
    page = client.get(base(open_round, cast.partner) + "changes/1/").content.decode()
    assert f"Last saved by {colleague.full_name}" in page


def test_the_second_of_two_people_saving_at_once_sees_a_conflict_and_nothing_is_lost(
    client, cast, open_round
):
    colleague = MemberFactory(partner=cast.partner).user
    client.force_login(cast.member)
    rate(client, open_round, cast.partner, "1", action="save_draft", rationale="Saved first")
    client.force_login(colleague)
    # The colleague's form was loaded before the first save: it still carries version 0.
    response = rate(
        client, open_round, cast.partner, "1", action="save_draft", rationale="Typed second"
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Saved first" in page and "Typed second" in page
    assert Rating.objects.get().rationale == "Saved first"
    # Choosing their own version sends it again with the saved version number.
    replaced = rate(
        client,
        open_round,
        cast.partner,
        "1",
        action="save_draft",
        rationale="Typed second",
        version=1,
    )
    assert replaced.status_code == 302
    assert Rating.objects.get().rationale == "Typed second"


def test_every_change_to_a_rating_is_in_its_history(client, cast, open_round):
    client.force_login(cast.member)
    rate(
        client,
        open_round,
        cast.partner,
        "1",
        level=level_pk(open_round, 2),
        rationale="First view",
        confidence="low",
    )
    rate(
        client,
        open_round,
        cast.partner,
        "1",
        level=level_pk(open_round, 3),
        rationale="Second view",
        confidence="medium",
        version=1,
    )
    response = client.get(base(open_round, cast.partner) + "changes/1/history/")
    page = response.content.decode()
    assert "2 Plans in place → 3 Established" in page
    assert "First view → Second view" in page
    assert "Mina Member" in page
    assert Rating.history.count() == 2


def test_submitting_needs_every_change_rated(client, cast, open_round):
    client.force_login(cast.member)
    response = client.post(base(open_round, cast.partner) + "check/")
    assert response.status_code == 400
    assert "Rate every change before you submit" in response.content.decode()
    assert PartnerReturn.objects.get(partner=cast.partner).submitted_at is None


def test_a_submitted_return_is_read_only_and_confirmed(client, cast, open_round):
    rate_everything(open_round, cast.partner, cast.member)
    client.force_login(cast.member)
    check = client.get(base(open_round, cast.partner) + "check/").content.decode()
    assert "Check your answers before you submit" in check
    response = client.post(base(open_round, cast.partner) + "check/")
    assert response["Location"].endswith("/submitted/")
    confirmation = client.get(response["Location"]).content.decode()
    assert "Return submitted" in confirmation
    change_page = client.get(base(open_round, cast.partner) + "changes/1/").content.decode()
    assert "read-only" in change_page and "<textarea" not in change_page
    after = rate(
        client, open_round, cast.partner, "1", action="save_draft", rationale="Late", version=1
    )
    assert after.status_code == 200
    assert Rating.objects.get(partner=cast.partner, change__code="1").rationale != "Late"


def test_the_facilitator_reopens_a_submitted_return_and_its_members_are_told(
    client, cast, open_round, django_capture_on_commit_callbacks
):
    partner_return = rate_everything(open_round, cast.partner, cast.member)
    client.force_login(cast.member)
    client.post(base(open_round, cast.partner) + "check/")
    client.force_login(cast.facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(base(open_round, cast.partner) + "reopen/", {"reason": "Recheck"})
    partner_return.refresh_from_db()
    assert partner_return.submitted_at is None
    assert partner_return.reopened_by == cast.facilitator
    assert [m.to for m in mail.outbox] == [["member@test.example"]]
    assert "reopened" in mail.outbox[0].body
    assert "Recheck" in mail.outbox[0].body  # the reason they are given


@pytest.mark.parametrize("role", ["member", "other_member", "steering"])
def test_only_the_facilitator_may_reopen(client, cast, open_round, role):
    partner_return = rate_everything(open_round, cast.partner, cast.member)
    client.force_login(cast.member)
    client.post(base(open_round, cast.partner) + "check/")
    client.force_login(cast.roles()[role])
    response = client.post(base(open_round, cast.partner) + "reopen/")
    assert response.status_code == 403
    partner_return.refresh_from_db()
    assert partner_return.submitted_at is not None


def test_the_tracker_shows_completion_per_partner(client, cast, open_round):
    rate_everything(open_round, cast.partner, cast.member)
    client.force_login(cast.member)
    client.post(base(open_round, cast.partner) + "check/")
    client.force_login(cast.other_member)
    rate(
        client,
        open_round,
        cast.other_partner,
        "1",
        level=level_pk(open_round, 3),
        rationale="Yes",
        confidence="high",
    )
    client.force_login(cast.facilitator)
    page = client.get(f"/rounds/{open_round.public_id}/").content.decode()
    assert "Submitted" in page and "9 of 9" in page
    assert "In progress" in page and "1 of 9" in page


def test_the_task_list_and_change_page_run_as_many_queries_for_15_partners_as_for_3(
    client, cast, open_round, django_assert_max_num_queries
):
    def add_partners_with_ratings(count: int, first: int) -> None:
        for partner, member in add_partners(cast.system, count, first=first):
            PartnerReturn.objects.create(round=open_round, partner=partner)
            rate_everything(open_round, partner, member)

    add_partners_with_ratings(1, first=0)  # the cast's two partners and one more
    client.force_login(cast.member)
    tasks = base(open_round, cast.partner)
    change = tasks + "changes/1/"
    client.get(tasks)
    with django_assert_max_num_queries(4) as few_tasks:
        client.get(tasks)
    with django_assert_max_num_queries(4) as few_change:
        client.get(change)
    # Twelve more partners, each with a full set of ratings, and the member's own, change nothing.
    add_partners_with_ratings(12, first=1)
    rate_everything(open_round, cast.partner, cast.member)
    with django_assert_max_num_queries(len(few_tasks.captured_queries)):
        client.get(tasks)
    with django_assert_max_num_queries(len(few_change.captured_queries)):
        client.get(change)
