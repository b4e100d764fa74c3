"""The benchmark behind `make bench`: key pages under gunicorn against national-scale data.

It prepares the database (migrate, frameworks, case studies, national data when absent),
collects static files, starts gunicorn with DEBUG off and two workers on a free port of
127.0.0.1, and drives one page at a time at a fixed concurrency with locust (run as a library
in a child process). Beside throughput and latency it counts each page's SQL queries in this
process, on a 15-partner system and on the 3-partner reference system, times the return PDF,
and reads the workers' peak memory from /proc. Everything it starts, it stops: on success, on
error, on Ctrl-C and on SIGTERM.

Budgets (DESIGN §8): every page keeps at least half the throughput of the baseline (the
accessibility statement for a logged-in user, measured in the same run); a page's query count
does not grow with partners, rounds or systems; the return PDF renders in under 2 s.
"""

import atexit
import json
import logging
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.staticfiles import finders
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, get_resolver, reverse

from assessments.models import Member, Partner, PartnerReturn, Round, System, SystemRole
from hicm_portal import fragments, national

WORKERS = 2
CONCURRENCY = 8
BASELINE = "accessibility"
BASELINE_AGAIN = "accessibility-again"
THROUGHPUT_BUDGET = 0.5  # of the baseline's requests per second
PDF_BUDGET_SECONDS = 2.0
SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


@dataclass
class Settings:
    """How long and how hard to measure."""

    systems: int = 150
    seed: int = 1
    seconds: float = 10.0
    warmup: float = 1.0
    concurrency: int = CONCURRENCY
    pdf_renders: int = 3

    @classmethod
    def quick(cls) -> "Settings":
        return cls(systems=3, seconds=1.0, warmup=0.3, pdf_renders=1)


@dataclass
class Target:
    """The people and rounds of one system that the pages are measured on."""

    label: str
    system: System
    partners: int
    facilitator: object
    steering: object
    member: object
    member_partner: Partner
    rounds: dict[str, Round]
    latest_agreed: Round
    change_code: str


@dataclass
class Page:
    key: str
    label: str
    url_names: list[str]
    role: str  # facilitator, steering, member, or "" for nobody logged in
    round_status: str = ""  # which round of the target, when the URL takes one
    throughput_budget: bool = True
    pdf: bool = False


PAGES = [
    Page(BASELINE, "Accessibility statement (baseline)", ["accessibility"], "facilitator"),
    Page("healthz", "Health check (reference)", ["healthz"], "", throughput_budget=False),
    Page("home", "Home page of a facilitator", ["home"], "facilitator"),
    Page("rating", "Partner's change page in rating", ["rating_edit"], "member", "rating"),
    Page("review", "Review page", ["review"], "facilitator", "review"),
    Page("approval", "Approval page", ["approval"], "steering", "approval"),
    Page("plan", "Plan page", ["plan"], "facilitator", "agreed"),
    Page("change", "Framework change page", ["change_detail"], "facilitator"),
    Page("return_preview", "Return preview", ["return_preview"], "facilitator", "agreed"),
    # `return_pdf` may serve only an issued return; the draft file renders it afresh.
    Page(
        "return_pdf",
        "Return PDF",
        ["return_pdf", "return_draft_file"],
        "facilitator",
        "agreed",
        throughput_budget=False,
        pdf=True,
    ),
]
PAGES_BY_KEY = {page.key: page for page in PAGES}


@dataclass
class PageResult:
    key: str
    label: str
    path: str = ""
    url_name: str = ""
    skipped: str = ""
    rps: float | None = None
    ratio: float | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None
    requests: int = 0
    failures: int = 0
    error: str = ""
    queries_small: int | None = None
    queries_large: int | None = None
    queries_small_cold: int | None = None  # with no cached fragment: the page built afresh
    queries_large_cold: int | None = None
    server_ms: float | None = None
    cold_ms: float | None = None
    throughput_ok: bool | None = None
    queries_ok: bool | None = None


@dataclass
class Report:
    database: str
    systems: int
    partners_large: int
    partners_small: int
    workers: int
    concurrency: int
    seconds: float
    machine: str
    cores: int
    started_at: str
    load_average: list[float] = field(default_factory=list)
    seed_seconds: float | None = None
    total_seconds: float = 0.0
    ready: dict = field(default_factory=dict)
    pages: list[PageResult] = field(default_factory=list)
    pdf_render_seconds: float | None = None
    pdf_render_max_seconds: float | None = None
    pdf_ok: bool | None = None
    worker_peak_rss_mb: float | None = None
    baseline_rps: list[float] = field(default_factory=list)  # measured first and last
    budgets_met: bool = False
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------
# Preparing


