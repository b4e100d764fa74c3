"""`improvement_plans.documents`: one document per version of its data (a database
constraint), its build queued once and in the same transaction as its row, and a build that
is no longer wanted left alone."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from improvement_plans import documents
from improvement_plans.models import Document, IssuedReturn
from tests.documents.helpers import RecordTexts, database_tasks, record_round

pytestmark = pytest.mark.django_db

KEY = "0" * 64


@pytest.fixture
def record(cast, open_round):
    return record_round(
        open_round, cast, partners=2, texts=RecordTexts(rationale=lambda p, code: "Seen")
    )


def request_record(round_, person) -> Document:
    return documents.document_request(
        round_=round_, kind=Document.Kind.CONSENSUS_RECORD, fmt="pdf", requested_by=person
    )


def test_the_database_allows_one_document_per_version_of_its_data(record):
    Document.objects.create(round=record, kind="consensus_record", file_format="pdf", data_key=KEY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(
            round=record, kind="consensus_record", file_format="pdf", data_key=KEY
        )


def test_a_document_of_an_issued_return_must_name_it_and_no_other_may(record):
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(round=record, kind="issued_return", file_format="pdf", data_key=KEY)
    issued = IssuedReturn.objects.create(
        round=record, version=1, data={}, html="", pdf=b"", xlsx=b"", checksum=""
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(
            round=record,
            kind="consensus_record",
            file_format="pdf",
            data_key=KEY,
            issued_return=issued,
        )


def test_asking_twice_queues_one_build(cast, record):
    with database_tasks():
        first = request_record(record, cast.member)
        second = request_record(record, cast.other_member)
    assert first.pk == second.pk and second.requested_by == cast.member
    assert first.status == Document.Status.QUEUED
    builds = DBTaskResult.objects.filter(task_path="improvement_plans.documents.build_document")
    assert [str(build.id) for build in builds] == [first.task_id]


def test_a_build_is_queued_in_the_transaction_of_its_row(cast, record):
    issued = IssuedReturn.objects.create(
        round=record, version=1, data={}, html="", pdf=b"", xlsx=b"", checksum=""
    )
    with database_tasks():
        with pytest.raises(RuntimeError), transaction.atomic():
            documents.issued_return_documents(issued=issued, requested_by=cast.facilitator)
            assert DBTaskResult.objects.count() == 3  # the PDF, the workbook and the Word file
            raise RuntimeError("the issue is rolled back")
        assert not Document.objects.exists() and not DBTaskResult.objects.exists()


def test_a_document_left_without_a_task_is_queued_when_next_asked_for(cast, record):
    with database_tasks():
        document = request_record(record, cast.member)
        Document.objects.filter(pk=document.pk).update(task_id="")
        DBTaskResult.objects.all().delete()  # its process stopped before queueing
        again = request_record(record, cast.member)
    assert again.pk == document.pk and again.task_id
    assert DBTaskResult.objects.count() == 1


def test_a_build_of_a_document_built_or_gone_does_nothing(cast, record):
    with database_tasks():
        document = request_record(record, cast.member)
    Document.objects.filter(pk=document.pk).update(status=Document.Status.READY)
    assert documents.build_document.call(document.pk) == "nothing to build"
    Document.objects.filter(pk=document.pk).delete()
    assert documents.build_document.call(document.pk) == "nothing to build"


def test_an_attempt_overtaken_by_a_retry_does_not_store_its_file(cast, record, monkeypatch):
    with database_tasks():
        document = request_record(record, cast.member)

    def overtaken(document):
        # Meanwhile the build was given up as stuck and tried again.
        Document.objects.filter(pk=document.pk).update(attempts=document.attempts + 1)
        return b"%PDF-late", ""

    monkeypatch.setattr(documents, "_build", overtaken)
    assert documents.build_document.call(document.pk) == "superseded by a later attempt"
    document.refresh_from_db()
    assert document.status == Document.Status.RUNNING and not document.content


def test_progress_counts_the_documents_ahead_and_the_last_build_time(cast, record):
    now = timezone.now()
    Document.objects.create(
        round=record,
        kind="consensus_record",
        file_format="pdf",
        data_key="1" * 64,
        status=Document.Status.READY,
        started_at=now - timedelta(seconds=20),
        finished_at=now - timedelta(seconds=8),
        created_at=now - timedelta(seconds=30),
    )
    ahead = Document.objects.create(
        round=record,
        kind="draft_return",
        file_format="pdf",
        data_key="2" * 64,
        created_at=now - timedelta(seconds=5),
    )
    mine = Document.objects.create(
        round=record, kind="consensus_record", file_format="pdf", data_key=KEY, created_at=now
    )
    assert documents.document_progress(mine) == documents.Progress(ahead=1, usual_seconds=12)
    assert documents.document_progress(ahead) == documents.Progress(ahead=0, usual_seconds=None)
