"""A bounded soak against PostgreSQL, with a worker killed and the database restarted: `make soak`.

    python -m benchmarks.soak [--seconds 90] [--users 50] [--json FILE] [--no-restart]

Why: DESIGN §9 promises that a save the portal confirmed is never lost, whatever happens to a
worker or the database. This checks it end to end. It drops and creates the database `soak`
(SOAK_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/soak; its name must contain
"soak", as it is dropped), migrates it, loads the frameworks and the demo, starts gunicorn as in
production (DEBUG off, two workers) and runs 50 people for SOAK_SECONDS (90 by default): partner
members open their change pages and save drafts (real posts, with the CSRF token from the page;
each draft carries a unique rationale), the others read pages. A third of the way in it kills
one gunicorn worker (SIGKILL; gunicorn starts another); two thirds of the way in it restarts the
PostgreSQL cluster once (`pg_ctlcluster`, which interrupts anything else using that cluster).

Afterwards every save that was answered with the redirect of success must be in the database and
in the rating's history. It prints requests, errors (those at the worker kill and during the
restart counted apart: they are expected), p50/p95 and lost writes, and exits with status 1 on
any lost write (or when no save succeeded at all). It stops everything it started, even on
Ctrl-C. Each person waits between requests as a person would, so its figures are for a busy
morning, not for throughput: `make bench` measures that.
"""

import argparse
import http.cookiejar
import json
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/soak"
DEFAULT_SECONDS = 90
USERS = 50
READER_SHARE = 0.3  # of the users; the rest save drafts
# Errors this long after a fault began (or, for the restart, ended) are put down to it.
FAULT_GRACE_SECONDS = 5.0
REQUEST_TIMEOUT = 60
WORKDIR = Path(".soak")

EXIT_LOST = 1
EXIT_FAILED = 2
EXIT_INTERRUPTED = 130

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# The load --------------------------------------------------------------------------------------


@dataclass
class Request:
    kind: str  # login, read, form, save
    started: float  # seconds since the clock started
    seconds: float
    status: int  # 0 when no answer came (a refused or broken connection, a timeout)


@dataclass
class Save:
    """A draft save attempted: `status` 302 is the app's "saved"."""

    unit: int
    writer: int
    sequence: int
    marker: str
    status: int


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 comes back as the answer itself


