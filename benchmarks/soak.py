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

This is the entry point and the run; the load is `soak_load`, the data and the cast
`soak_cast`, the faults `soak_faults` and the verdict `soak_check`.
"""

import argparse
import json
import os
import secrets
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

from benchmarks.soak_cast import cast, prepare_data, readable, recreate_database
from benchmarks.soak_check import figures, lost_writes, report
from benchmarks.soak_faults import (
    Fault,
    cluster_online,
    kill_a_worker,
    postgres_cluster,
    restart_database,
)
from benchmarks.soak_load import REQUEST_TIMEOUT, Browser, Clock, Recorder, read_pages, write_drafts

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/soak"
DEFAULT_SECONDS = 90
USERS = 50
WORKDIR = Path(".soak")

EXIT_LOST = 1
EXIT_FAILED = 2
EXIT_INTERRUPTED = 130


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
