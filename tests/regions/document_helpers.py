"""Builders for the tests of a region's downloads (no tests of their own).

- `record_round`: an agreed round recorded afterwards (through the service), with the same
  level agreed and planned for each change given.
- `stored_return`: an issued return whose PDF is already in its snapshot, with bytes the test
  chooses (a zip must carry them byte for byte); `unbuilt_return`: one whose PDF the worker
  has not built yet.
- `zip_of`, `zip_index`: a streamed zip response read back.
"""

import csv
import hashlib
import io
import zipfile
from datetime import date, datetime, time

from django.urls import reverse
from django.utils import timezone

from assessments.history_services import round_record_afterwards
from assessments.models import Framework, NationalViewer, Round, System
from improvement_plans.models import Document, IssuedReturn
from regions.forms import Filters
from tests.factories import SystemFactory, UserFactory
from tests.history.helpers import recorded_levels


def record_round(
    system: System, framework: Framework, *, actor, name: str, agreed_on: date, levels: dict
) -> Round:
    """`levels`: change code -> level number, agreed (and planned) in the round."""
    return round_record_afterwards(
        actor=actor,
        system=system,
        framework=framework,
        name=name,
        agreed_on=agreed_on,
        approval_note="Health and Wellbeing Board",
        levels=recorded_levels(framework, {code: (n, n) for code, n in levels.items()}),
    )


def _issued_at(on: date) -> datetime:
    return timezone.make_aware(datetime.combine(on, time(10)))


def stored_return(round_: Round, *, version: int = 1, on: date | None = None) -> IssuedReturn:
    """An issued return of `round_` with its PDF stored: bytes unique to it."""
    pdf = f"%PDF-1.7 {round_.system} {round_.name} v{version}\n".encode() + bytes(range(256))
    return IssuedReturn.objects.create(
        round=round_,
        version=version,
        data={"system": str(round_.system), "round": round_.name},
        html="<p>return</p>",
        pdf=pdf,
        xlsx=b"workbook",
        checksum=hashlib.sha256(pdf).hexdigest(),
        issued_at=_issued_at(on or timezone.localdate()),
    )


def unbuilt_return(round_: Round, *, status: str = Document.Status.QUEUED) -> IssuedReturn:
    """An issued return whose PDF is still to be built, its build `status` as given."""
    issued = IssuedReturn.objects.create(
        round=round_, version=1, data={}, html="", pdf=b"", xlsx=b"", checksum=""
    )
    Document.objects.create(
        round=round_,
        issued_return=issued,
        kind=Document.Kind.ISSUED_RETURN,
        file_format=Document.Format.PDF,
        data_key="0" * 64,
        status=status,
        task_id="queued-task",
    )
    return issued


def filters_of(framework: Framework, **fields) -> Filters:
    """The region pages' filters: `framework` as of today unless `fields` say otherwise."""
    return Filters(
        **{"framework": framework, "as_of": None, "period": "", "state": "", "crosswalk": False}
        | fields
    )


def national_viewer():
    user = UserFactory(email="national@test.example", full_name="Nat National")
    NationalViewer.objects.create(user=user)
    return user


def system_in(region, name: str) -> System:
    return SystemFactory(region=region, name=name, slug=name.lower().replace(" ", "-"))


def zip_url(region) -> str:
    return reverse("region_returns_zip", args=[region.slug])


def report_url(region) -> str:
    return reverse("region_report", args=[region.slug])


def zip_of(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def zip_index(archive: zipfile.ZipFile) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read("index.csv").decode())))
