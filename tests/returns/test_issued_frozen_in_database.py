"""An issued return is frozen by the database too (issue 12, "refused ... by the database where
it can"): a write that goes round the services cannot change its snapshot, while the worker
still fills in its files once (improvement_plans migration 0004)."""

import pytest
from django.db import IntegrityError, transaction

from improvement_plans import return_services
from improvement_plans.models import IssuedReturn
from tests.documents.helpers import database_tasks

pytestmark = pytest.mark.django_db


def refused(rows, **fields) -> bool:
    try:
        with transaction.atomic():
            rows.update(**fields)
    except IntegrityError:
        return True
    return False


@pytest.fixture
def issued(cast, plan) -> IssuedReturn:
    return return_services.return_issue(round_=plan, issued_by=cast.facilitator)


@pytest.mark.parametrize(
    "fields",
    [
        {"data": {"narrative": "Rewritten after issue"}},
        {"version": 9},
        {"pdf": b"%PDF-forged"},
        {"xlsx": b"PK-forged"},
        {"html": "<p>Forged</p>"},
        {"checksum": "0" * 64},
    ],
)
def test_an_issued_returns_snapshot_cannot_be_changed_past_the_services(issued, fields):
    assert issued.pdf and issued.xlsx and issued.checksum  # built at once in the tests
    rows = IssuedReturn.objects.filter(pk=issued.pk)
    before = rows.values().get()
    assert refused(rows, **fields)
    assert rows.values().get() == before


def test_who_issued_it_may_be_emptied_but_not_changed(cast, issued):
    rows = IssuedReturn.objects.filter(pk=issued.pk)
    assert refused(rows, issued_by=cast.steering)
    rows.update(issued_by=None)  # what deleting the person does
    assert rows.get().issued_by is None


def test_a_file_is_filled_in_once_and_never_replaced(cast, plan):
    """As the worker stores each file it builds (`documents._store_in_snapshot`; the worker
    itself is in tests/documents/test_return_documents.py)."""
    with database_tasks():  # queued, not built
        issued = return_services.return_issue(round_=plan, issued_by=cast.facilitator)
    rows = IssuedReturn.objects.filter(pk=issued.pk)
    assert not issued.pdf and not issued.checksum
    rows.update(pdf=b"%PDF-built", html="<p>Built</p>")
    rows.update(xlsx=b"PK-built", checksum="1" * 64)
    assert refused(rows, pdf=b"%PDF-built-again")
    assert refused(rows, checksum="2" * 64)
    assert bytes(rows.get().pdf) == b"%PDF-built"
