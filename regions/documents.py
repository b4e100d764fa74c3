"""A region's downloads: its systems' latest issued returns as one zip, and the region report
PDF for a regional board.

Both are made in the request, not by the task worker: `improvement_plans.models.Document`
belongs to one round (its `round` is required, and a region's document has none), so it
cannot hold a region's file without a schema change.

- The zip costs little: every PDF in it is the one stored in its return's snapshot when it was
  issued (`IssuedReturn.pdf`), copied byte for byte, never rendered here. It is streamed, a
  few PDFs at a time, so a national-size region never sits in memory whole. A return whose
  PDF the worker has not built yet is named in the index as such; it is not built here.
- The report PDF is rendered by WeasyPrint in the request: for a region of 17 systems with 8
  agreed rounds each, about 0.7 s (README, "Region downloads").
"""

import hashlib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

import tablib
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from assessments.models import Region
from assessments.statistics import established_level
from hicm_portal.charts import stacked_bars
from hicm_portal.jinja_env import render_html
from hicm_portal.spreadsheets import dataset_csv
from hicm_portal.words import govuk_date
from improvement_plans.models import Document, IssuedReturn
from improvement_plans.pdf import html_to_pdf
from regions.forms import Filters
from regions.selectors import latest_issued_returns, levels_map

# How many stored PDFs are read from the database at a time while the zip streams.
PDFS_PER_READ = 4

NO_RETURN = "No return issued"
INCLUDED = "Included"
BEING_BUILT = "PDF not built yet: being built, not in this zip"
BUILD_FAILED = "PDF not built yet: its build failed, not in this zip"
NOT_BUILT = "PDF not built yet: not in this zip"
INDEX_HEADERS = [
    "system",
    "round",
    "version",
    "issued",
    "sha256",
    "file",
    "status",
    "recorded_afterwards",
]


@dataclass(frozen=True)
class RegionReturn:
    """One system of the region and its latest issued return, if it has one."""

    system: str
    issued_id: int | None = None
    round_name: str = ""
    recorded_afterwards: bool = False
    version: int | None = None
    issued_at: datetime | None = None
    file_name: str = ""
    status: str = NO_RETURN

    @property
    def in_zip(self) -> bool:
        return self.status == INCLUDED

    @property
    def issued_on(self) -> date | None:
        return timezone.localdate(self.issued_at) if self.issued_at else None


def return_file_name(system: str, round_name: str, version: int) -> str:
    """An issued return's PDF named as its own download names it."""
    return f"{slugify(f'{system} {round_name} return-v{version}')}.pdf"


def _pending_status(issued_ids: list[int]) -> dict[int, str]:
    """What the index says of returns whose PDF is not in their snapshot yet, from how their
    builds are going (one query)."""
    if not issued_ids:
        return {}
    status = {}
    for issued_id, build in Document.objects.filter(
        issued_return_id__in=issued_ids, file_format=Document.Format.PDF
    ).values_list("issued_return_id", "status"):
        if build == Document.Status.FAILED:
            status[issued_id] = BUILD_FAILED
        elif build in (Document.Status.QUEUED, Document.Status.RUNNING):
            status[issued_id] = BEING_BUILT
    return status


def region_latest_returns(systems: QuerySet) -> list[RegionReturn]:
    """Each of `systems` (a region's, as its viewer reads them: `regions.selectors.systems_read`)
    with its latest issued return (`regions.selectors.latest_issued_returns`, which the region
    page reads too). Two queries, three when some PDF is still being built, whatever the number
    of systems and rounds."""
    named = list(systems.order_by("name").values_list("pk", "name"))
    latest = latest_issued_returns([pk for pk, _name in named])
    pending = _pending_status([row["pk"] for row in latest.values() if not row["pdf_size"]])
    entries = []
    for system_id, name in named:
        row = latest.get(system_id)
        if row is None:
            entries.append(RegionReturn(system=name))
            continue
        entries.append(
            RegionReturn(
                system=name,
                issued_id=row["pk"],
                round_name=row["round__name"],
                recorded_afterwards=row["round__recorded_afterwards"],
                version=row["version"],
                issued_at=row["issued_at"],
                file_name=return_file_name(name, row["round__name"], row["version"]),
                status=INCLUDED if row["pdf_size"] else pending.get(row["pk"], NOT_BUILT),
            )
        )
    return entries


def returns_zip_name(region: Region, today: date | None = None) -> str:
    return f"{region.slug}-latest-returns-{(today or timezone.localdate()).isoformat()}.zip"


