"""The BCF return's files: the draft's built once per version of the plan's data; an issued
return's built by the worker from its frozen data into its snapshot, with their checksums
recorded as they are built, and "being prepared" until then."""

import hashlib
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from assessments.models import AuditEvent
from improvement_plans import documents, reports, return_services
from improvement_plans.models import Document, IssuedReturn
from tests.documents.helpers import database_tasks, run_worker
from tests.improvement_plans.helpers import make_investment
from tests.returns.helpers import CONFIRM, issued_url, pdf_text, plan_round, url


@pytest.fixture
def plan(cast, frameworks):
    return plan_round(cast, frameworks["mtoc-2020"])


def sha256(content) -> str:
    return hashlib.sha256(bytes(content)).hexdigest()


@pytest.mark.django_db
def test_the_draft_is_built_once_per_version_of_the_plan(client, cast, plan):
    client.force_login(cast.facilitator)
    first = client.get(url("return_draft_file", plan, "pdf"))
    again = client.get(url("return_draft_file", plan, "pdf"))
    assert first["Content-Type"] == "application/pdf" and again.content == first.content
    assert first["Content-Disposition"].endswith('filename="testshire-202526-draft-return.pdf"')
    xlsx = client.get(url("return_draft_file", plan, "xlsx"))
    assert xlsx["Content-Disposition"].endswith('filename="testshire-202526-draft-return.xlsx"')
    documents = Document.objects.filter(round=plan, kind=Document.Kind.DRAFT_RETURN)
    assert sorted(documents.values_list("file_format", flat=True)) == ["pdf", "xlsx"]
    assert len(set(documents.values_list("data_key", flat=True))) == 1  # the same data

    make_investment(plan, scheme="Night sitting service", amount="750.00", codes=("2",))
    changed = client.get(url("return_draft_file", plan, "pdf"))
    assert "Night sitting service" in pdf_text(changed.content)
    assert "Night sitting service" not in pdf_text(first.content)
    assert documents.filter(file_format="pdf").count() == 1  # the older version is gone


@pytest.mark.django_db
def test_a_draft_file_type_that_does_not_exist_is_not_found(client, cast, plan):
    client.force_login(cast.facilitator)
    assert client.get(url("return_draft_file", plan, "odt")).status_code == 404
    assert not Document.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_issuing_queues_the_files_and_the_worker_builds_them_into_the_snapshot(client, cast, plan):
    client.force_login(cast.facilitator)
    with database_tasks():
        client.post(url("return_issue", plan), CONFIRM)
        issued = IssuedReturn.objects.get(round=plan)
        assert issued.version == 1 and issued.data["system"] == "Testshire"
        assert not issued.pdf and not issued.xlsx and not issued.docx and not issued.checksum
        assert "Being prepared" in client.get(url("return_page", plan)).content.decode()
        addresses = [
            issued_url(issued, "pdf"),
            issued_url(issued, "xlsx"),
            issued_url(issued, "docx"),
            url("return_pdf", plan),
        ]
        for address in addresses:
            response = client.get(address)
            assert response.status_code == 202, address
            assert "Your document is being prepared" in response.content.decode()
        event = AuditEvent.objects.get(round=plan, action="Issued BCF return version 1")
        assert event.actor == cast.facilitator and event.detail.startswith("data ")

        run_worker()

    issued.refresh_from_db()
    pdf, xlsx, docx = bytes(issued.pdf), bytes(issued.xlsx), bytes(issued.docx)
    assert pdf.startswith(b"%PDF") and xlsx.startswith(b"PK") and docx.startswith(b"PK")
    assert "Issued return, version 1" in pdf_text(pdf)
    assert issued.html and "Issued return, version 1" in issued.html
    data_json = json.dumps(issued.data, sort_keys=True)
    assert issued.checksum == reports.checksum(data_json, pdf, xlsx, docx)
    for document in Document.objects.filter(issued_return=issued):
        assert document.status == Document.Status.READY
        assert document.checksum == sha256(getattr(issued, document.file_format))
        assert document.size == len(getattr(issued, document.file_format))
        assert not document.content  # the file lives in the snapshot, not twice
    assert client.get(issued_url(issued, "pdf")).content == pdf
    assert client.get(issued_url(issued, "xlsx")).content == xlsx
    assert client.get(issued_url(issued, "docx")).content == docx
    assert client.get(url("return_pdf", plan)).content == pdf
    assert issued.checksum[:16] in client.get(url("return_page", plan)).content.decode()