class Browser:
    """One person's cookies and connection to the server."""

    def __init__(self, base: str, clock: "Clock"):
        self.base = base
        self.clock = clock
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )

    def request(
        self, kind: str, path: str, data: list[tuple[str, str]] | None = None
    ) -> tuple[Request, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        started = self.clock.now()
        try:
            with self.opener.open(self.base + path, data=body, timeout=REQUEST_TIMEOUT) as answer:
                status, text = answer.status, answer.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            status, text = error.code, ""
        except (OSError, urllib.error.URLError):
            status, text = 0, ""
        return Request(kind, started, self.clock.now() - started, status), text

    def log_in(self, email: str, password: str) -> Request:
        request, page = self.request("login", "/accounts/login/")
        token = CSRF_FIELD.search(page)
        if request.status != 200 or token is None:
            return request
        fields = [("csrfmiddlewaretoken", token.group(1)), ("username", email)]
        request, _ = self.request("login", "/accounts/login/", [*fields, ("password", password)])
        return request


class Clock:
    def __init__(self):
        self.start = time.monotonic()

    def now(self) -> float:
        return time.monotonic() - self.start


@dataclass
class Unit:
    """One rating that one writer alone saves, so two people never race for it."""

    partner_id: int
    round_id: int
    change_id: int
    path: str


@dataclass
class Person:
    email: str
    paths: list[str] = field(default_factory=list)  # readers: pages; writers: empty
    units: list[int] = field(default_factory=list)  # writers: indexes into the units


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests: list[Request] = []
        self.saves: list[Save] = []

    def request(self, request: Request) -> None:
        with self.lock:
            self.requests.append(request)

    def save(self, save: Save) -> None:
        with self.lock:
            self.saves.append(save)


def think(stop: threading.Event, low: float, high: float) -> None:
    stop.wait(random.uniform(low, high))  # noqa: S311 - a pause, not a secret


def write_drafts(
    browser: Browser,
    me: Person,
    number: int,
    units: list[Unit],
    run: str,
    out: Recorder,
    stop: threading.Event,
) -> None:
    """Open a change page, type a while, save a draft with a unique rationale; next change."""
    from benchmarks.drafts import draft_form

    sequence = 0
    think(stop, 0, 2)  # people do not all start at the same moment
    while not stop.is_set():
        index = me.units[sequence % len(me.units)]
        sequence += 1
        request, page = browser.request("form", units[index].path)
        out.request(request)
        form = draft_form(page) if request.status == 200 else None
        if form is None:
            think(stop, 0.5, 1.5)
            continue
        think(stop, 0.5, 2.0)
        if stop.is_set():
            return
        marker = f"soak {run} writer {number} save {sequence}"
        form = [(name, marker if name == "rationale" else value) for name, value in form]
        request, _ = browser.request("save", units[index].path, form)
        out.request(request)
        out.save(Save(index, number, sequence, marker, request.status))
        think(stop, 0.3, 1.0)


def read_pages(browser: Browser, me: Person, out: Recorder, stop: threading.Event) -> None:
    turn = random.randrange(len(me.paths))  # noqa: S311
    think(stop, 0, 2)
    while not stop.is_set():
        request, _ = browser.request("read", me.paths[turn % len(me.paths)])
        out.request(request)
        turn += 1
        think(stop, 0.3, 1.5)


# The data and the cast -------------------------------------------------------------------------


def recreate_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    connection = psycopg2.connect(maintenance)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        connection.close()


def prepare_data(password: str, say) -> None:
    from django.core.management import call_command

    with open(os.devnull, "w") as quiet:
        call_command("migrate", interactive=False, verbosity=0, stdout=quiet)
        call_command("load_frameworks", verbosity=0, stdout=quiet)
        call_command("load_casestudies", verbosity=0, stdout=quiet)
        call_command("seed_demo", "--password", password, stdout=quiet)
    say("Migrated; frameworks, case studies and the demo loaded.")


def cast(users: int) -> tuple[list[Person], list[Person], list[Unit]]:
    """Writers (members of partners whose return is open, each with ratings of their own) and
    readers (everyone else in the demo, with the pages they may read)."""
    from django.urls import NoReverseMatch, reverse

    from assessments.models import Change, Member, PartnerReturn, Round, SystemRole

    open_returns = list(
        PartnerReturn.objects.filter(round__status=Round.Status.RATING, submitted_at=None)
        .select_related("round", "partner")
        .order_by("partner__name")
    )
    if not open_returns:
        raise RuntimeError("The demo has no open return to save drafts in.")
    wanted_writers = users - round(users * READER_SHARE)
    writers: list[Person] = []
    units: list[Unit] = []
    for place, partner_return in enumerate(open_returns):
        round_ = partner_return.round
        members = list(
            Member.objects.filter(partner=partner_return.partner)
            .order_by("user__email")
            .values_list("user__email", flat=True)
        )
        changes = list(
            Change.objects.filter(framework=round_.framework, archived=False).order_by("position")
        )
        # This return's share of the writers, each with every n-th change of it.
        share = wanted_writers // len(open_returns) + (place < wanted_writers % len(open_returns))
        share = min(share, len(changes))
        for slot in range(share):
            person = Person(email=members[slot % len(members)])
            for change in changes[slot::share]:
                units.append(
                    Unit(
                        partner_id=partner_return.partner_id,
                        round_id=round_.pk,
                        change_id=change.pk,
                        path=reverse(
                            "rating_edit",
                            args=[round_.public_id, partner_return.partner.public_id, change.code],
                        ),
                    )
                )
                person.units.append(len(units) - 1)
            writers.append(person)

    system = open_returns[0].round.system
    current = open_returns[0].round
    agreed = Round.objects.filter(system=system, status=Round.Status.AGREED).order_by("-agreed_at")
    change = Change.objects.filter(framework=current.framework, archived=False).first()

    def url(name: str, *args) -> str | None:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            return None

    common = [
        url("home"),
        url("system_detail", system.slug),
        url("round_list", system.slug),
        url("round_detail", current.public_id),
        url("framework_detail", current.framework.key),
        url("change_detail", current.framework.key, change.code),
    ]
    leaders = [*common]
    if agreed.exists():
        leaders += [url("plan", agreed.first().public_id), url("system_actions", system.slug)]
    people = [
        (role.user.email, leaders)
        for role in SystemRole.objects.filter(system=system).select_related("user")
    ]
    writing = {person.email for person in writers}
    for member in (
        Member.objects.filter(partner__system=system)
        .exclude(user__email__in=writing)
        .select_related("user", "partner")
        .order_by("user__email")
    ):
        tasks = url("return_tasks", current.public_id, member.partner.public_id)
        people.append((member.user.email, [*common, tasks, url("my_actions")]))
    readers = []
    for number in range(users - len(writers)):
        email, paths = people[number % len(people)]
        readers.append(Person(email=email, paths=[path for path in paths if path]))
    return writers, readers, units


def readable(browser: Browser, person: Person, say) -> Person:
    """Keep the pages this reader may read (a 200), so only faults show as errors."""
    kept = []
    for path in person.paths:
        request, _ = browser.request("check", path)
        if request.status == 200:
            kept.append(path)
        else:
            say(f"  Not read by {person.email}: {path} ({request.status})")
    if not kept:
        raise RuntimeError(f"{person.email} may read none of the pages chosen.")
    return Person(email=person.email, paths=kept)


# The faults ------------------------------------------------------------------------------------


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


# The verdict -----------------------------------------------------------------------------------


def lost_writes(saves: list[Save], units: list[Unit], run: str) -> list[str]:
    """Every save answered with success is in the rating's history, and the rating holds the
    last of them (or a later save whose answer was lost to a fault)."""
    from assessments.models import Rating

    history = set(
        Rating.history.filter(rationale__startswith=f"soak {run} ").values_list(
            "rationale", "partner_id", "change_id"
        )
    )
    current = {
        (rating.partner_id, rating.change_id): rating.rationale
        for rating in Rating.objects.filter(rationale__startswith=f"soak {run} ")
    }
    lost = []
    by_unit: dict[int, list[Save]] = {}
    for save in saves:
        by_unit.setdefault(save.unit, []).append(save)
    for index, attempts in by_unit.items():
        unit = units[index]
        attempts.sort(key=lambda save: save.sequence)
        succeeded = [position for position, save in enumerate(attempts) if save.status == 302]
        for position in succeeded:
            marker = attempts[position].marker
            if (marker, unit.partner_id, unit.change_id) not in history:
                lost.append(f"{marker}: not in the rating's history")
        if succeeded:
            since_last = {save.marker for save in attempts[succeeded[-1] :]}
            holds = current.get((unit.partner_id, unit.change_id))
            if holds not in since_last:
                lost.append(f"{attempts[succeeded[-1]].marker}: the rating holds {holds!r} instead")
    return lost


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def figures(
    out: Recorder,
    faults: list[Fault],
    lost: list[str],
    *,
    seconds: float,
    users: int,
    load: tuple[float, float, float],
) -> dict:
    load_requests = [r for r in out.requests if r.kind in ("form", "save", "read")]

    def fault_of(request: Request) -> str:
        # A request is put down to a fault when it failed while the fault lasted, or just after.
        failed = request.started + request.seconds
        for fault in faults:
            if fault.started <= failed <= fault.ended + FAULT_GRACE_SECONDS:
                return fault.what
        return ""

    errors = Counter(
        fault_of(request) or "other"
        for request in load_requests
        if request.status not in (200, 302)
    )

    def last_error_after(fault: Fault) -> float:
        """How long after the fault ended its last error came: how long recovery took."""
        ends = [
            request.started + request.seconds - fault.ended
            for request in load_requests
            if request.status not in (200, 302) and fault_of(request) == fault.what
        ]
        return round(max([0.0, *ends]), 1)

    saves = out.saves
    answered = [r.seconds for r in load_requests if r.status in (200, 302)]
    return {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "load_average_at_start": [round(value, 2) for value in load],
        "cpus": os.cpu_count(),
        "users": users,
        "seconds": round(seconds, 1),
        "requests": len(load_requests),
        "requests_per_second": round(len(load_requests) / seconds, 1) if seconds else 0,
        "reads": sum(1 for r in load_requests if r.kind in ("read", "form")),
        "saves_attempted": len(saves),
        "saves_succeeded": sum(1 for s in saves if s.status == 302),
        "conflicts": sum(1 for s in saves if s.status == 409),
        "errors": sum(errors.values()),
        "errors_at_worker_kill": errors.get("worker kill", 0),
        "errors_during_restart": errors.get("database restart", 0),
        "errors_other": errors.get("other", 0),
        "error_statuses": dict(
            Counter(str(r.status) for r in load_requests if r.status not in (200, 302))
        ),
        "p50_ms": round(percentile(answered, 0.50) * 1000),
        "p95_ms": round(percentile(answered, 0.95) * 1000),
        "max_ms": round(max(answered, default=0) * 1000),
        "faults": [
            {**asdict(fault), "last_error_after_end": last_error_after(fault)} for fault in faults
        ],
        "lost_writes": len(lost),
        "lost": lost[:50],
    }


def report(result: dict) -> str:
    lines = [
        f"Soak {result['date']}: {result['users']} users for {result['seconds']} s "
        f"(then {result.get('drain_seconds', 0)} s for the requests in flight), "
        f"load average at start {' '.join(map(str, result['load_average_at_start']))} "
        f"on {result['cpus']} CPUs",
        f"  requests          {result['requests']} ({result['requests_per_second']}/s): "
        f"{result['reads']} page reads, {result['saves_attempted']} draft saves",
        f"  saves succeeded   {result['saves_succeeded']} (conflicts {result['conflicts']})",
        f"  errors            {result['errors']}: {result['errors_at_worker_kill']} at the "
        f"worker kill, {result['errors_during_restart']} during the database restart, "
        f"{result['errors_other']} other {result['error_statuses'] or ''}",
        f"  latency           p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
        f"max {result['max_ms']} ms",
    ]
    for fault in result["faults"]:
        lines.append(
            f"  {fault['what']:17} from {fault['started']:.1f} s to {fault['ended']:.1f} s, "
            f"last error {fault['last_error_after_end']:.1f} s after"
            + (f" ({fault['note']})" if fault["note"] else "")
        )
    lines.append(f"  lost writes       {result['lost_writes']}")
    lines += [f"    {line}" for line in result["lost"]]
    return "\n".join(lines)


# The run ---------------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.soak",
        description="Soak the portal on PostgreSQL with a worker killed and the database "
        "restarted; exit 1 on any lost write.",
    )
    parser.add_argument(
        "--seconds",
        type=int,
        default=int(os.environ.get("SOAK_SECONDS", DEFAULT_SECONDS)),
        help=f"How long the load runs (SOAK_SECONDS, {DEFAULT_SECONDS}).",
    )
    parser.add_argument("--users", type=int, default=USERS, help=f"People at once ({USERS}).")
    parser.add_argument("--json", dest="json_path", help="Write the figures as JSON here.")
    parser.add_argument(
        "--no-restart",
        action="store_true",
        help="Leave the database alone (kill a worker only), e.g. on a shared cluster.",
    )
    return parser


