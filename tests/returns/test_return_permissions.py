"""Who may see, draft, issue and download a round's BCF return.

Facilitators draft, preview and issue; steering committee members, partner members and the
region's regional viewers download issued returns and read the return page; people outside
the system get 404; nothing of the return exists before the round is agreed.
"""

import pytest
from django.core.exceptions import PermissionDenied

from assessments.models import Round
from improvement_plans import return_services
from improvement_plans.models import IssuedReturn
from tests.returns.helpers import CONFIRM, issued_url, plan_round, url

pytestmark = pytest.mark.django_db

READERS = ["steering", "member", "other_member", "viewer"]
STRANGERS = ["outsider", "nobody"]


@pytest.fixture
def issued(cast, plan) -> IssuedReturn:
    return return_services.return_issue(round_=plan, issued_by=cast.facilitator)


def draft_urls(round_) -> list[str]:
    return [
        url("return_preview", round_),
        url("return_draft_file", round_, "pdf"),
        url("return_draft_file", round_, "xlsx"),
        url("return_draft_file", round_, "docx"),
    ]


def test_the_facilitator_drafts_previews_downloads_drafts_and_issues(client, cast, issued):
    plan = issued.round
    client.force_login(cast.facilitator)
    page = client.get(url("return_page", plan))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Draft downloads" in html and "Issue the return as version 2" in html
    assert client.get(url("return_preview", plan)).status_code == 200
    pdf = client.get(url("return_draft_file", plan, "pdf"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == 'attachment; filename="testshire-202526-draft-return.pdf"'
    xlsx = client.get(url("return_draft_file", plan, "xlsx"))
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert xlsx["Content-Disposition"].endswith('filename="testshire-202526-draft-return.xlsx"')
    docx = client.get(url("return_draft_file", plan, "docx"))
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    assert docx["Content-Disposition"].endswith('filename="testshire-202526-draft-return.docx"')
    assert client.get(url("return_draft_file", plan, "odt")).status_code == 404
    saved = client.post(
        url("return_page", plan),
        {
            "performance_issues": "Weekend discharges",
            "changes_to_embed": "Home first",
            "anticipated_improvements": "Fewer delays",
        },
    )
    assert saved.status_code == 302
    assert client.post(url("return_issue", plan), CONFIRM).status_code == 302
    assert IssuedReturn.objects.filter(round=plan).count() == 2
    for file_format in ("pdf", "xlsx", "docx"):
        assert client.get(issued_url(issued, file_format)).status_code == 200
    assert client.get(url("return_pdf", plan)).status_code == 200


def test_the_issue_page_asks_to_confirm_and_a_get_issues_nothing(client, cast, plan):
    client.force_login(cast.facilitator)
    assert client.get(url("return_issue", plan)).status_code == 200
    assert not IssuedReturn.objects.filter(round=plan).exists()


@pytest.mark.parametrize("role", READERS)
def test_readers_download_issued_returns_but_never_see_the_draft(client, cast, issued, role):
    plan = issued.round
    client.force_login(cast.roles()[role])
    page = client.get(url("return_page", plan))
    assert page.status_code == 200
    html = page.content.decode()
    for file_format in ("pdf", "xlsx", "docx"):
        assert issued_url(issued, file_format) in html
    for hidden in ("Draft downloads", "Issue the return", url("return_preview", plan)):
        assert hidden not in html
    pdf = client.get(issued_url(issued, "pdf"))
    xlsx = client.get(issued_url(issued, "xlsx"))
    assert pdf.status_code == xlsx.status_code == 200
    assert pdf.content == bytes(issued.pdf) and xlsx.content == bytes(issued.xlsx)
    assert client.get(url("return_pdf", plan)).content == bytes(issued.pdf)
    docx = client.get(issued_url(issued, "docx"))
    assert docx.status_code == 200 and docx.content == bytes(issued.docx)
    assert client.get(issued_url(issued, "odt")).status_code == 404
    for address in draft_urls(plan):
        assert client.get(address).status_code == 403, address
    assert client.post(url("return_issue", plan), CONFIRM).status_code == 403
    assert client.post(url("return_page", plan), {"performance_issues": "x"}).status_code == 403
    assert IssuedReturn.objects.filter(round=plan).count() == 1


@pytest.mark.parametrize("role", STRANGERS)
def test_people_outside_the_system_get_404_everywhere(client, cast, issued, role):
    plan = issued.round
    client.force_login(cast.roles()[role])
    addresses = [
        url("return_page", plan),
        url("return_pdf", plan),
        issued_url(issued, "pdf"),
        issued_url(issued, "xlsx"),
        issued_url(issued, "docx"),
        *draft_urls(plan),
    ]
    for address in addresses:
        assert client.get(address).status_code == 404, address
    assert client.post(url("return_issue", plan), CONFIRM).status_code == 404
    assert IssuedReturn.objects.filter(round=plan).count() == 1


def test_anonymous_people_are_sent_to_log_in(client, issued):
    response = client.get(issued_url(issued, "pdf"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_latest_pdf_link_is_404_until_a_return_is_issued(client, cast, plan):
    client.force_login(cast.facilitator)
    assert client.get(url("return_pdf", plan)).status_code == 404


@pytest.fixture
def in_approval(cast, frameworks) -> Round:
    round_ = plan_round(cast, frameworks["mtoc-2020"], name="2026/27")
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.APPROVAL, agreed_at=None)
    round_.refresh_from_db()
    return round_


@pytest.mark.parametrize("role", ["facilitator", *READERS])
def test_a_round_not_yet_agreed_has_no_return(client, cast, in_approval, role):
    client.force_login(cast.roles()[role])
    assert client.get(url("return_page", in_approval)).status_code == 403
    assert client.get(url("return_pdf", in_approval)).status_code == 403
    for address in draft_urls(in_approval):
        assert client.get(address).status_code == 403, address
    assert client.post(url("return_issue", in_approval), CONFIRM).status_code == 403
    assert not IssuedReturn.objects.filter(round=in_approval).exists()


def test_the_service_refuses_to_issue_a_round_not_yet_agreed(cast, in_approval):
    with pytest.raises(PermissionDenied):
        return_services.return_issue(round_=in_approval, issued_by=cast.facilitator)
    with pytest.raises(PermissionDenied):
        return_services.narrative_save(round_=in_approval, saved_by=cast.facilitator)
    assert not IssuedReturn.objects.filter(round=in_approval).exists()


def test_the_service_refuses_anyone_but_a_facilitator(cast, plan):
    for role in ("steering", "member", "viewer", "outsider"):
        with pytest.raises(PermissionDenied):
            return_services.return_issue(round_=plan, issued_by=cast.roles()[role])
    assert not IssuedReturn.objects.filter(round=plan).exists()
