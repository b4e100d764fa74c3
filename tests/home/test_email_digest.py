"""One e-mail a day: a person who chooses it on their e-mail settings page gets the news in one
daily e-mail from `send_reminders`, while deadlines and security e-mails still reach them at
once (hicm_portal/notify.py)."""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone

from assessments.models import PartnerReturn
from assessments.round_services import return_submit
from hicm_portal.models import DigestItem
from hicm_portal.notify import notify
from improvement_plans.services import progress_post
from tests.factories import MemberFactory, UserFactory
from tests.helpers import rate_everything
from tests.improvement_plans.helpers import agreed_round, make_action, make_owner

pytestmark = pytest.mark.django_db

SETTINGS = "/account/settings/"


def send_reminders(today) -> str:
    out = io.StringIO()
    call_command("send_reminders", "--today", today.isoformat(), stdout=out)
    return out.getvalue()


def checked(page: str) -> str:
    """The value of the radio that is selected."""
    (value,) = re.findall(r'value="(\w+)"\s+checked', page)
    return value


def mail_to(outbox, address) -> list:
    return [message for message in outbox if message.to == [address]]


@pytest.fixture
def digest_member(cast):
    """`cast.member` chose one e-mail a day."""
    cast.member.email_digest = True
    cast.member.save(update_fields=["email_digest"])
    return cast.member


def test_a_digest_person_gets_news_once_a_day_in_one_e_mail_and_deadlines_at_once(
    cast, frameworks, open_round, digest_member, mailoutbox, django_capture_on_commit_callbacks
):
    colleague = UserFactory(email="colleague@test.example", full_name="Col League")
    MemberFactory(user=colleague, partner=cast.partner)
    owner = make_owner(cast.other_partner)
    plan = agreed_round(cast.system, frameworks["mtoc-2020"], planner=cast.facilitator)
    action = make_action(plan, lead_partner=cast.partner, owner=owner, title="Discharge hub")
    rate_everything(open_round, cast.partner, colleague)

    with django_capture_on_commit_callbacks(execute=True):
        # Two pieces of news for the member: held back. The others get theirs at once.
        progress_post(action=action, author=owner, note="Rota agreed")
        return_submit(
            partner_return=PartnerReturn.objects.get(round=open_round, partner=cast.partner),
            submitted_by=colleague,
        )
    assert mail_to(mailoutbox, "member@test.example") == []
    assert [m.subject for m in mail_to(mailoutbox, "colleague@test.example")] == [
        "Progress on Discharge hub"
    ]
    assert len(mail_to(mailoutbox, "facilitator@test.example")) == 1

    # A deadline is never held back: an action the member owns is due in 3 days.
    due = timezone.localdate() + timedelta(days=3)
    make_action(plan, lead_partner=cast.partner, owner=cast.member, title="Ward rounds", due=due)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        output = send_reminders(timezone.localdate())
    assert [m.subject for m in mail_to(mailoutbox, "member@test.example")] == [
        f"Due {due:%-d %B}: Ward rounds"
    ]
    # Today's news waits for the first run of tomorrow.
    assert "Daily e-mails of news held back:\n  Sent 0." in output
    assert DigestItem.objects.filter(user=cast.member).count() == 2

    mailoutbox.clear()
    tomorrow = timezone.localdate() + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        output = send_reminders(tomorrow)
        send_reminders(tomorrow)  # hourly: the later runs of the day find nothing left
    (digest,) = [m for m in mail_to(mailoutbox, "member@test.example") if "update" in m.subject]
    assert digest.subject == "2 updates from HICM Portal"
    assert "member@test.example: 2 e-mails" in output
    assert "Progress on Discharge hub" in digest.body and "Rota agreed" in digest.body
    assert "Testshire Hospitals has submitted its 2026/27 Q3 return" in digest.body
    assert digest.body.index("Rota agreed") < digest.body.index("has submitted its")
    assert timezone.localdate().strftime("%-d %B %Y") in digest.body
    assert "/account/settings/" in digest.body
    assert not DigestItem.objects.exists()
    # Nobody who chose each e-mail as it happens gets a digest.
    assert all(m.to == ["member@test.example"] for m in mailoutbox if "update" in m.subject)


def test_news_of_a_step_that_is_rolled_back_is_not_held(
    cast, digest_member, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        hold_news(cast.member)
        assert DigestItem.objects.count() == 1
        transaction.set_rollback(True)
    assert not DigestItem.objects.exists() and mailoutbox == []


def hold_news(*people) -> None:
    notify(
        to=[person.email for person in people],
        subject="Agreed",
        template="round_agreed",
        context={"round": {"name": "R", "system": "S"}, "agreed_link": "/"},
    )


def test_a_dry_run_lists_the_daily_e_mails_and_keeps_them(
    cast, digest_member, mailoutbox, django_capture_on_commit_callbacks
):
    hold_news(cast.member)
    tomorrow = timezone.localdate() + timedelta(days=1)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--today", tomorrow.isoformat(), "--dry-run", stdout=out)
    assert "member@test.example: 1 e-mail" in out.getvalue()
    assert mailoutbox == [] and DigestItem.objects.count() == 1


def test_news_held_for_a_deactivated_account_is_deleted_unsent(
    cast, digest_member, mailoutbox, django_capture_on_commit_callbacks
):
    hold_news(cast.member)
    cast.member.is_active = False
    cast.member.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(timezone.localdate() + timedelta(days=1))
    assert mailoutbox == [] and not DigestItem.objects.exists()


def test_the_account_page_links_to_the_e_mail_settings(client, cast):
    client.force_login(cast.member)
    page = client.get("/account/").content.decode()
    assert "Each e-mail as it happens" in page
    assert 'href="/account/settings/"' in page


def test_choosing_one_e_mail_a_day_on_the_settings_page(client, cast):
    client.force_login(cast.member)
    page = client.get(SETTINGS).content.decode()
    assert "Send me each e-mail as it happens" in page
    assert "Send me one e-mail a day with everything that is not a deadline" in page
    assert checked(page) == "immediate"

    response = client.post(SETTINGS, {"frequency": "digest"}, follow=True)
    assert response.redirect_chain == [("/account/", 302)]
    cast.member.refresh_from_db()
    assert cast.member.email_digest is True
    page = response.content.decode()
    assert "You will get one e-mail a day with everything that is not a deadline." in page
    assert checked(client.get(SETTINGS).content.decode()) == "digest"

    client.post(SETTINGS, {"frequency": "immediate"})
    cast.member.refresh_from_db()
    assert cast.member.email_digest is False


@pytest.mark.parametrize("data", [{"frequency": "weekly"}, {}])
def test_a_missing_or_unknown_choice_is_refused_with_a_govuk_error(client, cast, data):
    client.force_login(cast.member)
    response = client.post(SETTINGS, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "<title>Error: " in page
    assert "Select how you want to get e-mails" in page
    assert 'class="govuk-error-message"' in page
    cast.member.refresh_from_db()
    assert cast.member.email_digest is False


def test_the_settings_page_needs_login_and_a_csrf_token(cast):
    anonymous = Client()
    assert anonymous.get(SETTINGS)["Location"].startswith("/accounts/login/")
    checked = Client(enforce_csrf_checks=True)
    checked.force_login(cast.member)
    assert checked.post(SETTINGS, {"frequency": "digest"}).status_code == 403
    cast.member.refresh_from_db()
    assert cast.member.email_digest is False
