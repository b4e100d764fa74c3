"""What the benchmark sends to gunicorn: requests one at a time, and locust runs.

One at a time: each page in turn, round after round, so a slow moment of the machine falls on
every page alike; gunicorn's access log gives the time each request took inside the worker,
free of the client and of queueing. Locust runs as its own command line on
`benchmarks/locustfile.py` in a child process (it patches the standard library with gevent,
which must not happen to this Django process), and its CSV statistics are read back.
"""

import csv
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from benchmarks.server import Processes, fetch, sampled_microseconds

LOCUSTFILE = Path(__file__).with_name("locustfile.py")


@dataclass
class Figures:
    """One request type of a locust run."""

    name: str
    requests: int = 0
    failures: int = 0
    rps: float | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None
    error: str = ""


def time_alone(
    base: str,
    pages: dict[str, tuple[str, str]],
    samples: int,
    access_log: Path,
    warm: int = 4,
) -> dict[str, tuple[float | None, int]]:
    """(median milliseconds, failed requests) of each page (key: (path, cookie)) served alone:
    `warm` untimed requests each, then `samples` rounds of one request to every page. Only the
    requests answered with 200 are timed."""
    for path, cookie in pages.values():
        for _ in range(warm):
            fetch(base + path, cookie)
    failed = dict.fromkeys(pages, 0)
    for _ in range(samples):
        for key, (path, cookie) in pages.items():
            status, _ = fetch(base + path, cookie, sample=key)
            failed[key] += status != 200
    # The access log is written after the response is sent: give the last line a moment.
    deadline = time.monotonic() + 5
    while True:
        logged = sampled_microseconds(access_log)
        if all(len(logged.get(key, [])) >= samples for key in pages):
            break
        if time.monotonic() > deadline:
            raise RuntimeError("gunicorn's access log lacks the timed requests")
        time.sleep(0.1)
    result = {}
    for key in pages:
        timed = [us for status, us in logged[key][-samples:] if status == 200]
        median = round(statistics.median(timed) / 1000, 2) if timed else None
        result[key] = (median, failed[key])
    return result


def write_config(path: Path, config: dict) -> Path:
    path.write_text(json.dumps(config, indent=1))
    return path


def run_locust(
    processes: Processes,
    workdir: Path,
    *,
    name: str,
    host: str,
    config: Path,
    users: int,
    seconds: int,
    classes: list[str],
    extra: tuple[str, ...] = (),
    on_line: Callable[[str], None] | None = None,
) -> dict[str, Figures]:
    """Run locust headless for `seconds` with `users` users of `classes`; the figures of each
    request type, and of all of them as "Aggregated"."""
    prefix = workdir / name
    log = workdir / f"{name}.log"
    args = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--only-summary",
        "--host",
        host,
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(prefix),
        "--loglevel",
        "WARNING",
        "--logfile",
        str(log),
        "--bench-config",
        str(config),
        *extra,
        *classes,
    ]
    with open(workdir / f"{name}.out", "w") as output:
        process = processes.start(
            args, cwd=settings.BASE_DIR, stdout=output, stderr=subprocess.STDOUT
        )
        process.wait()
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        tail = (workdir / f"{name}.out").read_text()[-2000:]
        raise RuntimeError(
            f"locust ({name}) wrote no statistics (exit {process.returncode}). Is locust "
            f"installed (make install)?\n{tail}"
        )
    figures = read_stats(stats)
    for failure in read_failures(Path(f"{prefix}_failures.csv")):
        entry = figures.get(failure["Name"])
        if entry and not entry.error:
            entry.error = f"{failure['Error']} ({failure['Occurrences']}×)"
    if on_line:
        on_line(f"{name}: {figures['Aggregated'].requests} requests")
    return figures


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None  # "N/A" when a type had no request


def read_stats(path: Path) -> dict[str, Figures]:
    with open(path, newline="") as stats:
        return {
            row["Name"]: Figures(
                name=row["Name"],
                requests=int(row["Request Count"]),
                failures=int(row["Failure Count"]),
                rps=_number(row["Requests/s"]),
                p50_ms=_number(row["50%"]),
                p95_ms=_number(row["95%"]),
            )
            for row in csv.DictReader(stats)
        }


def read_failures(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path, newline="") as failures:
        return list(csv.DictReader(failures))
