"""The reveal, the review table and the review of one change with its discussion."""

import re

import pytest
from django.core import mail

from assessments.consensus_services import round_reveal
from assessments.framework_content import framework_edited
from assessments.models import AuditEvent, Comment, PartnerReturn, Round
from tests.assessments.helpers import both_roles, reveal, set_level, submit, url
from tests.factories import SystemRoleFactory

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------
# Reveal


def test_the_facilitator_reveals_a_round_with_every_return_in(
    client, cast, open_round, django_capture_on_commit_callbacks
):
    submit(open_round, cast.partner, cast.member)
    submit(open_round, cast.other_partner, cast.other_member)
    client.force_login(cast.facilitator)
    assert "Every partner has submitted" in client.get(url(open_round, "reveal")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(open_round, "reveal"))
    assert response.status_code == 302
    assert response["Location"] == url(open_round, "review")
    open_round.refresh_from_db()
    assert open_round.status == Round.Status.REVIEW
    assert open_round.revealed_by == cast.facilitator
    assert open_round.revealed_at is not None
    event = AuditEvent.objects.get(round=open_round, action="Revealed the ratings")
    assert event.actor == cast.facilitator
    assert event.detail == "All returns in."
    assert not PartnerReturn.objects.filter(missing_at_reveal=True).exists()
    assert len(mail.outbox) == 4


