"""The soak's faults (`make soak`): a gunicorn worker killed, and the PostgreSQL cluster restarted.

Each fault is recorded with when it began and ended, so that the errors it caused are put down
to it rather than counted against the portal (`benchmarks.soak_check`).
"""

import os
import random
import signal
import subprocess
import time
import urllib.parse
from dataclasses import dataclass

from benchmarks.soak_load import Clock


@dataclass
class Fault:
    what: str
    started: float
    ended: float
    note: str = ""


def postgres_cluster(url: str) -> tuple[str, str] | None:
    """(version, name) of the local cluster on the database's port, when pg_ctlcluster has it."""
    port = urllib.parse.urlsplit(url).port or 5432
    try:
        listing = subprocess.run(  # noqa: S603 - a fixed command
            ["pg_lsclusters", "--no-header"],  # noqa: S607 - Debian's PostgreSQL tools
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    for line in listing.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[2] == str(port):
            return parts[0], parts[1]
    return None


def cluster_online(cluster: tuple[str, str]) -> bool:
    result = subprocess.run(  # noqa: S603 - a fixed command
        ["pg_ctlcluster", "--skip-systemctl-redirect", *cluster, "status"],  # noqa: S607
        capture_output=True,
    )
    return result.returncode == 0


def restart_database(cluster: tuple[str, str], clock: Clock) -> Fault:
    started = clock.now()
    result = subprocess.run(  # noqa: S603 - a fixed command
        ["pg_ctlcluster", "--skip-systemctl-redirect", *cluster, "restart"],  # noqa: S607
        capture_output=True,
        text=True,
    )
    note = "" if result.returncode == 0 else (result.stderr or result.stdout).strip()
    return Fault("database restart", started, clock.now(), note)


def kill_a_worker(master: int, clock: Clock) -> Fault:
    from benchmarks.server import worker_pids

    started = clock.now()
    pids = worker_pids(master)
    if not pids:
        return Fault("worker kill", started, started, "no worker found")
    victim = random.choice(pids)  # noqa: S311
    os.kill(victim, signal.SIGKILL)
    # gunicorn notices and starts another worker.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        now = worker_pids(master)
        if victim not in now and len(now) >= len(pids):
            break
        time.sleep(0.1)
    return Fault("worker kill", started, clock.now(), f"worker {victim}")
