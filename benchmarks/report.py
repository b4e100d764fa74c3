"""The figures of one run, the budgets they are held to, the verdicts, and how they are shown.

Budgets (DESIGN §8):
- Built afresh: every key page costs at most 4× the baseline page (the accessibility
  statement, logged in) per request served alone, measured in the same run.
- Deadline day: no errors, and every request type's p95 within 5× the baseline's p95 under
  the same load, in the same run.
- Queries: a page's count on a 15-partner system is no more than on the 3-partner reference
  system, and the same on the first and the last seeded of the national systems.
- The return PDF renders in under 1 s.
Nothing here touches Django, so the verdicts are tested on figures alone.
"""

import json
from dataclasses import asdict, dataclass, field

AFRESH_BUDGET = 4.0  # × the baseline's milliseconds per request, served alone
DEADLINE_BUDGET = 5.0  # × the baseline's p95 under the same load
PDF_BUDGET_SECONDS = 1.0
BASELINE = "accessibility"
EXIT_MISSED = 1


@dataclass
class PageResult:
    key: str
    label: str
    key_page: bool = True
    path: str = ""
    url_name: str = ""
    skipped: str = ""
    queries_first: int | None = None  # 15 partners, the first seeded national system
    queries_last: int | None = None  # 15 partners, the last seeded national system
    queries_reference: int | None = None  # 3 partners, the reference system
    alone_ms: float | None = None  # median per request served alone, inside the worker
    cost_ratio: float | None = None  # alone_ms / the baseline's
    rps: float | None = None  # at a fixed concurrency, no pause
    rps_ratio: float | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None
    requests: int = 0
    failures: int = 0
    error: str = ""
    afresh_ok: bool | None = None
    queries_ok: bool | None = None


@dataclass
class RequestType:
    """One request type of the deadline-day run."""

    name: str
    label: str
    requests: int = 0
    failures: int = 0
    p50_ms: float | None = None
    p95_ms: float | None = None
    ratio: float | None = None  # p95 / the baseline's p95
    error: str = ""
    ok: bool | None = None


@dataclass
class Deadline:
    seconds: int = 0
    members: int = 0
    readers: int = 0
    requests: int = 0
    failures: int = 0
    drafts_saved: int = 0
    baseline_p95_ms: float | None = None
    types: list[RequestType] = field(default_factory=list)
    skipped: str = ""
    ok: bool | None = None


@dataclass
class Report:
    database: str
    systems: int
    workers: int
    concurrency: int
    samples: int
    seconds: int
    machine: str
    cores: int
    started_at: str
    load_average: list[float] = field(default_factory=list)
    partners: dict[str, int] = field(default_factory=dict)
    seed_seconds: float | None = None
    total_seconds: float = 0.0
    ready: dict = field(default_factory=dict)
    pages: list[PageResult] = field(default_factory=list)
    deadline: Deadline = field(default_factory=Deadline)
    pdf_render_seconds: float | None = None
    pdf_render_max_seconds: float | None = None
    pdf_ok: bool | None = None
    worker_peak_rss_mb: float | None = None
    missed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def budgets_met(self) -> bool:
        return not self.missed


def _ratio(value: float | None, base: float | None) -> float | None:
    return round(value / base, 2) if value is not None and base else None


def judge(report: Report) -> list[str]:
    """Work out the ratios and verdicts from the figures; set and return the budgets missed."""
    missed = []
    by_key = {page.key: page for page in report.pages}
    baseline = by_key.get(BASELINE)
    base_ms = baseline.alone_ms if baseline else None
    base_rps = baseline.rps if baseline else None
    for page in report.pages:
        if page.skipped:
            if page.key_page:
                missed.append(f"not measured: {page.label}")
            continue
        page.cost_ratio = _ratio(page.alone_ms, base_ms)
        page.rps_ratio = _ratio(page.rps, base_rps)
        if page.key_page and page.key != BASELINE:
            page.afresh_ok = page.cost_ratio is not None and page.cost_ratio <= AFRESH_BUDGET
            if not page.afresh_ok:
                missed.append(f"built afresh: {page.label}")
        counts = (page.queries_first, page.queries_last, page.queries_reference)
        if None not in counts:
            page.queries_ok = page.queries_first == page.queries_last <= page.queries_reference
            if not page.queries_ok:
                missed.append(f"queries: {page.label}")
        elif page.key_page:
            page.queries_ok = False
            missed.append(f"queries: {page.label} (not counted)")
        if page.failures:
            missed.append(f"errors: {page.label}")

    deadline = report.deadline
    if deadline.skipped:
        deadline.ok = False
    else:
        base_p95 = next((t.p95_ms for t in deadline.types if t.name == BASELINE), None)
        deadline.baseline_p95_ms = base_p95
        for request_type in deadline.types:
            request_type.ratio = _ratio(request_type.p95_ms, base_p95)
            within = request_type.ratio is not None and request_type.ratio <= DEADLINE_BUDGET
            request_type.ok = within and not request_type.failures
        deadline.ok = (
            base_p95 is not None
            and deadline.failures == 0
            and all(request_type.ok for request_type in deadline.types)
        )
    if not deadline.ok:
        missed.append("deadline day")

    report.pdf_ok = (
        report.pdf_render_seconds is not None and report.pdf_render_seconds < PDF_BUDGET_SECONDS
    )
    if not report.pdf_ok:
        missed.append("return PDF")
    report.missed = missed
    return missed


