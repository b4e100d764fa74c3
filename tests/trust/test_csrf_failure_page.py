"""Issue 12, fault 10c: a form sent without a valid CSRF token gets a GOV.UK page, not Django's
unstyled "CSRF verification failed", saying in plain words that the form had expired and to go
back and try again (status 403)."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def strict_client() -> Client:
    return Client(enforce_csrf_checks=True)


def assert_expired_page(response) -> None:
    assert response.status_code == 403
    page = response.content.decode()
    assert "<title>The form had expired" in page
    assert '<h1 class="govuk-heading-l">The form had expired</h1>' in page
    assert "Go back to the page, refresh it and try again." in page
    assert "govuk-template__header" in page  # the portal's own layout
    assert "CSRF" not in page


def test_a_form_sent_without_a_token_gets_the_expired_page(strict_client, cast):
    strict_client.force_login(cast.member)
    response = strict_client.post("/accounts/password/change/", {"old_password": "x"})
    assert_expired_page(response)


def test_a_form_sent_with_a_stale_token_gets_the_expired_page(strict_client, cast):
    strict_client.get("/accounts/login/")
    response = strict_client.post(
        "/accounts/login/",
        {"username": "member@test.example", "password": "x", "csrfmiddlewaretoken": "stale" * 8},
    )
    assert_expired_page(response)


def test_a_form_sent_with_its_token_still_works(strict_client, cast):
    page = strict_client.get("/accounts/login/")
    token = page.cookies["csrftoken"].value
    response = strict_client.post(
        "/accounts/login/",
        {"username": "nobody@nowhere.example", "password": "x", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 200  # the login form again, with its error
