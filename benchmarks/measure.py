"""One run of the benchmark, phase by phase.

1. Prepare: migrate, frameworks, case studies, national data when absent, static files.
2. In this process: each page's SQL queries on the first and the last seeded national system
   (15 partners each) and on the 3-partner reference system; the return PDF's render time.
   "1 system against 150" is checked as the brief allows it: a page's count must be the same
   on the first and the last seeded system, which sit at both ends of the data (and, as every
   run prints it, the same whatever the number of systems seeded); comparing with a database
   holding a single system would need a second database.
3. gunicorn, DEBUG off, 2 workers: every page served alone (one request at a time, each page in
   turn, timed inside the worker by the access log), then each page's throughput at a fixed
   concurrency with locust, then deadline day: partner members saving drafts while
   facilitators and steering members read, 0-4 s between requests.
4. The verdicts (`report.judge`).
Nothing is cached between requests but framework content and a person's roles, so every page is
measured as built afresh.
"""

import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection

from benchmarks import inprocess
from benchmarks.load import Figures, run_locust, time_alone, write_config
from benchmarks.options import Options
from benchmarks.prepare import collect_static, prepare_database
from benchmarks.report import BASELINE, Deadline, PageResult, Report, RequestType, judge
from benchmarks.server import (
    WORKERS,
    Processes,
    fetch,
    free_port,
    logged_errors,
    peak_rss_kb,
    start_gunicorn,
    stop_on_signals,
    wait_until_up,
    worker_pids,
)
from benchmarks.targets import (
    PAGES,
    PAGES_BY_KEY,
    Sessions,
    Target,
    deadline_members,
    deadline_readers,
    only_url_name,
    page_url,
    targets,
    user_for,
)

DEADLINE_LABELS = {
    "rating": "Change page (GET), partner member",
    "rating_save": "Draft save (POST), partner member",
    "review": "Review page, reader",
    "approval": "Approval page, reader",
    "plan": "Plan page, reader",
    BASELINE: "Accessibility statement (baseline)",
}


def run_bench(options: Options, say: Callable[[str], None]) -> Report:
    started = time.monotonic()
    report = Report(
        database=connection.vendor,
        systems=0,
        workers=WORKERS,
        concurrency=options.concurrency,
        samples=options.samples,
        seconds=options.seconds,
        machine=f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        cores=os.cpu_count() or 0,
        started_at=time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        load_average=[round(x, 2) for x in os.getloadavg()],
    )
    say(f"Load average at the start: {', '.join(map(str, report.load_average))}.")
    report.systems, report.seed_seconds = prepare_database(
        systems=options.systems, seed=options.seed, say=say
    )
    collect_static(say)
    systems = targets()
    report.partners = {target.label: target.partners for target in systems}

    sessions = Sessions()
    processes = Processes()
    restore_signals = stop_on_signals()
    try:
        say("Counting queries...")
        measured = count_page_queries(report, systems, sessions, say)
        pdf = next((key for key in measured if PAGES_BY_KEY[key].pdf), None)
        if pdf:
            measured.pop(pdf)  # the page serves a stored file: time the render the worker does
            timed = inprocess.time_pdf_renders(systems[0].rounds["agreed"], options.pdf_renders)
            report.pdf_render_seconds = round(statistics.median(timed), 3)
            report.pdf_render_max_seconds = round(max(timed), 3)
            say(f"Return PDF renders in {report.pdf_render_seconds:.2f} s (median).")
        if BASELINE not in measured:
            raise RuntimeError("The baseline page could not be measured: nothing to compare.")
        cast = deadline_cast(options, sessions, measured[BASELINE][0], report)
        with tempfile.TemporaryDirectory(prefix="hicm-bench-") as tmp:
            serve_and_load(report, options, processes, Path(tmp), measured, cast, say)
    finally:
        processes.stop()
        sessions.delete()
        restore_signals()
    judge(report)
    report.total_seconds = round(time.monotonic() - started, 1)
    return report


def count_page_queries(
    report: Report, systems: tuple[Target, Target, Target], sessions: Sessions, say
) -> dict[str, tuple[str, str]]:
    """Resolve each page on the first system and count its queries on all three; returns
    (path, cookie) on the first system of every page that answered."""
    first, last, reference = systems
    measured = {}
    for page in PAGES:
        result = PageResult(page.key, page.label, key_page=page.key_page)
        report.pages.append(result)
        cookie = sessions.cookie(user_for(page, first))
        for name in page.url_names:
            path, _, note = page_url(only_url_name(page, name), first)
            if not path:
                result.skipped = note
                continue
            status, queries = inprocess.count_queries(path, cookie)
            if status == 200:
                result.path, result.url_name, result.queries_first = path, name, queries
                result.skipped = ""
                break
            # e.g. no issued return yet: the next URL name renders the draft
            result.skipped = f"{path} answered {status}"
        if result.skipped:
            say(f"Skipping {page.label}: {result.skipped}.")
            continue
        for other, attribute in ((last, "queries_last"), (reference, "queries_reference")):
            path, _, _ = page_url(only_url_name(page, result.url_name), other)
            status, queries = inprocess.count_queries(path, sessions.cookie(user_for(page, other)))
            if status == 200:
                setattr(result, attribute, queries)
            else:
                report.notes.append(f"{page.label} answered {status} on the {other.label}.")
        measured[page.key] = (result.path, cookie)
    return measured