def exit_code(report: Report, *, strict: bool) -> int:
    """Non-zero only with --strict, when a budget was missed."""
    return EXIT_MISSED if strict and report.missed else 0


# ---------------------------------------------------------------------------
# Output


def _figure(value, spec: str = ".0f") -> str:
    return "–" if value is None else format(value, spec)


def _verdict(ok: bool | None) -> str:
    return {True: "PASS", False: "MISS", None: "–"}[ok]


def _page_row(page: PageResult) -> str:
    queries = "/".join(
        _figure(n, "d") for n in (page.queries_reference, page.queries_first, page.queries_last)
    )
    return (
        f"{page.label:36} {_figure(page.alone_ms, '.1f'):>8} {_figure(page.cost_ratio, '.2f'):>6} "
        f"{_verdict(page.afresh_ok):>6} {queries:>11} {_verdict(page.queries_ok):>6} "
        f"{_figure(page.rps, '.1f'):>7} {_figure(page.rps_ratio, '.2f'):>6} "
        f"{_figure(page.p50_ms)}/{_figure(page.p95_ms):<5}"
        + (f"  {page.failures} failed: {page.error}" if page.failures else "")
    )


def format_report(report: Report) -> str:
    load = ", ".join(map(str, report.load_average))
    deadline = report.deadline
    lines = [
        f"HICM Portal benchmark, {report.started_at}: {report.database}, {report.systems} "
        f"national systems, gunicorn {report.workers} workers, {report.cores} cores, "
        f"load average {load} at the start",
        "",
        f"Built afresh: median of {report.samples} requests served alone, in ms; × base; budget "
        f"≤ {AFRESH_BUDGET:g}× base. Queries: 3 partners / 15 (first system) / 15 (last "
        f"system). Throughput: {report.concurrency} users, no pause, {report.seconds} s a page.",
        f"{'page':36} {'alone ms':>8} {'× base':>6} {'budget':>6} {'queries':>11} "
        f"{'flat':>6} {'req/s':>7} {'× base':>6} p50/p95 ms",
    ]
    for page in report.pages:
        if page.skipped:
            verdict = "MISS" if page.key_page else "–"
            lines.append(f"{page.label:36} skipped ({verdict}): {page.skipped}")
        else:
            lines.append(_page_row(page))
    lines += [
        "",
        f"Deadline day: {deadline.members} partner members saving drafts and {deadline.readers} "
        f"readers, 0–4 s between requests, {deadline.seconds} s; budget: no errors, p95 ≤ "
        f"{DEADLINE_BUDGET:g}× the baseline's p95.",
    ]
    if deadline.skipped:
        lines.append(f"  not run (MISS): {deadline.skipped}")
    else:
        lines.append(
            f"{'request type':36} {'requests':>8} {'failed':>6} {'p50 ms':>7} {'p95 ms':>7} "
            f"{'× base':>6} budget"
        )
        for t in deadline.types:
            lines.append(
                f"{t.label:36} {t.requests:>8} {t.failures:>6} {_figure(t.p50_ms):>7} "
                f"{_figure(t.p95_ms):>7} {_figure(t.ratio, '.2f'):>6} {_verdict(t.ok)}"
                + (f"  {t.error}" if t.error else "")
            )
        lines.append(
            f"  {deadline.requests} requests, {deadline.failures} failed, "
            f"{deadline.drafts_saved} drafts saved: {_verdict(deadline.ok)}"
        )
    lines.append("")
    if report.pdf_render_seconds is not None:
        lines.append(
            f"Return PDF render: {report.pdf_render_seconds:.2f} s median, "
            f"{report.pdf_render_max_seconds:.2f} s max (budget < {PDF_BUDGET_SECONDS:g} s): "
            f"{_verdict(report.pdf_ok)}"
        )
    else:
        lines.append("Return PDF render: not measured (MISS)")
    lines.append(f"Worker peak memory (VmHWM): {_figure(report.worker_peak_rss_mb, '.1f')} MB")
    lines.append(f"/healthz/ready: {report.ready}")
    if report.seed_seconds is not None:
        lines.append(f"Seeding took {report.seed_seconds:.1f} s.")
    lines.extend(report.notes)
    verdict = "all met" if report.budgets_met else "MISSED: " + "; ".join(report.missed)
    lines.append(f"Budgets: {verdict}. Whole run: {report.total_seconds:.0f} s.")
    return "\n".join(lines)


def report_json(report: Report) -> str:
    data = asdict(report)
    data["budgets_met"] = report.budgets_met
    data["budgets"] = {
        "built_afresh_at_most_times_baseline": AFRESH_BUDGET,
        "deadline_p95_at_most_times_baseline_p95": DEADLINE_BUDGET,
        "pdf_render_seconds_under": PDF_BUDGET_SECONDS,
        "queries": "15 partners no more than 3; first and last seeded system the same",
    }
    return json.dumps(data, indent=2, default=str)