def prepare_database(options: Settings, say: Callable[[str], None]) -> float | None:
    """Migrate, load frameworks and case studies, and seed national data when absent.
    Returns how long seeding took, or None when the data was already there."""
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_frameworks", verbosity=0, stdout=_null())
    try:
        call_command("load_casestudies", verbosity=0, stdout=_null())
    except Exception as error:  # noqa: BLE001 - the library is optional for the bench
        say(f"Case studies not loaded ({error}); pages show none.")
    if national.national_present():
        count = national.national_systems().exclude(slug=national.REFERENCE_SLUG).count()
        say(f"National data present: {count} systems.")
        if count != options.systems:
            say(f"Note: {options.systems} systems were asked for; measuring the {count} present.")
        return None
    say(f"Seeding national data: {options.systems} systems (seed {options.seed})...")
    result = national.seed_national(
        systems=options.systems, seed=options.seed, progress=lambda text: say(f"  {text}")
    )
    say(f"Seeded in {result.seconds:.1f} s.")
    return result.seconds


def _null():
    return open(os.devnull, "w")  # noqa: SIM115 - closed by the garbage collector


def server_environment() -> dict[str, str]:
    """Production-like settings for gunicorn and collectstatic, on this process's database
    and secret key (the sessions made here must be valid there)."""
    env = dict(os.environ)
    env.update(
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


def static_up_to_date() -> bool:
    """The manifest is newer than every static source file."""
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        return False
    built = manifest.stat().st_mtime
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            if os.path.getmtime(storage.path(path)) > built:
                return False
    return True


def collect_static(say: Callable[[str], None]) -> None:
    if static_up_to_date():
        say("Static files are up to date.")
        return
    say("Collecting static files...")
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=settings.BASE_DIR,
        env=server_environment(),
        check=True,
    )


# ---------------------------------------------------------------------------
# Who and what is measured


def _target(system: System, label: str) -> Target:
    rounds = {}
    for round_ in Round.objects.filter(system=system).select_related("framework", "system"):
        if round_.status == Round.Status.AGREED:
            if "agreed" not in rounds or round_.agreed_at > rounds["agreed"].agreed_at:
                rounds["agreed"] = round_
        else:
            rounds[round_.status] = round_
    roles = {
        role: SystemRole.objects.filter(system=system, role=role)
        .select_related("user")
        .order_by("user__email")
        .first()
        .user
        for role in (SystemRole.Role.FACILITATOR, SystemRole.Role.STEERING)
    }
    # A partner part of the way through its return: its change page is a form to fill in.
    returns = list(
        PartnerReturn.objects.filter(round=rounds["rating"], submitted_at=None)
        .select_related("partner")
        .order_by("partner__name")
    )
    rated = set(rounds["rating"].ratings.values_list("partner_id", flat=True))
    partner_return = next((r for r in returns if r.partner_id in rated), returns[0])
    member = Member.objects.filter(partner=partner_return.partner).select_related("user").first()
    rating = (
        rounds["rating"]
        .ratings.filter(partner=partner_return.partner)
        .select_related("change")
        .first()
    )
    code = rating.change.code if rating else "1"
    return Target(
        label=label,
        system=system,
        partners=system.partners.count(),
        facilitator=roles[SystemRole.Role.FACILITATOR],
        steering=roles[SystemRole.Role.STEERING],
        member=member.user,
        member_partner=partner_return.partner,
        rounds=rounds,
        latest_agreed=rounds["agreed"],
        change_code=code,
    )


def targets() -> tuple[Target, Target]:
    """The first national system (15 partners, 12 rounds) and the small reference system."""
    large = national.national_systems().exclude(slug=national.REFERENCE_SLUG).order_by("slug")
    return (
        _target(large.first(), "15 partners"),
        _target(System.objects.get(slug=national.REFERENCE_SLUG), "3 partners"),
    )


def _url_params(name: str) -> list[str] | None:
    """The parameters of a named URL, or None when the URLconf has no such name."""
    possibilities = get_resolver().reverse_dict.getlist(name)
    if not possibilities:
        return None
    return list(possibilities[0][0][0][1])