def deadline_cast(options: Options, sessions: Sessions, baseline_path: str, report) -> dict:
    """The people of deadline day, their session keys and pages: the locustfile's config."""
    members = deadline_members(options.members)
    readers = []
    for reader in deadline_readers(options.readers):
        cookie = sessions.cookie(reader.user)
        pages = [
            (key, path) for key, path in reader.pages if inprocess.status_of(path, cookie) == 200
        ]
        readers.append({"session": sessions.key(reader.user), "pages": pages})
    if len(members) < options.members:
        report.notes.append(f"Only {len(members)} partner members have a return open.")
    return {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "baseline_path": baseline_path,
        "members": [{"session": sessions.key(m.user), "changes": m.change_paths} for m in members],
        "readers": readers,
    }


def serve_and_load(report, options, processes, workdir, measured, cast, say) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    say(f"Starting gunicorn ({WORKERS} workers, DEBUG off) on {base}...")
    server = start_gunicorn(processes, port, workdir)
    wait_until_up(server, base, workdir)
    status, body = fetch(base + "/healthz/ready")
    report.ready = {"status": status, **_json(body)}
    peaks: dict[int, int] = {}

    def sample_memory() -> None:
        for pid in worker_pids(server.pid):
            peaks[pid] = max(peaks.get(pid, 0), peak_rss_kb(pid))

    say(f"Serving each page alone, {options.samples} times in turn...")
    alone = time_alone(base, measured, options.samples, workdir / "access.log")
    by_key = {page.key: page for page in report.pages}
    for key, (milliseconds, failed) in alone.items():
        by_key[key].alone_ms = milliseconds
        if failed:
            by_key[key].failures += failed
            by_key[key].error = f"{failed} of {options.samples} requests served alone failed"
    sample_memory()

    config = write_config(
        workdir / "config.json",
        {**cast, "pages": {key: {"path": p, "cookie": c} for key, (p, c) in measured.items()}},
    )
    say(f"Throughput: {options.concurrency} users, no pause, {options.seconds} s a page...")
    for key in measured:
        figures = run_locust(
            processes,
            workdir,
            name=f"page-{key}",
            host=base,
            config=config,
            users=options.concurrency,
            seconds=options.seconds,
            classes=["PageUser"],
            extra=("--bench-page", key),
        ).get(key, Figures(key))
        page = by_key[key]
        page.rps = None if figures.rps is None else round(figures.rps, 1)
        page.p50_ms, page.p95_ms = figures.p50_ms, figures.p95_ms
        page.requests = figures.requests
        page.failures += figures.failures
        page.error = page.error or figures.error
        sample_memory()
        say(f"  {key}: {page.rps} req/s")

    report.deadline = deadline_day(report, options, processes, workdir, base, config, cast, say)
    sample_memory()
    if report.deadline.failures or any(page.failures for page in report.pages):
        errors = logged_errors(workdir)
        report.notes.append("Errors in gunicorn's log: " + ("; ".join(errors) or "none"))
    if peaks:
        report.worker_peak_rss_mb = round(max(peaks.values()) / 1024, 1)
    processes.stop()


def deadline_day(report, options, processes, workdir, base, config, cast, say) -> Deadline:
    members, readers = len(cast["members"]), len(cast["readers"])
    deadline = Deadline(seconds=options.deadline_seconds, members=members, readers=readers)
    if not members or not readers:
        deadline.skipped = f"{members} partner members and {readers} readers could be cast"
        return deadline
    say(
        f"Deadline day: {members} partner members and {readers} readers for "
        f"{options.deadline_seconds} s..."
    )
    figures = run_locust(
        processes,
        workdir,
        name="deadline",
        host=base,
        config=config,
        users=members + readers,
        seconds=options.deadline_seconds,
        classes=["PartnerMember", "Reader"],
    )
    total = figures.pop("Aggregated", Figures("Aggregated"))
    deadline.requests, deadline.failures = total.requests, total.failures
    for name, label in DEADLINE_LABELS.items():
        entry = figures.pop(name, Figures(name))
        deadline.types.append(
            RequestType(
                name=name,
                label=label,
                requests=entry.requests,
                failures=entry.failures,
                p50_ms=entry.p50_ms,
                p95_ms=entry.p95_ms,
                error=entry.error,
            )
        )
    for name, entry in figures.items():  # a request type the table does not know
        deadline.types.append(
            RequestType(name, name, entry.requests, entry.failures, entry.p50_ms, entry.p95_ms)
        )
    saves = next(t for t in deadline.types if t.name == "rating_save")
    deadline.drafts_saved = saves.requests - saves.failures
    return deadline


def _json(body: bytes) -> dict:
    try:
        return json.loads(body) if body else {}
    except ValueError:
        return {"body": body[:200].decode(errors="replace")}
