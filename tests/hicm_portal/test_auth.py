import re

import pytest
from django.core import mail

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_a_person_logs_in_with_their_email_address_in_any_case(client, cast):
    response = client.post(
        "/accounts/login/", {"username": "Member@Test.Example", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_wrong_password_gets_a_gov_uk_style_error(client, cast):
    response = client.post(
        "/accounts/login/", {"username": "member@test.example", "password": "wrong"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a correct email address and password" in page
    assert "<title>Error: Log in" in page


def test_an_empty_login_form_names_each_missing_field(client, db):
    response = client.post("/accounts/login/", {})
    errors = response.context["form"].errors
    assert errors["username"] == ["Enter your email address"]
    assert errors["password"] == ["Enter your password"]


def test_repeated_failures_lock_the_account_out_with_a_clear_message(client, cast, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        address = "MEMBER@test.example" if attempt % 2 else "member@test.example"
        client.post("/accounts/login/", {"username": address, "password": "nope"})
    response = client.post(
        "/accounts/login/", {"username": "member@test.example", "password": TEST_PASSWORD}
    )
    assert response.status_code == 429
    assert "Too many attempts to log in" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logging_out_is_a_post(client, cast):
    client.force_login(cast.member)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_a_password_reset_sends_a_single_use_link(client, cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": "member@test.example"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body)[1]
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    new_password = "another-long-passphrase"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    cast.member.refresh_from_db()
    assert cast.member.check_password(new_password)
    assert "This link does not work" in client.get(link, follow=True).content.decode()


def test_a_password_reset_for_an_unknown_address_reveals_nothing(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "nobody@nowhere.example"})
    assert response.status_code == 302
    assert len(mail.outbox) == 0


def test_changing_a_password_needs_the_current_one(client, cast):
    client.force_login(cast.member)
    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": "wrong",
            "new_password1": "x-long-passphrase",
            "new_password2": "x-long-passphrase",
        },
    )
    assert response.context["form"].has_error("old_password", "password_incorrect")
