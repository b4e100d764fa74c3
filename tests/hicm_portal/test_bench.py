"""The bench: its parts, and the whole command end to end in quick mode."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from hicm_portal import bench, national


def can_bind_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
    except OSError:
        return False
    return True


@pytest.fixture
def seeded(frameworks):
    national.seed_national(systems=1, seed=1, password="bench-password-1")
    return bench.targets()


@pytest.mark.django_db
def test_targets_are_a_15_partner_system_and_the_3_partner_reference(seeded):
    large, small = seeded
    assert (large.partners, small.partners) == (15, 3)
    for target in seeded:
        assert set(target.rounds) == {"draft", "rating", "review", "approval", "agreed"}
        assert target.latest_agreed.name == target.rounds["agreed"].name


@pytest.mark.django_db
def test_a_session_made_directly_logs_the_person_in(seeded):
    large, _ = seeded
    sessions = bench.Sessions()
    cookie = sessions.cookie(large.facilitator)
    client = Client()
    name, value = cookie.split("=", 1)
    client.cookies[name] = value
    response = client.get("/")
    assert response.status_code == 200
    assert response.wsgi_request.user == large.facilitator
    sessions.delete()
    assert Client().get("/").status_code == 302


@pytest.mark.django_db
def test_every_page_resolves_and_its_queries_do_not_grow_with_partners_or_rounds(seeded):
    large, small = seeded
    sessions = bench.Sessions()
    for page in bench.PAGES:
        path, name, note = bench.page_url(page, large)
        if not path:
            assert page.key.startswith("return_"), note
            continue
        user = bench._user_for(page, large)
        status, queries_large, cold_large = bench.count_queries(path, sessions.cookie(user))
        if page.key.startswith("return_") and status != 200:
            continue  # the bench skips (or falls back from) a return page that is not ready
        assert status == 200, (page.key, path)
        small_path, _, _ = bench.page_url(page, small)
        status, queries_small, cold_small = bench.count_queries(
            small_path, sessions.cookie(bench._user_for(page, small))
        )
        assert status == 200, (page.key, small_path)
        assert queries_large <= queries_small, page.key
        assert cold_large <= cold_small, page.key  # built afresh, too
    sessions.delete()


def test_a_page_whose_url_does_not_exist_is_skipped_with_a_note():
    page = bench.Page("nothing", "Nothing", ["no_such_url_name"], "facilitator")
    path, name, note = bench.page_url(page, None)
    assert (path, name) == ("", "")
    assert "no URL named no_such_url_name" in note


def test_stopping_ends_every_process_it_started():
    processes = bench.Processes()
    child = processes.start(["sleep", "60"], start_new_session=True)
    processes.stop()
    assert child.poll() is not None
    assert processes.children == []


def test_sigterm_becomes_an_interrupt_so_the_clean_up_runs():
    restore = bench._stop_on_sigterm()
    try:
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
    finally:
        restore()


def test_the_table_shows_each_figure_and_the_budgets():
    report = bench.Report(
        database="sqlite",
        systems=150,
        partners_large=15,
        partners_small=3,
        workers=2,
        concurrency=8,
        seconds=10,
        machine="Linux",
        cores=2,
        started_at="now",
        load_average=[0.5, 0.4, 0.3],
        pages=[
            bench.PageResult("accessibility", "Baseline", rps=400, ratio=1, p50_ms=20, p95_ms=30),
            bench.PageResult(
                "review",
                "Review page",
                rps=150,
                ratio=0.38,
                p50_ms=50,
                p95_ms=80,
                queries_small=11,
                queries_large=11,
                throughput_ok=False,
                queries_ok=True,
            ),
            bench.PageResult("return_pdf", "Return PDF", skipped="no URL named return_pdf"),
        ],
        pdf_render_seconds=None,
        worker_peak_rss_mb=120.5,
    )
    table = bench.format_report(report)
    assert "Review page" in table and "150.0" in table and "0.38" in table
    assert "11/11" in table and "MISSED: throughput" in table
    assert "Return PDF" in table and "skipped: no URL named return_pdf" in table
    assert "120.5 MB" in table
    data = json.loads(bench.report_json(report))
    assert data["pages"][1]["rps"] == 150 and data["budgets"]["throughput_ratio_at_least"] == 0.5


@pytest.mark.skipif(
    not can_bind_loopback() and not os.environ.get("CI"),
    reason="gunicorn cannot bind 127.0.0.1 here",
)
def test_the_command_runs_end_to_end_in_quick_mode(tmp_path):
    """Seeds a fresh SQLite database, serves it with gunicorn, drives every page with locust
    and writes the figures; nothing it started is left running."""
    json_path = tmp_path / "bench.json"
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-test-" + "0" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}",
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "bench", "--quick", "--json", str(json_path)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "req/s" in result.stdout and "queries 3p/15p" in result.stdout
    data = json.loads(json_path.read_text())
    assert data["systems"] == 3 and data["database"] == "sqlite"
    assert data["ready"]["database"] == "ok"
    pages = {page["key"]: page for page in data["pages"]}
    for key in ("accessibility", "healthz", "home", "rating", "review", "approval", "plan"):
        assert pages[key]["requests"] > 0, key
        assert pages[key]["failures"] == 0, (key, pages[key]["error"])
        assert pages[key]["p95_ms"] is not None
    assert pages["accessibility"]["ratio"] == 1.0
    for page in data["pages"]:
        if page["queries_small"] is not None:
            assert page["queries_ok"], page["key"]
    assert data["worker_peak_rss_mb"] > 10
    # Nothing left behind: no gunicorn of ours still serves.
    assert not _gunicorns_under(Path(tmp_path))


def _gunicorns_under(path: Path) -> list[int]:
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            environ = (entry / "environ").read_bytes()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"gunicorn" in cmdline and str(path).encode() in environ:
            found.append(int(entry.name))
    return found
