"""What the region and national pages need of the national data: a national viewer, and an
issued return (with its stored PDF) for each system of the regions measured, for the zip.

Seeded last, after every system, so the random choices of the rest of the data stay as they
were. Only the regions the zip is measured on have issued returns (those of the first and the
last national system, about 17 systems each at full size, and the reference system's):
rendering a return's files takes about a second a system.
"""

import json

from django.utils import timezone

from assessments.models import NationalViewer, Region, Round
from benchmarks.national.context import Context, User, make_user
from improvement_plans import reports
from improvement_plans.models import IssuedReturn


def seed_national_viewer(context: Context) -> None:
    viewer = context.bulk(User, [make_user(context, "national-viewer")])[0]
    context.bulk(NationalViewer, [NationalViewer(user=viewer, created_at=context.now)])


def seed_issued_returns(context: Context, region: Region) -> None:
    """Version 1 of the return of each of the region's systems' latest agreed round, issued
    as `return_issue` and the task worker make it: the data frozen, its PDF, workbook and
    Word file rendered from that data, and their checksum."""
    latest: dict[int, Round] = {}
    agreed = Round.objects.filter(system__region=region, status=Round.Status.AGREED)
    for round_ in agreed.order_by("system_id", "agreed_at"):
        latest[round_.system_id] = round_
    issued = []
    issued_on = timezone.localdate(context.now)
    for round_ in latest.values():
        data = reports.return_data(round_)
        html = reports.return_html(data, version=1, issued_on=issued_on)
        pdf = reports.html_to_pdf(html)
        xlsx = reports.return_xlsx(data, version=1, issued_on=issued_on)
        docx = reports.return_docx(data, version=1, issued_on=issued_on)
        issued.append(
            IssuedReturn(
                public_id=context.uuid(),
                round=round_,
                version=1,
                data=data,
                html=html,
                pdf=pdf,
                xlsx=xlsx,
                docx=docx,
                checksum=reports.checksum(json.dumps(data, sort_keys=True), pdf, xlsx, docx),
                issued_at=context.now,
            )
        )
    context.bulk(IssuedReturn, issued)
