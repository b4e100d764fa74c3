"""One e-mail to each imported person, naming every role the file gave them, sent only once
the import is written: a set-password link for someone who cannot log in yet, a short e-mail
for anyone else, and a word on signing in with their organisation account where single sign-on
is set up."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from assessments.models import Invitation
from assessments.services import invitation_accept
from tests.onboarding.helpers import confirm, people_file, preview, problems

User = get_user_model()

pytestmark = pytest.mark.django_db

ROWS = [
    ["new@test.example", "Nia New", "facilitator", "testshire", "", ""],
    ["new@test.example", "Nia New", "partner member", "testshire", "Testshire Hospitals", ""],
    ["nobody@test.example", "", "steering", "testshire", "", ""],
    ["nobody@test.example", "", "national viewer", "", "", ""],
    ["far@test.example", "Fen Far", "regional viewer", "", "", "region-0"],
]
OIDC = {"openid_connect": {"APPS": [{"provider_id": "nhs", "name": "NHS", "client_id": "x"}]}}


@pytest.fixture
def admin_client(client, cast):
    cast.system.region.slug = "region-0"
    cast.system.region.save()
    client.force_login(cast.admin)
    return client


def sent_to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


def link_in(body: str) -> str:
    return re.search(r"http://\S+/(invitations|accounts/password/reset)/\S+", body).group(0)


def test_each_person_gets_one_e_mail_naming_all_their_roles_once_the_import_is_written(
    admin_client, cast, django_capture_on_commit_callbacks
):
    assert problems(preview(admin_client, people=people_file(*ROWS))) == []

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        confirm(admin_client)
        assert mail.outbox == []  # nothing leaves before the commit

    for callback in callbacks:
        callback()
    [welcome] = sent_to("new@test.example")
    assert welcome.subject == "You have been invited to HICM Portal"
    assert "Ada Admin has invited you" in welcome.body
    assert "- Facilitator of Testshire\n" in welcome.body
    assert "- Partner member of Testshire Hospitals, in Testshire\n" in welcome.body
    assert "/invitations/" in welcome.body
    [told] = sent_to("nobody@test.example")
    assert told.subject == "You have new roles in HICM Portal"
    assert "- Steering committee member of Testshire\n" in told.body
    assert "- National viewer\n" in told.body
    assert "/invitations/" not in told.body
    [viewer] = sent_to("far@test.example")
    assert "- Regional viewer of " in viewer.body
    assert "/accounts/password/reset/" in viewer.body
    # Besides, the partner's members hear who joined it, as for every new member.
    assert [m.subject for m in sent_to(cast.member.email)] == [
        "A new member of Testshire Hospitals in HICM Portal"
    ]
    assert len(mail.outbox) == 4


def test_the_set_password_link_lets_the_new_person_in_with_every_role(
    admin_client, cast, django_capture_on_commit_callbacks
):
    preview(admin_client, people=people_file(*ROWS[:2]))
    with django_capture_on_commit_callbacks(execute=True):
        confirm(admin_client)
    [invitation] = Invitation.objects.filter(email="new@test.example")
    token = link_in(sent_to("new@test.example")[0].body).rstrip("/").rsplit("/", 1)[1]

    person = invitation_accept(token=token, password="a-long-new-password-1")

    assert person.check_password("a-long-new-password-1")
    assert person.memberships.filter(partner=cast.partner).exists()
    assert person.system_roles.filter(system=cast.system, role="facilitator").exists()
    invitation.refresh_from_db()
    assert invitation.status == "Accepted"


def test_someone_who_only_views_a_region_gets_the_portals_set_password_link(
    admin_client, cast, django_capture_on_commit_callbacks
):
    preview(admin_client, people=people_file(ROWS[4]))
    with django_capture_on_commit_callbacks(execute=True):
        confirm(admin_client)
    link = link_in(sent_to("far@test.example")[0].body).removeprefix("http://127.0.0.1:8000")
    admin_client.logout()

    page = admin_client.get(link, follow=True)

    assert page.status_code == 200
    assert "new_password1" in page.content.decode()


def test_someone_who_signs_in_only_with_their_organisation_account_gets_no_password_link(
    admin_client, cast, django_capture_on_commit_callbacks
):
    cast.nobody.set_unusable_password()
    cast.nobody.last_login = cast.nobody.date_joined
    cast.nobody.save()
    preview(admin_client, people=people_file(ROWS[2]))
    with django_capture_on_commit_callbacks(execute=True):
        confirm(admin_client)

    [told] = sent_to("nobody@test.example")
    assert told.subject == "You have a new role in HICM Portal"
    assert "/invitations/" not in told.body
    assert not Invitation.objects.exists()


def test_nobody_is_e_mailed_for_roles_they_hold_already(
    admin_client, cast, django_capture_on_commit_callbacks
):
    preview(
        admin_client,
        people=people_file(
            ["member@test.example", "", "member", "testshire", "Testshire Hospitals", ""]
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        confirm(admin_client)

    assert mail.outbox == []


def test_the_e_mails_mention_the_organisation_account_where_single_sign_on_is_set_up(
    admin_client, cast, settings, django_capture_on_commit_callbacks
):
    settings.SOCIALACCOUNT_PROVIDERS = OIDC
    preview(admin_client, people=people_file(ROWS[0], ROWS[2]))
    with django_capture_on_commit_callbacks(execute=True):
        confirm(admin_client)

    for address in ("new@test.example", "nobody@test.example"):
        [message] = sent_to(address)
        assert "sign in with your organisation account" in message.body


def test_the_e_mails_do_not_mention_an_organisation_account_without_single_sign_on(
    admin_client, cast, settings, django_capture_on_commit_callbacks
):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}}
    preview(admin_client, people=people_file(ROWS[0], ROWS[2]))
    with django_capture_on_commit_callbacks(execute=True):
        confirm(admin_client)

    assert len(mail.outbox) == 2
    assert all("organisation account" not in message.body for message in mail.outbox)
