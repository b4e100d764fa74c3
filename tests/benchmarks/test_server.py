"""benchmarks.server: what the benchmark starts is stopped, and gunicorn's logs are read."""

import os
import signal
import time

import pytest

from benchmarks.server import (
    Processes,
    logged_errors,
    sampled_microseconds,
    stop_on_signals,
)


def test_stopping_ends_every_process_it_started():
    processes = Processes()
    child = processes.start(["sleep", "60"], start_new_session=True)
    other = processes.start(["sleep", "60"])
    processes.stop()
    assert child.poll() is not None and other.poll() is not None
    assert processes.children == []


def test_sigterm_becomes_an_interrupt_so_the_clean_up_runs():
    restore = stop_on_signals()
    try:
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
    finally:
        restore()


def test_timed_requests_are_read_from_the_access_log_by_page(tmp_path):
    log = tmp_path / "access.log"
    log.write_text("home 200 12000\n- 200 900\nhome 200 14000\nreview 500 8000\nbroken line\n")
    assert sampled_microseconds(log) == {
        "home": [(200, 12000), (200, 14000)],
        "review": [(500, 8000)],
    }
    assert sampled_microseconds(tmp_path / "absent.log") == {}


def test_the_errors_in_gunicorns_log_are_counted_most_frequent_first(tmp_path):
    (tmp_path / "gunicorn.log").write_text(
        "[2026-11-27 16:00:00] [ERROR] Worker timeout\n"
        "Traceback (most recent call last):\n"
        '  File "x.py", line 1, in f\n'
        "django.db.utils.OperationalError: database is locked\n"
        "django.db.utils.OperationalError: database is locked\n"
        "KeyError: 'level'\n"
    )
    assert logged_errors(tmp_path) == [
        "django.db.utils.OperationalError: database is locked (2×)",
        "KeyError: 'level' (1×)",
    ]