def page_url(page: Page, target: Target) -> tuple[str, str, str]:
    """(path, URL name, note): the page's address for this target, or a note on why not."""
    notes = []
    for name in page.url_names:
        params = _url_params(name)
        if params is None:
            notes.append(f"no URL named {name}")
            continue
        round_ = target.rounds.get(page.round_status) if page.round_status else None
        values = {
            "public_id": round_.public_id if round_ else None,
            "partner_id": target.member_partner.public_id,
            "code": target.change_code,
            "key": "mtoc-2020",
            "slug": target.system.slug,
            "file_format": "pdf",
        }
        if page.key == "change":
            values["code"] = "3"
        missing = [p for p in params if values.get(p) is None]
        if missing:
            notes.append(f"{name} takes {', '.join(missing)}, which the bench cannot fill")
            continue
        try:
            return reverse(name, kwargs={p: values[p] for p in params}), name, ""
        except NoReverseMatch as error:
            notes.append(f"{name}: {error}")
    return "", "", "; ".join(notes)


# ---------------------------------------------------------------------------
# Sessions: made directly, so login throttling plays no part


class Sessions:
    def __init__(self):
        self.engine = import_module(settings.SESSION_ENGINE)
        self.stores = {}

    def cookie(self, user) -> str:
        if user is None:
            return ""
        if user.pk not in self.stores:
            store = self.engine.SessionStore()
            store[SESSION_KEY] = user._meta.pk.value_to_string(user)
            store[BACKEND_SESSION_KEY] = SESSION_BACKEND
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            store.create()
            self.stores[user.pk] = store
        return f"{settings.SESSION_COOKIE_NAME}={self.stores[user.pk].session_key}"

    def delete(self) -> None:
        for store in self.stores.values():
            store.delete()
        self.stores.clear()


def _user_for(page: Page, target: Target):
    return {
        "facilitator": target.facilitator,
        "steering": target.steering,
        "member": target.member,
    }.get(page.role)


# ---------------------------------------------------------------------------
# In-process measures: queries per request and the PDF's render time


@contextmanager
def _in_process():
    """Serve requests here as gunicorn would, without needing the static manifest, and
    without logging the 404s of pages that are probed but absent."""
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    try:
        with override_settings(
            ALLOWED_HOSTS=["testserver", "127.0.0.1"],
            STORAGES={
                **settings.STORAGES,
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            },
        ):
            yield
    finally:
        request_log.setLevel(level)


_clients: dict[str, Client] = {}


def _get(path: str, cookie: str):
    """GET as the owner of this session cookie. Clients are kept, so the middleware (and
    whitenoise's scan of the static files) loads once, as in a worker."""
    if cookie not in _clients:
        client = _clients[cookie] = Client()
        if cookie:
            name, value = cookie.split("=", 1)
            client.cookies[name] = value
    return _clients[cookie].get(path)


def count_queries(path: str, cookie: str) -> tuple[int, int, int]:
    """(status, queries, cold queries) of one request: after one to warm caches, and with the
    fragment cache emptied first (the page as built after a write)."""
    with _in_process():
        _get(path, cookie)
        with CaptureQueriesContext(connection) as captured:
            response = _get(path, cookie)
        caches[fragments.CACHE].clear()
        with CaptureQueriesContext(connection) as cold:
            _get(path, cookie)
    return response.status_code, len(captured.captured_queries), len(cold.captured_queries)


def server_milliseconds(path: str, cookie: str, times: int = 5, *, cold: bool = False) -> float:
    """The median time of serving the page here, alone: what one request costs the server,
    free of the load generator and of queueing. `cold`: with the fragment cache emptied before
    each request, as for the first reader after a write."""
    return round(statistics.median(time_renders(path, cookie, times, cold=cold)) * 1000, 1)


def time_renders(path: str, cookie: str, times: int, *, cold: bool = False) -> list[float]:
    durations = []
    with _in_process():
        for _ in range(times):
            if cold:
                caches[fragments.CACHE].clear()
            started = time.perf_counter()
            response = _get(path, cookie)
            durations.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
    return durations


# ---------------------------------------------------------------------------
# The server and the load generator


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Processes:
    """The children this bench started; stopped on every way out."""

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
                # gunicorn runs in a session of its own: its group is its workers.
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


