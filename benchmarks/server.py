"""The processes the benchmark starts, and gunicorn among them.

Everything started here is stopped on every way out: success, error, Ctrl-C, SIGTERM, SIGHUP.
gunicorn runs in a session of its own, so stopping its group stops its workers too.
"""

import atexit
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from django.conf import settings

WORKERS = 2
# A request sent one at a time carries its page in this header; gunicorn's access log writes it
# beside the time the request took inside the worker, in microseconds.
SAMPLE_HEADER = "X-Bench-Sample"
ACCESS_LOG_FORMAT = "%({x-bench-sample}i)s %(s)s %(D)s"
# The last line of a traceback: "django.db.utils.OperationalError: database is locked".
EXCEPTION_LINE = re.compile(r"^[\w.]+(Error|Exception|Denied|DoesNotExist)\b.*")


class Processes:
    """The children this benchmark started; stopped on every way out."""

    def __init__(self):
        self.children: list[tuple[subprocess.Popen, bool]] = []
        atexit.register(self.stop)

    def start(self, args: list[str], **kwargs) -> subprocess.Popen:
        process = subprocess.Popen(args, **kwargs)  # noqa: S603 - our own interpreter
        self.children.append((process, bool(kwargs.get("start_new_session"))))
        return process

    def stop(self) -> None:
        for process, own_group in reversed(self.children):
            if process.poll() is None:
                self._signal(process, own_group, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self._signal(process, own_group, signal.SIGKILL)
                    process.wait(timeout=5)
        self.children.clear()

    @staticmethod
    def _signal(process: subprocess.Popen, own_group: bool, sig: int) -> None:
        with suppress(ProcessLookupError):
            if own_group:
                os.killpg(process.pid, sig)
            else:
                process.send_signal(sig)


def stop_on_signals() -> Callable[[], None]:
    """Turn SIGINT, SIGTERM and SIGHUP into KeyboardInterrupt, so the clean-up runs (SIGINT
    too, as a shell starts background jobs with it ignored). Returns what restores them."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    previous = {
        sig: signal.signal(sig, interrupt) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    }

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return restore


def server_environment() -> dict[str, str]:
    """Production-like settings for gunicorn and collectstatic, on this process's database
    and secret key (the sessions made here must be valid there)."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="hicm_portal.settings",
        DEBUG="0",
        SECRET_KEY=settings.SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(processes: Processes, port: int, workdir: Path) -> subprocess.Popen:
    # Django logs a failed request's traceback to stderr: into the same log.
    with open(workdir / "gunicorn.log", "ab") as log:
        return _start_gunicorn(processes, port, workdir, log)


def _start_gunicorn(processes: Processes, port: int, workdir: Path, log) -> subprocess.Popen:
    return processes.start(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "hicm_portal.wsgi:application",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
            "--error-logfile",
            str(workdir / "gunicorn.log"),
            "--access-logfile",
            str(workdir / "access.log"),
            "--access-logformat",
            ACCESS_LOG_FORMAT,
        ],
        cwd=settings.BASE_DIR,
        env=server_environment(),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )


def fetch(
    url: str, cookie: str = "", *, sample: str = "", timeout: float = 60
) -> tuple[int, bytes]:
    """GET one address as the owner of `cookie`; `sample` tags it in the access log."""
    headers = {"Cookie": cookie} if cookie else {}
    if sample:
        headers[SAMPLE_HEADER] = sample
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - 127.0.0.1 only
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def wait_until_up(process: subprocess.Popen, base: str, workdir: Path, timeout: float = 60) -> None:
    log = workdir / "gunicorn.log"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"gunicorn stopped (exit {process.returncode}):\n{tail}")
        try:
            if fetch(base + "/healthz", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /healthz within {timeout:.0f} s")


def logged_errors(workdir: Path, most: int = 5) -> list[str]:
    """The distinct exceptions in gunicorn's log (where Django writes a failed request's
    traceback), most frequent first, with how often each occurred."""
    log = workdir / "gunicorn.log"
    if not log.exists():
        return []
    found = Counter(
        line.strip()
        for line in log.read_text(errors="replace").splitlines()
        if EXCEPTION_LINE.match(line)
    )
    return [f"{line} ({count}×)" for line, count in found.most_common(most)]


def sampled_microseconds(access_log: Path) -> dict[str, list[tuple[int, int]]]:
    """(status, microseconds) of each tagged request in the access log, by tag."""
    samples: dict[str, list[tuple[int, int]]] = {}
    if not access_log.exists():
        return samples
    for line in access_log.read_text().splitlines():
        parts = line.split()
        if len(parts) != 3 or parts[0] == "-" or not parts[1].isdigit() or not parts[2].isdigit():
            continue
        samples.setdefault(parts[0], []).append((int(parts[1]), int(parts[2])))
    return samples


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: the parent follows the state.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1 and int(fields[1]) == master:
            pids.append(int(entry.name))
    return pids


def peak_rss_kb(pid: int) -> int:
    """The highest resident size the process reached (VmHWM), or 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