class _Sink:
    """Where the zip writes: it keeps what is written until the stream takes it. It can tell
    its position but not seek, so `zipfile` writes each entry's sizes after its data."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._position = 0

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def _zip_time(moment: datetime | None) -> tuple:
    local = timezone.localtime(moment or timezone.now())
    return (local.year, local.month, local.day, local.hour, local.minute, local.second)


def index_csv(entries: list[RegionReturn], checksums: dict[int, str]) -> str:
    """The index as CSV, through the portal's formula-safe writer: one row per system, dates
    as ISO dates (2026-03-31) for sorting and reading by machine."""
    dataset = tablib.Dataset(headers=INDEX_HEADERS)
    for entry in entries:
        dataset.append(
            [
                entry.system,
                entry.round_name,
                entry.version or "",
                entry.issued_on.isoformat() if entry.issued_on else "",
                checksums.get(entry.issued_id, ""),
                entry.file_name if entry.in_zip else "",
                entry.status,
                ("yes" if entry.recorded_afterwards else "no") if entry.issued_id else "",
            ]
        )
    return dataset_csv(dataset)


def index_text(
    region: Region, entries: list[RegionReturn], checksums: dict[int, str], made_at: datetime
) -> str:
    """The index for people: what the zip holds, and which systems have no PDF in it."""
    included = [entry for entry in entries if entry.in_zip]
    lines = [
        f"{region.name}: the latest issued BCF return of each system",
        f"Made on {govuk_date(made_at)}. {len(included)} of {len(entries)} systems have a "
        "return PDF in this zip.",
        "Each PDF is the file stored when the return was issued, unchanged. Its SHA-256 "
        "checksum is given to confirm it (for example with `sha256sum`).",
        "",
    ]
    for entry in entries:
        lines.append(entry.system)
        if entry.issued_id is None:
            lines.append(f"  {NO_RETURN}")
        else:
            recorded = ", recorded afterwards" if entry.recorded_afterwards else ""
            lines.append(
                f"  {entry.round_name}{recorded}, version {entry.version}, issued "
                f"{govuk_date(entry.issued_on)}"
            )
            if entry.in_zip:
                lines.append(f"  File: {entry.file_name}")
                lines.append(f"  SHA-256: {checksums.get(entry.issued_id, '')}")
            else:
                lines.append(f"  {entry.status}")
        lines.append("")
    return "\n".join(lines)


def returns_zip_stream(*, region: Region, entries: list[RegionReturn]) -> Iterator[bytes]:
    """The zip, as it is written: each stored PDF (uncompressed: a PDF is compressed already),
    read from the database a few at a time, then the index (index.csv and index.txt) with
    each PDF's SHA-256."""
    made_at = timezone.now()
    by_id = {entry.issued_id: entry for entry in entries if entry.in_zip}
    checksums: dict[int, str] = {}
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        stored = (
            IssuedReturn.objects.filter(pk__in=by_id)
            .order_by("round__system__name")
            .values_list("pk", "pdf")
            .iterator(chunk_size=PDFS_PER_READ)
        )
        for issued_id, pdf in stored:
            content = bytes(pdf)
            entry = by_id[issued_id]
            checksums[issued_id] = hashlib.sha256(content).hexdigest()
            archive.writestr(zipfile.ZipInfo(entry.file_name, _zip_time(entry.issued_at)), content)
            yield sink.take()
        for name, text in (
            ("index.csv", index_csv(entries, checksums)),
            ("index.txt", index_text(region, entries, checksums, made_at)),
        ):
            info = zipfile.ZipInfo(name, _zip_time(made_at))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode())
    yield sink.take()


# The region report.


def region_report_data(*, region: Region, systems: QuerySet, filters: Filters) -> dict:
    """What the region report prints for the systems given (the region's, as its viewer reads
    them) and the filters of the region's pages: the summary per change, the levels map and
    the counts chart, all from `regions.selectors.levels_map`, as the pages show them."""
    data = levels_map(systems, filters)
    scale = [(level.number, level.name) for level in data["levels"]]
    reference = established_level(dict(scale))
    summary_rows = []
    for index, summary in enumerate(data["summary"]):
        # "Since before" compares like with like: the systems with a level in this round and
        # in their round before it, at Established or better then and now.
        pairs = [
            (cell.level.previous_number, cell.level.number)
            for cell in (row.cells[index] for row in data["rows"])
            if cell.level is not None and cell.level.previous_number is not None
        ]
        summary_rows.append(
            {
                "summary": summary,
                "counts": [summary.counts.get(number, 0) for number, _ in scale],
                "before_systems": len(pairs),
                "since": (
                    sum(now >= reference for _, now in pairs)
                    - sum(before >= reference for before, _ in pairs)
                    if pairs
                    else None
                ),
            }
        )
    chart = stacked_bars([(row["summary"].code, row["counts"]) for row in summary_rows], scale)
    chart_svg = render_html(
        "charts/stacked_bars.svg",
        {
            "chart": chart,
            "chart_id": "counts",
            "title": f"Systems at each level, per change: {region.name}",
            "description": "One bar per change, a segment per level with its count of "
            "systems; the figures are in the summary table.",
        },
    )
    return {
        **data,
        "region": region,
        "filters": filters,
        "framework": filters.framework,
        "made_on": timezone.localdate(),
        "scale": scale,
        "summary_rows": summary_rows,
        "with_levels": sum(1 for row in data["rows"] if row.round_name),
        "chart_svg": chart_svg,
    }


def region_report_html(*, region: Region, systems: QuerySet, filters: Filters) -> str:
    """The report as printable HTML (templates/regions/report/, on the PDF layout)."""
    return render_to_string(
        "regions/report/report.html",
        region_report_data(region=region, systems=systems, filters=filters),
    )


def region_report_pdf(*, region: Region, systems: QuerySet, filters: Filters) -> bytes:
    """The report as a PDF: rendered here, in the request (see the module's docstring)."""
    return html_to_pdf(region_report_html(region=region, systems=systems, filters=filters))


def region_report_name(region: Region, today: date | None = None) -> str:
    return f"{region.slug}-region-report-{(today or timezone.localdate()).isoformat()}.pdf"
