"""Who may use the framework library: site administrators; anyone else signed in is refused
(403), and an anonymous visitor is sent to log in."""

import pytest
from django.urls import reverse

from assessments.models import Framework

PAGES = [
    ("get", "library", []),
    ("get", "library_template", []),
    ("get", "library_upload", []),
    ("post", "library_upload", []),
    ("post", "library_upload_confirm", []),
    ("get", "library_download", ["mtoc-2020", "xlsx"]),
    ("get", "library_download", ["mtoc-2020", "yaml"]),
]


@pytest.mark.parametrize(("method", "name", "args"), PAGES)
def test_an_anonymous_visitor_is_sent_to_log_in(client, frameworks, method, name, args):
    response = getattr(client, method)(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("method", "name", "args"), PAGES)
@pytest.mark.parametrize("who", ["member", "facilitator", "viewer"])
def test_people_who_are_not_site_administrators_are_refused(
    client, cast, frameworks, method, name, args, who
):
    client.force_login(getattr(cast, who))
    response = getattr(client, method)(reverse(name, args=args))
    assert response.status_code == 403


def test_a_site_administrator_sees_every_framework_with_its_downloads(client, cast, frameworks):
    client.force_login(cast.admin)
    page = client.get(reverse("library")).content.decode()
    for framework in Framework.objects.all():
        assert reverse("library_download", args=[framework.key, "xlsx"]) in page
        assert reverse("library_download", args=[framework.key, "yaml"]) in page
    assert reverse("library_template") in page
    assert reverse("library_upload") in page


def test_an_unknown_framework_or_file_type_is_not_found(client, cast, frameworks):
    client.force_login(cast.admin)
    assert client.get(reverse("library_download", args=["nope", "xlsx"])).status_code == 404
    assert client.get(reverse("library_download", args=["mtoc-2020", "pdf"])).status_code == 404


def test_the_admin_index_links_to_the_library(client, cast):
    client.force_login(cast.admin)
    assert reverse("library") in client.get(reverse("admin:index")).content.decode()


def test_the_library_page_costs_the_same_few_queries_however_many_frameworks(
    client, cast, frameworks, django_assert_max_num_queries
):
    client.force_login(cast.admin)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("library")).status_code == 200
