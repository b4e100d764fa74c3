"""Documents built by the task worker: the consensus record and the BCF return (draft and
issued, PDF, Excel and Word), each built once per version of the data it shows, stored, and served
from storage.

A download asks `document_request` for the document of the data as it is now. The request
gathers that data (a few queries, or the record's HTML: cheap) and names its version with a
SHA-256; rendering, the slow part, happens only in `build_document`. The first request for a
version creates its row and queues the task; later requests, and the page that waits for it,
find the same row (one row per version is a database constraint, so two requests at once never
build it twice).

A task is queued in the transaction of the row that asks for it: with the database backend the
worker sees both at the commit, or neither, so no build is lost between the commit and the
queue; with the immediate backend of `make run` and the tests, it runs at once.
"""

import hashlib
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django_tasks import task

from assessments.models import Round
from improvement_plans import reports
from improvement_plans.models import Document, IssuedReturn

logger = logging.getLogger(__name__)


def issued_return_name(round_: Round, version: int) -> str:
    """The name the files of version `version` of a round's issued return download under,
    without the extension: the system, round and version, as a slug (the download page and
    the API alike)."""
    return slugify(f"{round_.system.name} {round_.name} return-v{version}")


CONTENT_TYPES = {
    Document.Format.PDF: "application/pdf",
    Document.Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Document.Format.DOCX: (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
}
# The files of an issued return, all built from its snapshot once it is issued.
RETURN_FORMATS = (Document.Format.PDF, Document.Format.XLSX, Document.Format.DOCX)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _json(value) -> str:
    return json.dumps(value, sort_keys=True, cls=DjangoJSONEncoder)


def data_key(*, round_: Round, kind: str) -> str:
    """The version of the data a document of this round shows, as it is now: it changes exactly
    when the document would. The record is keyed on its HTML; the draft return on its data,
    less the time it was gathered."""
    if kind == Document.Kind.CONSENSUS_RECORD:
        return _sha256(reports.consensus_record_html(round_))
    if kind == Document.Kind.DRAFT_RETURN:
        data = reports.return_data(round_)
        data.pop("generated_at", None)
        return _sha256(_json(data))
    raise ValueError(f"an issued return's documents come from its snapshot, not {kind!r}")


def issued_data_key(issued: IssuedReturn) -> str:
    return _sha256(_json({"data": issued.data, "version": issued.version}))


def _enqueue(document: Document) -> None:
    result = build_document.enqueue(document.pk)
    Document.objects.filter(pk=document.pk, task_id="").update(task_id=result.id)


def _ensure_queued(document: Document) -> Document:
    """Queue the build of a document that has no task yet (just created, or its process stopped
    between creating the row and queueing), and return the row as it is now: with the immediate
    backend, built."""
    if document.status == Document.Status.QUEUED and not document.task_id:
        _enqueue(document)
        document = Document.objects.get(pk=document.pk)
    return document


def document_request(*, round_: Round, kind: str, fmt: str, requested_by) -> Document:
    """The document of `kind` and format `fmt` for the round's data as it is now: the stored
    one if this version was asked for before (ready, or still building, or failed), otherwise a
    new one, queued for the worker. Asking again is harmless: the same data, the same document.

    Earlier versions of the same document are deleted when a new one is made: only the latest
    is ever served.
    """
    key = data_key(round_=round_, kind=kind)
    with transaction.atomic():
        document, created = Document.objects.get_or_create(
            round=round_,
            kind=kind,
            file_format=fmt,
            data_key=key,
            defaults={"requested_by": requested_by},
        )
        if created:
            Document.objects.filter(round=round_, kind=kind, file_format=fmt).exclude(
                pk=document.pk
            ).delete()
    return _ensure_queued(document)


def issued_return_documents(*, issued: IssuedReturn, requested_by) -> list[Document]:
    """Queue the PDF, the workbook and the Word file of a return just issued; the task builds
    them from its frozen data into the snapshot. Called inside `return_issue`'s transaction."""
    key = issued_data_key(issued)
    # Every row first, then the builds: the checksum waits for each file that has a row (with
    # the immediate backend a build runs as it is queued).
    documents = [
        Document.objects.get_or_create(
            round_id=issued.round_id,
            kind=Document.Kind.ISSUED_RETURN,
            file_format=fmt,
            data_key=key,
            defaults={"issued_return": issued, "requested_by": requested_by},
        )[0]
        for fmt in RETURN_FORMATS
    ]
    return [_ensure_queued(document) for document in documents]


def issued_document(*, issued: IssuedReturn, fmt: str, requested_by) -> Document:
    """The document of an issued return's file: how its build went. A return issued before
    files were built in the background has none; one is made, to build the file if it is
    missing."""
    document = Document.objects.filter(issued_return=issued, file_format=fmt).first()
    if document is None:
        document, _ = Document.objects.get_or_create(
            round_id=issued.round_id,
            kind=Document.Kind.ISSUED_RETURN,
            file_format=fmt,
            data_key=issued_data_key(issued),
            defaults={"issued_return": issued, "requested_by": requested_by},
        )
    return _ensure_queued(document)


@transaction.atomic
def document_retry(*, document: Document) -> Document:
    """Queue again a document whose build failed, or that is stuck past the worker's limit."""
    locked = Document.objects.select_for_update().get(pk=document.pk)
    if locked.status == Document.Status.FAILED or locked.is_stuck():
        Document.objects.filter(pk=locked.pk).update(
            status=Document.Status.QUEUED, error="", task_id="", started_at=None, finished_at=None
        )
        locked.refresh_from_db()
        _enqueue(locked)
    return Document.objects.get(pk=locked.pk)


@dataclass(frozen=True)
class Progress:
    """What the waiting page says: how many documents are ahead in the queue, and how long the
    last document of this kind and format took to build (None if none has been built)."""

    ahead: int
    usual_seconds: int | None


def document_progress(document: Document) -> Progress:
    ahead = Document.objects.filter(
        status__in=[Document.Status.QUEUED, Document.Status.RUNNING],
        created_at__lt=document.created_at,
    ).count()
    last = (
        Document.objects.filter(
            kind=document.kind,
            file_format=document.file_format,
            status=Document.Status.READY,
            started_at__isnull=False,
            finished_at__isnull=False,
        )
        .order_by("-finished_at")
        .values_list("started_at", "finished_at")
        .first()
    )
    usual = None
    if last:
        usual = max(1, round((last[1] - last[0]).total_seconds()))
    return Progress(ahead=ahead, usual_seconds=usual)


# The worker's side.


def _issued_on(issued: IssuedReturn):
    return timezone.localdate(issued.issued_at)


def _issued_html(issued: IssuedReturn) -> str:
    return reports.return_html(issued.data, version=issued.version, issued_on=_issued_on(issued))


def _build(document: Document) -> tuple[bytes, str]:
    """The file, and for an issued return's PDF the HTML it was rendered from."""
    round_ = document.round
    if document.kind == Document.Kind.CONSENSUS_RECORD:
        return reports.consensus_record_pdf(round_), ""
    if document.kind == Document.Kind.DRAFT_RETURN:
        data = reports.return_data(round_)
        if document.file_format == Document.Format.PDF:
            return reports.html_to_pdf(reports.return_html(data)), ""
        if document.file_format == Document.Format.DOCX:
            return reports.return_docx(data), ""
        return reports.return_xlsx(data), ""
    issued = document.issued_return
    issued_on = _issued_on(issued)
    if document.file_format == Document.Format.PDF:
        html = _issued_html(issued)
        return reports.html_to_pdf(html), html
    if document.file_format == Document.Format.DOCX:
        return reports.return_docx(issued.data, version=issued.version, issued_on=issued_on), ""
    return reports.return_xlsx(issued.data, version=issued.version, issued_on=issued_on), ""


def _store_in_snapshot(document: Document, content: bytes, html: str) -> None:
    """Put an issued return's file in its snapshot; once its files are there, its checksum (of
    the PDF, workbook and Word file; a return issued before Word files has its checksum of the
    other two already, and keeps it). A file already stored stays as it was issued (the
    database refuses to replace it too)."""
    issued = IssuedReturn.objects.select_for_update().get(pk=document.issued_return_id)
    if getattr(issued, document.file_format):
        return
    setattr(issued, document.file_format, content)
    fields = [document.file_format]
    if html and not issued.html:
        issued.html = html
        fields.append("html")
    # A return issued before Word files has no Word document queued: its checksum needs none.
    docx_to_come = (
        not issued.docx
        and Document.objects.filter(issued_return=issued, file_format=Document.Format.DOCX)
        .exclude(pk=document.pk)
        .exists()
    )
    if issued.pdf and issued.xlsx and not docx_to_come and not issued.checksum:
        issued.checksum = reports.checksum(
            json.dumps(issued.data, sort_keys=True),
            bytes(issued.pdf),
            bytes(issued.xlsx),
            bytes(issued.docx),
        )
        fields.append("checksum")
    issued.save(update_fields=fields)


@task()
def build_document(document_id: int) -> str:
    """Build one queued document and store it. A document already built, being built, or
    deleted meanwhile (a newer version replaced it) is left alone. A failure is recorded on the
    document, for its page to offer "try again", and raised, for the task's own record."""
    now = timezone.now()
    claimed = Document.objects.filter(pk=document_id, status=Document.Status.QUEUED).update(
        status=Document.Status.RUNNING,
        started_at=now,
        finished_at=None,
        error="",
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return "nothing to build"
    document = Document.objects.select_related("round__system", "issued_return").get(pk=document_id)
    # Only this attempt may finish it: a retry after a stuck build makes a new attempt.
    mine = Document.objects.filter(
        pk=document_id, status=Document.Status.RUNNING, attempts=document.attempts
    )
    stored_file = document.issued_return and getattr(document.issued_return, document.file_format)
    try:
        # An issued file already stored is never built again: it stays as it was issued.
        content, html = (bytes(stored_file), "") if stored_file else _build(document)
    except Exception as error:
        logger.exception("Building %s (%s) failed", document, document.public_id)
        mine.update(
            status=Document.Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    with transaction.atomic():
        stored = mine.update(
            status=Document.Status.READY,
            # An issued return's file lives in its snapshot; the row keeps how the build went.
            content=b"" if document.issued_return_id else content,
            size=len(content),
            checksum=hashlib.sha256(content).hexdigest(),
            finished_at=timezone.now(),
        )
        if stored and document.issued_return_id:
            _store_in_snapshot(document, content, html)
    if not stored:
        return "superseded by a later attempt"
    seconds = (timezone.now() - now).total_seconds()
    if seconds > settings.DOCUMENT_TIMEOUT_SECONDS:
        logger.warning("%s took %.0f s, past DOCUMENT_TIMEOUT_SECONDS", document, seconds)
    return f"built {len(content)} bytes in {seconds:.1f} s"