def test_revealing_with_a_missing_return_needs_confirmation(client, cast, open_round):
    submit(open_round, cast.partner, cast.member)
    client.force_login(cast.facilitator)
    page = client.get(url(open_round, "reveal")).content.decode()
    assert "1 partner has not submitted: Testshire Council" in page
    response = client.post(url(open_round, "reveal"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Some partners have not submitted. Confirm that you want to reveal" in page
    assert "Confirm that you want to reveal without these returns" in page
    open_round.refresh_from_db()
    assert open_round.status == Round.Status.RATING
    assert not PartnerReturn.objects.filter(missing_at_reveal=True).exists()
    assert not AuditEvent.objects.filter(action="Revealed the ratings").exists()


def test_a_confirmed_reveal_records_the_missing_return_and_emails_everyone(
    client, cast, open_round, django_capture_on_commit_callbacks
):
    submit(open_round, cast.partner, cast.member)
    client.force_login(cast.facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(open_round, "reveal"), {"confirm_missing": "yes"})
    assert response.status_code == 302
    open_round.refresh_from_db()
    assert open_round.status == Round.Status.REVIEW
    missing = PartnerReturn.objects.get(round=open_round, partner=cast.other_partner)
    submitted = PartnerReturn.objects.get(round=open_round, partner=cast.partner)
    assert missing.missing_at_reveal is True
    assert submitted.missing_at_reveal is False
    # Every member of the partners taking part, the facilitator and the steering committee;
    # not the regional viewer, outsiders or people with no role.
    assert sorted(address for m in mail.outbox for address in m.to) == [
        "facilitator@test.example",
        "member@test.example",
        "other@test.example",
        "steering@test.example",
    ]
    assert all(len(m.to) == 1 for m in mail.outbox)
    assert all("the review is open" in m.subject for m in mail.outbox)
    assert "Revealed without a return from: Testshire Council" in mail.outbox[0].body
    assert url(open_round, "review") in mail.outbox[0].body
    event = AuditEvent.objects.get(round=open_round, action="Revealed the ratings")
    assert event.actor == cast.facilitator
    assert event.detail == "Returns missing: Testshire Council"
    # The missing return is marked on the change review page.
    change_page = client.get(url(open_round, "review_change", "1")).content.decode()
    assert "Return missing at reveal" in change_page


@pytest.mark.parametrize("role", ["member", "other_member", "steering"])
def test_only_the_facilitator_reveals(client, cast, open_round, role):
    submit(open_round, cast.partner, cast.member)
    submit(open_round, cast.other_partner, cast.other_member)
    client.force_login(cast.roles()[role])
    assert client.get(url(open_round, "reveal")).status_code == 403
    assert client.post(url(open_round, "reveal"), {"confirm_missing": "yes"}).status_code == 403
    open_round.refresh_from_db()
    assert open_round.status == Round.Status.RATING
    assert not AuditEvent.objects.filter(action="Revealed the ratings").exists()


def test_a_round_is_revealed_only_once_and_only_from_rating(client, cast, open_round):
    reveal(open_round, cast)
    client.force_login(cast.facilitator)
    assert client.post(url(open_round, "reveal"), {"confirm_missing": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(action="Revealed the ratings").count() == 1


def test_a_draft_round_cannot_be_revealed(client, cast, open_round):
    Round.objects.filter(pk=open_round.pk).update(status=Round.Status.DRAFT)
    client.force_login(cast.facilitator)
    assert client.post(url(open_round, "reveal"), {"confirm_missing": "yes"}).status_code == 403
    open_round.refresh_from_db()
    assert open_round.status == Round.Status.DRAFT


# ---------------------------------------------------------------------------
# The review table


@pytest.fixture
def reviewed(cast, open_round):
    """Change 1 agreed (both 3), change 2 split (1 and 5); the hospital rates everything else
    Mature (4) and the council Established (3)."""
    submit(open_round, cast.partner, cast.member, level_number=4)
    submit(open_round, cast.other_partner, cast.other_member, level_number=3)
    set_level(open_round, cast.partner, "1", 3)
    set_level(open_round, cast.partner, "2", 1)
    set_level(open_round, cast.other_partner, "2", 5)
    round_reveal(round_=open_round, revealed_by=cast.facilitator)
    open_round.refresh_from_db()
    return open_round


def row_of(page: str, round_, code: str) -> str:
    """The HTML of one change's row in the review table."""
    start = page.index(f'href="{url(round_, "review_change", code)}"')
    start = page.rindex("<tr", 0, start)
    return page[start : page.index("</tr>", start)]


def test_the_review_shows_each_partners_level_in_words_with_its_class_and_confidence(
    client, cast, reviewed
):
    client.force_login(cast.steering)
    response = client.get(url(reviewed, "review"))
    assert response.status_code == 200
    page = response.content.decode()
    row = row_of(page, reviewed, "3")
    assert re.search(r'class="govuk-table__cell app-level-4">4 Mature', row)
    assert re.search(r'class="govuk-table__cell app-level-3">3 Established', row)
    assert row.count("Medium confidence") == 2
    # Median and range.
    assert '<td class="govuk-table__cell">3.5</td>' in row
    assert '<td class="govuk-table__cell">3 to 4</td>' in row
    # The plain-English summary.
    assert "One partner rates Mature, one Established." in row
    split = row_of(page, reviewed, "2")
    assert "app-level-1" in split and "1 Not yet established" in split
    assert "app-level-5" in split and "5 Exemplary" in split
    assert "1 to 5" in split
    assert "Split" in split
    assert "One partner rates Exemplary, one Not yet established." in split


def test_split_changes_come_before_agreed_ones(client, cast, reviewed):
    client.force_login(cast.facilitator)
    response = client.get(url(reviewed, "review"))
    order = [row.change.code for row in response.context["rows"]]
    assert order[0] == "2"
    assert order[1:] == ["1", "3", "4", "5", "6", "7", "8", "9"]
    page = response.content.decode()
    assert page.index(url(reviewed, "review_change", "2")) < page.index(
        url(reviewed, "review_change", "1")
    )
    assert [row.stats.agreement for row in response.context["rows"]][:2] == ["split", "agreed"]


def test_the_partner_type_filter_narrows_the_columns_but_not_the_statistics(client, cast, reviewed):
    client.force_login(cast.member)
    everyone = client.get(url(reviewed, "review"))
    council = client.get(url(reviewed, "review") + "?type=local_authority")
    assert [r.partner for r in everyone.context["returns"]] == [
        cast.other_partner,
        cast.partner,
    ]
    assert [r.partner for r in council.context["returns"]] == [cast.other_partner]
    for all_row, council_row in zip(everyone.context["rows"], council.context["rows"], strict=True):
        assert len(all_row.cells) == 2
        assert len(council_row.cells) == 1
        assert council_row.stats == all_row.stats
        assert council_row.summary == all_row.summary
    page = council.content.decode()
    assert '<th scope="col" class="govuk-table__header">Testshire Council</th>' in page
    assert "Testshire Hospitals</th>" not in page
    row = row_of(page, reviewed, "3")
    assert "4 Mature" not in row.split("One partner rates")[1].split("</th>")[1]
    assert '<td class="govuk-table__cell">3.5</td>' in row
    assert '<td class="govuk-table__cell">3 to 4</td>' in row
    assert '<option value="local_authority" selected>' in page


def test_an_unknown_partner_type_shows_every_partner(client, cast, reviewed):
    client.force_login(cast.member)
    response = client.get(url(reviewed, "review") + "?type=<script>")
    assert response.status_code == 200
    assert len(response.context["returns"]) == 2
    assert "<script>" not in response.content.decode().split("<main")[1]


def test_the_viewers_own_partner_column_is_highlighted(client, cast, reviewed):
    client.force_login(cast.member)
    page = client.get(url(reviewed, "review")).content.decode()
    assert (
        '<th scope="col" class="govuk-table__header app-highlight">Testshire Hospitals</th>' in page
    )
    assert '<th scope="col" class="govuk-table__header">Testshire Council</th>' in page
    row = row_of(page, reviewed, "3")
    assert 'app-level-4 app-highlight">4 Mature' in row
    assert 'app-level-3">3 Established' in row
    client.force_login(cast.other_member)
    page = client.get(url(reviewed, "review")).content.decode()
    assert (
        '<th scope="col" class="govuk-table__header app-highlight">Testshire Council</th>' in page
    )
    client.force_login(cast.facilitator)
    assert "app-highlight" not in client.get(url(reviewed, "review")).content.decode()


# ---------------------------------------------------------------------------
# One change in full, and its discussion


def test_the_change_review_shows_every_partners_rationale_and_evidence(client, cast, reviewed):
    client.force_login(cast.other_member)
    response = client.get(url(reviewed, "review_change", "3"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Seen in practice (3)" in page
    assert page.count("Seen in practice (3)") == 2
    # The hospital rated Mature, with evidence; the council Established, without.
    assert 'href="https://example.org/audit"' in page
    assert ">Audit</a>" in page
    assert "4 Mature" in page and "3 Established" in page
    assert "Median 3.5; from 3 to 4; 2 of 2 partners rated" in page
    assert "3 Established (the median, rounded down)" in page
    assert "One partner rates Mature, one Established." in page


def test_a_member_comments_and_edits_their_comment_and_the_history_keeps_the_earlier_text(
    client, cast, reviewed
):
    client.force_login(cast.member)
    posted = client.post(url(reviewed, "review_change", "2"), {"text": "  We are at 1 really.  "})
    assert posted.status_code == 302
    assert posted["Location"] == url(reviewed, "review_change", "2") + "#discussion"
    comment = Comment.objects.get()
    assert comment.author == cast.member
    assert comment.text == "We are at 1 really."
    assert comment.change.code == "2"
    page = client.get(url(reviewed, "review_change", "2")).content.decode()
    assert "We are at 1 really." in page
    edit = url(reviewed, "comment_edit", comment.public_id)
    assert f'href="{edit}"' in page
    assert client.get(edit).status_code == 200
    edited = client.post(edit, {"text": "We are at 2, on reflection."})
    assert edited.status_code == 302
    comment.refresh_from_db()
    assert comment.text == "We are at 2, on reflection."
    assert comment.edited_at is not None
    assert comment.history.count() == 2
    assert comment.history.earliest().text == "We are at 1 really."
    page = client.get(url(reviewed, "review_change", "2")).content.decode()
    assert "We are at 2, on reflection." in page and "(edited)" in page


def test_an_empty_comment_is_refused(client, cast, reviewed):
    client.force_login(cast.member)
    response = client.post(url(reviewed, "review_change", "2"), {"text": "   "})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Comment.objects.exists()


@pytest.mark.parametrize("role", ["other_member", "facilitator", "steering"])
def test_nobody_else_can_edit_a_comment(client, cast, reviewed, role):
    client.force_login(cast.member)
    client.post(url(reviewed, "review_change", "2"), {"text": "Mine"})
    comment = Comment.objects.get()
    client.force_login(cast.roles()[role])
    edit = url(reviewed, "comment_edit", comment.public_id)
    page = client.get(url(reviewed, "review_change", "2")).content.decode()
    assert f'href="{edit}"' not in page
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"text": "Not yours"}).status_code == 403
    comment.refresh_from_db()
    assert comment.text == "Mine"
    assert comment.history.count() == 1


def test_every_participant_may_comment_but_a_regional_viewer_may_not(client, cast, reviewed):
    for role in ("member", "other_member", "facilitator", "steering"):
        client.force_login(cast.roles()[role])
        assert client.post(
            url(reviewed, "review_change", "1"), {"text": f"From {role}"}
        ).status_code == (302)
    client.force_login(cast.viewer)
    assert client.post(url(reviewed, "review_change", "1"), {"text": "Viewer"}).status_code == 403
    assert sorted(Comment.objects.values_list("text", flat=True)) == [
        "From facilitator",
        "From member",
        "From other_member",
        "From steering",
    ]


def test_an_unknown_change_is_not_found(client, cast, reviewed):
    client.force_login(cast.member)
    assert client.get(url(reviewed, "review_change", "99")).status_code == 404
    assert client.post(url(reviewed, "review_change", "99"), {"text": "Hi"}).status_code == 404


def test_an_archived_change_takes_no_comments(client, cast, reviewed):
    """A change archived from the framework is no longer part of the round: its page is not
    found, and neither is posting to it."""
    reviewed.framework.changes.filter(code="9").update(archived=True)
    framework_edited(reviewed.framework_id)  # a new wording version, which the round follows
    client.force_login(cast.member)
    assert client.get(url(reviewed, "review_change", "9")).status_code == 404
    assert client.post(url(reviewed, "review_change", "9"), {"text": "Hello"}).status_code == 404
    assert not Comment.objects.exists()


def test_a_person_with_several_roles_is_emailed_once(
    client, cast, open_round, django_capture_on_commit_callbacks
):
    both = both_roles(cast.system)
    SystemRoleFactory(user=cast.member, system=cast.system, role="steering")
    submit(open_round, cast.partner, cast.member)
    submit(open_round, cast.other_partner, cast.other_member)
    client.force_login(cast.facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(open_round, "reveal"))
    recipients = [m.to[0] for m in mail.outbox]
    assert sorted(recipients) == sorted(set(recipients))
    assert recipients.count(both.email) == 1
    assert recipients.count(cast.member.email) == 1
    assert len(recipients) == 5


def test_drafts_of_a_partner_that_never_submitted_are_left_out_of_the_review(
    client, cast, open_round
):
    from django.utils import timezone

    from tests.helpers import rate_everything

    rate_everything(open_round, cast.partner, cast.member, level_number=3)
    PartnerReturn.objects.filter(partner=cast.partner).update(submitted_at=timezone.now())
    rate_everything(
        open_round, cast.other_partner, cast.other_member, level_number=1, rationale="DRAFT-ONLY"
    )  # saved, never submitted
    round_reveal(round_=open_round, revealed_by=cast.facilitator, confirm_missing=True)
    client.force_login(cast.member)
    page = client.get(f"/rounds/{open_round.public_id}/review/").content.decode()
    assert "Return missing" in page
    assert "1 Not yet established" not in page
    change = client.get(f"/rounds/{open_round.public_id}/review/1/").content.decode()
    assert "DRAFT-ONLY" not in change
