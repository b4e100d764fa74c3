"""The consensus record download: built by the task worker once per version of its data,
stored and served from storage; while it is built, a page that says so and checks again by
itself; when the build fails, a page that says so and can try again."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.models import Rating
from improvement_plans import reports
from improvement_plans.models import Document
from tests.documents.helpers import RecordTexts, database_tasks, record_round, run_worker
from tests.returns.helpers import pdf_text, url

BEING_PREPARED = "Your document is being prepared"
FAILED = "Sorry, there is a problem preparing your document"


@pytest.fixture
def record(cast, open_round):
    """An agreed round of two partners, for a small record that builds in about a second."""
    return record_round(
        open_round,
        cast,
        partners=2,
        texts=RecordTexts(rationale=lambda p, code: f"View {p} of change {code}"),
    )


@pytest.fixture
def renders(monkeypatch) -> list:
    """Each render of the record's PDF, as it happens."""
    made = []
    real = reports.consensus_record_pdf

    def counted(round_):
        made.append(round_.pk)
        return real(round_)

    monkeypatch.setattr(reports, "consensus_record_pdf", counted)
    return made


@pytest.mark.django_db
def test_it_is_built_once_and_served_from_storage(client, cast, record, renders):
    client.force_login(cast.member)
    first = client.get(url("consensus_record", record))
    second = client.get(url("consensus_record", record))
    assert first.status_code == second.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    assert first.content == second.content
    assert "View 1 of change 9" in pdf_text(first.content)
    assert len(renders) == 1
    document = Document.objects.get(round=record)
    assert document.kind == Document.Kind.CONSENSUS_RECORD
    assert document.status == Document.Status.READY
    assert bytes(document.content) == first.content and document.size == len(first.content)
    assert document.attempts == 1 and document.requested_by == cast.member


@pytest.mark.django_db
def test_a_change_to_the_data_makes_a_new_version_and_drops_the_old(client, cast, record, renders):
    client.force_login(cast.member)
    before = client.get(url("consensus_record", record)).content
    key = Document.objects.get(round=record).data_key
    Rating.objects.filter(round=record, partner=cast.partner, change__code="2").update(
        rationale="Corrected by the administrator"
    )
    after = client.get(url("consensus_record", record)).content
    assert after != before and "Corrected by the administrator" in pdf_text(after)
    assert len(renders) == 2
    assert list(Document.objects.filter(round=record).values_list("data_key", flat=True)) != [key]
    assert Document.objects.filter(round=record).count() == 1


@pytest.mark.django_db
def test_a_failed_build_says_so_and_trying_again_builds_it(client, cast, record, monkeypatch):
    def broken(round_):
        raise RuntimeError("the fonts went missing")

    monkeypatch.setattr(reports, "consensus_record_pdf", broken)
    client.force_login(cast.member)
    response = client.get(url("consensus_record", record))
    page = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert FAILED in page and ">Try again</button>" in page
    assert "Refresh" not in response  # nothing to wait for
    document = Document.objects.get(round=record)
    assert document.status == Document.Status.FAILED
    assert document.error == "RuntimeError: the fonts went missing"
    assert "fonts" not in page  # the detail is for the administrators

    monkeypatch.undo()
    retried = client.post(url("consensus_record", record))
    assert retried.status_code == 302 and retried["Location"] == url("consensus_record", record)
    response = client.get(url("consensus_record", record))
    assert response["Content-Type"] == "application/pdf"
    document.refresh_from_db()
    assert document.status == Document.Status.READY and document.attempts == 2


@pytest.mark.django_db
def test_a_build_stuck_past_the_workers_limit_can_be_tried_again(client, cast, record, settings):
    client.force_login(cast.member)
    with database_tasks():
        client.get(url("consensus_record", record))  # queued: no worker runs in this test
    stuck = timezone.now() - timedelta(seconds=settings.DOCUMENT_TIMEOUT_SECONDS + 1)
    Document.objects.filter(round=record).update(status=Document.Status.RUNNING, started_at=stuck)
    page = client.get(url("consensus_record", record)).content.decode()
    assert FAILED in page
    client.post(url("consensus_record", record))
    assert client.get(url("consensus_record", record))["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_outsiders_cannot_try_a_record_again(client, cast, record):
    client.force_login(cast.outsider)
    assert client.post(url("consensus_record", record)).status_code == 404
    assert not Document.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_with_a_worker_the_page_waits_checks_again_by_itself_then_downloads(client, cast, record):
    client.force_login(cast.member)
    with database_tasks():
        response = client.get(url("consensus_record", record))
        page = response.content.decode()
        assert response.status_code == 202
        assert BEING_PREPARED in page and "Queued" in page and "Next in the queue." in page
        assert response["Refresh"] == "3"  # reloads itself, with or without JavaScript
        assert "Stop checking automatically" in page
        assert "being prepared" in client.get(url("consensus_record", record)).content.decode()

        manual = client.get(url("consensus_record", record) + "?refresh=off")
        assert "Refresh" not in manual and "Check again" in manual.content.decode()

        document = Document.objects.get(round=record)
        assert document.status == Document.Status.QUEUED and document.task_id
        run_worker()
        response = client.get(url("consensus_record", record))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "View 0 of change 1" in pdf_text(response.content)
    document.refresh_from_db()
    assert document.status == Document.Status.READY and document.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_the_waiting_page_says_how_many_documents_are_ahead(client, cast, record):
    client.force_login(cast.facilitator)
    with database_tasks():
        client.get(url("return_draft_file", record, "pdf"))
        page = client.get(url("consensus_record", record)).content.decode()
        assert "1 document ahead of yours." in page
        run_worker()
        assert client.get(url("consensus_record", record))["Content-Type"] == "application/pdf"