def start_gunicorn(processes: Processes, port: int, log: Path) -> subprocess.Popen:
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
            str(log),
        ],
        cwd=settings.BASE_DIR,
        env=server_environment(),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _fetch(url: str, cookie: str = "", timeout: float = 60) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def wait_until_up(process: subprocess.Popen, base: str, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"gunicorn stopped (exit {process.returncode}):\n{tail}")
        try:
            if _fetch(base + "/healthz", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /healthz within {timeout:.0f} s")


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
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


# Run as a script in a child process: locust patches the standard library with gevent on
# import, which must not happen to this Django process.
LOAD_SCRIPT = r"""
import json
import sys
import time

import gevent
from locust import FastHttpUser, constant, task
from locust.env import Environment
from locust.log import setup_logging

setup_logging("ERROR")
config = json.load(open(sys.argv[1]))


def measure(page):
    class PageUser(FastHttpUser):
        host = config["host"]
        wait_time = constant(0)
        network_timeout = 300.0
        connection_timeout = 30.0
        headers = {"Cookie": page["cookie"]} if page["cookie"] else {}

        @task
        def get(self):
            with self.client.get(
                page["path"], headers=self.headers, name=page["key"], catch_response=True
            ) as response:
                if response.status_code != 200:
                    response.failure(f"status {response.status_code}")

    env = Environment(user_classes=[PageUser])
    runner = env.create_local_runner()
    runner.start(config["users"], spawn_rate=config["users"])
    gevent.sleep(config["warmup"])
    env.stats.reset_all()
    started = time.monotonic()
    gevent.sleep(config["seconds"])
    elapsed = time.monotonic() - started
    total = env.stats.total
    result = {
        "requests": total.num_requests,
        "failures": total.num_failures,
        "rps": total.num_requests / elapsed,
        "p50_ms": total.get_response_time_percentile(0.5) if total.num_requests else None,
        "p95_ms": total.get_response_time_percentile(0.95) if total.num_requests else None,
        "error": next((str(e.error) for e in env.stats.errors.values()), ""),
    }
    runner.quit()
    return result


results = {}
for page in config["pages"]:
    results[page["key"]] = measure(page)
    print(page["key"], flush=True)
json.dump(results, open(sys.argv[2], "w"))
"""


def run_load(
    processes: Processes,
    workdir: Path,
    base: str,
    pages: list[dict],
    options: Settings,
    on_progress: Callable[[str], None],
    sample: Callable[[], None],
) -> dict:
    script = workdir / "load.py"
    script.write_text(LOAD_SCRIPT)
    config = workdir / "load.json"
    config.write_text(
        json.dumps(
            {
                "host": base,
                "users": options.concurrency,
                "seconds": options.seconds,
                "warmup": options.warmup,
                "pages": pages,
            }
        )
    )
    output = workdir / "results.json"
    process = processes.start(
        [sys.executable, str(script), str(config), str(output)],
        cwd=workdir,
        stdout=subprocess.PIPE,
        text=True,
    )
    for line in process.stdout:
        on_progress(line.strip())
        sample()
    if process.wait() != 0 or not output.exists():
        raise RuntimeError(
            "The load generator failed. Is locust installed (make install, or "
            "pip install -e '.[dev]')?"
        )
    return json.loads(output.read_text())


# ---------------------------------------------------------------------------
# The whole run


def _stop_on_sigterm() -> Callable[[], None]:
    """Turn SIGINT, SIGTERM and SIGHUP into KeyboardInterrupt, so the clean-up runs (SIGINT
    too, as a shell starts background jobs with it ignored)."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    previous = {
        sig: signal.signal(sig, interrupt) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    }

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return restore


def run_bench(options: Settings, say: Callable[[str], None]) -> Report:
    started = time.monotonic()
    report = Report(
        database=connection.vendor,
        systems=0,
        partners_large=0,
        partners_small=0,
        workers=WORKERS,
        concurrency=options.concurrency,
        seconds=options.seconds,
        machine=f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        cores=os.cpu_count() or 0,
        started_at=time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        load_average=[round(x, 2) for x in os.getloadavg()],
    )
    report.seed_seconds = prepare_database(options, say)
    report.systems = national.national_systems().exclude(slug=national.REFERENCE_SLUG).count()
    collect_static(say)
    large, small = targets()
    report.partners_large, report.partners_small = large.partners, small.partners

    sessions = Sessions()
    processes = Processes()
    restore_signals = _stop_on_sigterm()
    try:
        measured = _queries(report, large, small, sessions, say)
        pdf_page = next((p for p in measured if PAGES_BY_KEY[p["key"]].pdf), None)
        if pdf_page:
            durations = time_renders(pdf_page["path"], pdf_page["cookie"], options.pdf_renders + 1)
            timed = durations[1:] or durations
            report.pdf_render_seconds = round(statistics.median(timed), 3)
            report.pdf_render_max_seconds = round(max(timed), 3)
            report.pdf_ok = report.pdf_render_seconds < PDF_BUDGET_SECONDS
            say(f"Return PDF renders in {report.pdf_render_seconds:.2f} s (median).")

        with tempfile.TemporaryDirectory(prefix="hicm-bench-") as tmp:
            workdir = Path(tmp)
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            log = workdir / "gunicorn.log"
            say(f"Starting gunicorn ({WORKERS} workers, DEBUG off) on {base}...")
            server = start_gunicorn(processes, port, log)
            wait_until_up(server, base, log)
            status, body = _fetch(base + "/healthz/ready")
            report.ready = {"status": status, **(json.loads(body) if body else {})}
            # Warm both workers on every page before measuring.
            for page in measured:
                for _ in range(WORKERS):
                    _fetch(base + page["path"], page["cookie"])
            peaks: dict[int, int] = {}

            def sample() -> None:
                for pid in worker_pids(server.pid):
                    peaks[pid] = max(peaks.get(pid, 0), peak_rss_kb(pid))

            say(
                f"Measuring {len(measured)} pages, {options.seconds:g} s each at "
                f"{options.concurrency} concurrent users..."
            )
            # The baseline is measured first and again last; ratios use the higher of the two,
            # so a page never gains from a slow moment of the machine at the start.
            baseline_page = next(p for p in measured if p["key"] == BASELINE)
            again = {**baseline_page, "key": BASELINE_AGAIN}
            results = run_load(
                processes,
                workdir,
                base,
                [*measured, again],
                options,
                lambda key: say(f"  {key} done"),
                sample,
            )
            sample()
            if peaks:
                report.worker_peak_rss_mb = round(max(peaks.values()) / 1024, 1)
            processes.stop()
    finally:
        processes.stop()
        sessions.delete()
        restore_signals()

    by_key = {r.key: r for r in report.pages}
    again = results.pop(BASELINE_AGAIN, None)
    for key, figures in results.items():
        result = by_key[key]
        result.rps = round(figures["rps"], 1)
        result.p50_ms = figures["p50_ms"]
        result.p95_ms = figures["p95_ms"]
        result.requests = figures["requests"]
        result.failures = figures["failures"]
        result.error = figures["error"]
    baseline = by_key[BASELINE].rps
    report.baseline_rps = [x for x in (baseline, again and round(again["rps"], 1)) if x]
    if report.baseline_rps:
        baseline = max(report.baseline_rps)
    for result in report.pages:
        if result.rps is None:
            continue
        result.ratio = round(result.rps / baseline, 2) if baseline else None
        if PAGES_BY_KEY[result.key].throughput_budget and result.key != BASELINE:
            result.throughput_ok = result.ratio is not None and result.ratio >= THROUGHPUT_BUDGET
    checks = [
        *(r.throughput_ok for r in report.pages),
        *(r.queries_ok for r in report.pages),
        report.pdf_ok,
        *(r.failures == 0 for r in report.pages if r.rps is not None),
    ]
    report.budgets_met = all(check for check in checks if check is not None)
    report.total_seconds = round(time.monotonic() - started, 1)
    return report


def _queries(report, large, small, sessions, say) -> list[dict]:
    """Resolve each page, count its queries on both systems, and list what to load-test."""
    measured = []
    for page in PAGES:
        result = PageResult(page.key, page.label)
        report.pages.append(result)
        path, name, note = page_url(page, large)
        if not path:
            result.skipped = note
            say(f"Skipping {page.label}: {note}.")
            continue
        result.path, result.url_name = path, name
        cookie = sessions.cookie(_user_for(page, large))
        status, result.queries_large, result.queries_large_cold = count_queries(path, cookie)
        if status != 200:
            result.skipped = f"{path} answered {status}"
            if page.pdf and name != page.url_names[-1]:
                # Fall back to the next URL name (e.g. the draft PDF when none is issued).
                fallback = Page(**{**asdict(page), "url_names": page.url_names[1:]})
                path, name, note = page_url(fallback, large)
                if path:
                    result.path, result.url_name = path, name
                    status, result.queries_large, result.queries_large_cold = count_queries(
                        path, cookie
                    )
                    result.skipped = "" if status == 200 else f"{path} answered {status}"
            if result.skipped:
                say(f"Skipping {page.label}: {result.skipped}.")
                continue
        small_path, _, _ = page_url(Page(**{**asdict(page), "url_names": [name]}), small)
        if small_path:
            small_status, result.queries_small, result.queries_small_cold = count_queries(
                small_path, sessions.cookie(_user_for(page, small))
            )
            if small_status != 200:
                report.notes.append(f"{page.label} answered {small_status} on the small system")
                result.queries_small = result.queries_small_cold = None
        if result.queries_small is not None:
            result.queries_ok = (
                result.queries_large <= result.queries_small
                and result.queries_large_cold <= result.queries_small_cold
            )
        if not page.pdf:
            result.server_ms = server_milliseconds(path, cookie)
            result.cold_ms = server_milliseconds(path, cookie, cold=True)
        measured.append({"key": page.key, "path": path, "cookie": cookie})
    return measured


# ---------------------------------------------------------------------------
# Output


def _figure(value, spec: str = ".0f") -> str:
    return "–" if value is None else format(value, spec)


def _verdict(result: PageResult) -> str:
    if result.skipped:
        return "skipped"
    missed = [
        name
        for name, ok in (
            ("errors", not result.failures),
            ("throughput", result.throughput_ok),
            ("queries", result.queries_ok),
        )
        if ok is False
    ]
    if missed:
        return "MISSED: " + ", ".join(missed)
    return "ok" if result.throughput_ok or result.queries_ok else "–"


def format_report(report: Report) -> str:
    lines = [
        f"HICM Portal bench: {report.database}, {report.systems} national systems, "
        f"gunicorn {report.workers} workers, {report.concurrency} concurrent users, "
        f"{report.seconds:g} s per page, {report.cores} cores "
        f"(load average {', '.join(map(str, report.load_average))} at the start)",
        "",
        f"{'page':38} {'req/s':>7} {'× base':>7} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'alone ms':>8} {'cold ms':>7} {'queries 3p/15p':>15} {'cold 3p/15p':>11}  budget",
    ]
    for r in report.pages:
        if r.skipped:
            lines.append(f"{r.label:38} skipped: {r.skipped}")
            continue
        queries = f"{_figure(r.queries_small, 'd')}/{_figure(r.queries_large, 'd')}"
        cold = f"{_figure(r.queries_small_cold, 'd')}/{_figure(r.queries_large_cold, 'd')}"
        lines.append(
            f"{r.label:38} {_figure(r.rps, '.1f'):>7} {_figure(r.ratio, '.2f'):>7} "
            f"{_figure(r.p50_ms):>7} {_figure(r.p95_ms):>7} {_figure(r.server_ms, '.1f'):>8} "
            f"{_figure(r.cold_ms, '.1f'):>7} {queries:>15} {cold:>11}  {_verdict(r)}"
        )
    lines.append("")
    if report.pdf_render_seconds is not None:
        lines.append(
            f"Return PDF render: {report.pdf_render_seconds:.2f} s median, "
            f"{report.pdf_render_max_seconds:.2f} s max "
            f"(budget < {PDF_BUDGET_SECONDS:g} s: {'ok' if report.pdf_ok else 'MISSED'})"
        )
    else:
        lines.append("Return PDF render: not measured (no such page yet)")
    if len(report.baseline_rps) == 2:
        first, last = report.baseline_rps
        lines.append(
            f"Baseline measured first and last: {first:.1f} and {last:.1f} req/s; "
            f"× base uses the higher, {max(first, last):.1f}."
        )
    lines.append(f"Worker peak memory (VmHWM): {_figure(report.worker_peak_rss_mb, '.1f')} MB")
    lines.append(f"/healthz/ready: {report.ready}")
    if report.seed_seconds is not None:
        lines.append(f"Seeding took {report.seed_seconds:.1f} s.")
    lines.extend(report.notes)
    lines.append(
        f"Budgets: {'all met' if report.budgets_met else 'NOT all met'}. "
        f"Whole run: {report.total_seconds:.0f} s."
    )
    return "\n".join(lines)


def report_json(report: Report) -> str:
    data = asdict(report)
    data["budgets"] = {
        "throughput_ratio_at_least": THROUGHPUT_BUDGET,
        "pdf_render_seconds_under": PDF_BUDGET_SECONDS,
        "queries": "15-partner system no more than the 3-partner reference system",
    }
    return json.dumps(data, indent=2, default=str)