def settings_environment(url: str) -> None:
    """Production-like settings for this process and gunicorn alike: the sessions made here
    and the pages served there must agree on the secret key and the database."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="hicm_portal.settings",
        DATABASE_URL=url,
        DEBUG="0",
        SECRET_KEY=f"soak-only-{secrets.token_urlsafe(40)}",
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
    )


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    url = os.environ.get("SOAK_DATABASE_URL", DEFAULT_DATABASE_URL)
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql") or "soak" not in parts.path:
        print(
            f"SOAK_DATABASE_URL must be a PostgreSQL database named for the soak (it is dropped "
            f"and created): {url}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    if arguments.seconds < 10 or arguments.users < 4:
        print("Give at least 10 seconds and 4 users.", file=sys.stderr)
        return EXIT_FAILED
    cluster = None if arguments.no_restart else postgres_cluster(url)
    if not arguments.no_restart and cluster is None:
        print(
            "No local PostgreSQL cluster serves that port (pg_lsclusters): the soak cannot "
            "restart the database. Give --no-restart to soak without it.",
            file=sys.stderr,
        )
        return EXIT_FAILED

    settings_environment(url)
    from benchmarks.server import stop_on_signals

    restore_signals = stop_on_signals()
    try:
        return soak(arguments, url, cluster)
    except KeyboardInterrupt:
        print("Interrupted: everything started was stopped.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except RuntimeError as error:
        print(f"The soak could not run: {error}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        restore_signals()


def soak(arguments: argparse.Namespace, url: str, cluster: tuple[str, str] | None) -> int:
    import django

    def say(text: str) -> None:
        print(text, flush=True)

    load = os.getloadavg()
    say(f"Load average at start: {' '.join(f'{value:.2f}' for value in load)}")
    say(f"Creating the database {urllib.parse.urlsplit(url).path.lstrip('/')}...")
    recreate_database(url)
    django.setup()
    from benchmarks.prepare import collect_static
    from benchmarks.server import Processes, free_port, start_gunicorn, wait_until_up

    password = secrets.token_urlsafe(16)
    prepare_data(password, say)
    collect_static(say)
    writers, readers, units = cast(arguments.users)

    WORKDIR.mkdir(exist_ok=True)
    processes = Processes()
    stop = threading.Event()
    threads: list[threading.Thread] = []
    faults: list[Fault] = []
    restarted = False
    try:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        gunicorn = start_gunicorn(processes, port, WORKDIR)
        wait_until_up(gunicorn, base, WORKDIR)
        say(f"gunicorn on {base}; logging in {len(writers)} writers and {len(readers)} readers...")

        clock = Clock()
        out = Recorder()
        browsers = []
        for person in [*writers, *readers]:
            browser = Browser(base, clock)
            request = browser.log_in(person.email, password)
            if request.status != 302:
                raise RuntimeError(f"{person.email} could not log in ({request.status}).")
            browsers.append(browser)
        readers = [
            readable(browser, person, say)
            for browser, person in zip(browsers[len(writers) :], readers, strict=True)
        ]

        run = secrets.token_hex(4)
        clock.start = time.monotonic()
        for number, (browser, person) in enumerate(zip(browsers, writers, strict=False)):
            threads.append(
                threading.Thread(
                    target=write_drafts,
                    args=(browser, person, number, units, run, out, stop),
                    daemon=True,
                )
            )
        for browser, person in zip(browsers[len(writers) :], readers, strict=True):
            threads.append(
                threading.Thread(target=read_pages, args=(browser, person, out, stop), daemon=True)
            )
        for thread in threads:
            thread.start()
        say(f"Soaking for {arguments.seconds} s...")

        def wait_until(moment: float) -> None:
            while clock.now() < moment:
                time.sleep(min(0.2, moment - clock.now()))

        wait_until(arguments.seconds / 3)
        faults.append(kill_a_worker(gunicorn.pid, clock))
        say(f"  {clock.now():5.1f} s: killed a gunicorn worker ({faults[-1].note})")
        if cluster:
            wait_until(arguments.seconds * 2 / 3)
            restarted = True
            faults.append(restart_database(cluster, clock))
            fault = faults[-1]
            say(
                f"  {clock.now():5.1f} s: restarted PostgreSQL {' '.join(cluster)} "
                f"in {fault.ended - fault.started:.1f} s {fault.note}"
            )
        wait_until(arguments.seconds)
        stop.set()
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT + 5)
        drained = clock.now() - arguments.seconds
        if gunicorn.poll() is not None:
            log = (WORKDIR / "gunicorn.log").read_text(errors="replace")[-3000:]
            say(f"gunicorn stopped during the soak:\n{log}")
    finally:
        stop.set()
        processes.stop()
        if restarted and not cluster_online(cluster):
            subprocess.run(  # noqa: S603 - a fixed command
                ["pg_ctlcluster", "--skip-systemctl-redirect", *cluster, "start"],  # noqa: S607
                check=False,
            )

    from django.db import connections

    connections.close_all()  # the restart broke this process's connection
    lost = lost_writes(out.saves, units, run)
    result = figures(
        out, faults, lost, seconds=arguments.seconds, users=len(writers) + len(readers), load=load
    )
    result["drain_seconds"] = round(drained, 1)
    say(report(result))
    if arguments.json_path:
        Path(arguments.json_path).write_text(json.dumps(result, indent=2) + "\n")
    if lost:
        say("LOST WRITES: a save the portal confirmed is missing.")
        return EXIT_LOST
    if not result["saves_succeeded"]:
        say("No save succeeded: the soak proved nothing.")
        return EXIT_LOST
    return 0


if __name__ == "__main__":
    sys.exit(main())