@pytest.mark.django_db
def test_a_return_issued_with_its_files_is_served_as_stored(client, cast, plan):
    issued = IssuedReturn.objects.create(
        round=plan, version=1, data={}, html="", pdf=b"%PDF-as-issued", xlsx=b"PK", checksum="0"
    )
    client.force_login(cast.member)
    assert client.get(issued_url(issued, "pdf")).content == b"%PDF-as-issued"
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_an_issued_file_that_failed_to_build_can_be_tried_again(client, cast, plan, monkeypatch):
    def broken(html):
        raise OSError("disk full")

    monkeypatch.setattr(reports, "html_to_pdf", broken)
    client.force_login(cast.facilitator)
    client.post(url("return_issue", plan), CONFIRM)
    issued = IssuedReturn.objects.get(round=plan)
    assert not issued.pdf and issued.xlsx and not issued.checksum
    page = client.get(issued_url(issued, "pdf")).content.decode()
    assert "Sorry, there is a problem preparing your document" in page
    assert client.get(issued_url(issued, "xlsx"))["Content-Type"].endswith("spreadsheetml.sheet")

    monkeypatch.undo()
    client.post(issued_url(issued, "pdf"))
    response = client.get(issued_url(issued, "pdf"))
    assert response["Content-Type"] == "application/pdf"
    issued.refresh_from_db()
    assert response.content == bytes(issued.pdf)
    assert issued.checksum == reports.checksum(
        json.dumps(issued.data, sort_keys=True),
        bytes(issued.pdf),
        bytes(issued.xlsx),
        bytes(issued.docx),
    )


@pytest.mark.django_db
def test_people_who_read_the_plan_cannot_retry_a_draft(client, cast, plan):
    client.force_login(cast.member)
    assert client.post(url("return_draft_file", plan, "pdf")).status_code == 403
    client.force_login(cast.outsider)
    assert client.post(url("return_draft_file", plan, "pdf")).status_code == 404
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_exporting_an_issued_return_before_its_files_are_built_says_so(tmp_path, cast, plan):
    with database_tasks():
        return_services.return_issue(round_=plan, issued_by=cast.facilitator)
    output = tmp_path / "return.pdf"
    with pytest.raises(CommandError, match="Version 1 of the return is still being prepared"):
        call_command(
            "export_return", "--system", "testshire", "--round", "2025/26", "--format", "pdf",
            "--output", str(output), stdout=io.StringIO(),
        )  # fmt: skip
    assert not output.exists()


@pytest.mark.django_db
def test_building_a_file_an_issued_return_already_holds_leaves_it_as_issued(cast, plan):
    """A retried or crafted build of an issued file never replaces the one issued."""
    issued = IssuedReturn.objects.create(
        round=plan, version=1, data={}, html="", pdf=b"%PDF-as-issued", xlsx=b"PK", checksum="0"
    )
    document = Document.objects.create(
        round=plan,
        kind=Document.Kind.ISSUED_RETURN,
        file_format=Document.Format.PDF,
        data_key=documents.issued_data_key(issued),
        issued_return=issued,
        status=Document.Status.FAILED,
    )

    documents.document_retry(document=document)  # the task runs at once in tests

    issued.refresh_from_db()
    assert bytes(issued.pdf) == b"%PDF-as-issued"
    assert Document.objects.get(pk=document.pk).status == Document.Status.READY
