"""The load of `make bench`, run by locust's own command line (the driver starts it so).

Two scenarios, picked by naming the user classes on the command line:

- `PageUser`: one page (`--bench-page KEY`) requested over and over with no pause by every
  user: throughput at a fixed concurrency (`-u`).
- `PartnerMember Reader`: deadline day. Partner members go through their return: GET a change
  page, wait, POST a draft save of that change with the CSRF token read from the page (the app
  answers with a redirect), wait, go to the next change. Facilitators and steering members read
  the review, approval and plan pages of their system and the baseline page. Everyone waits
  0-4 s between requests.

The people, their session keys and their pages come from the JSON file the driver writes
(`--bench-config FILE`); how many of each class run comes from the same file. Without it the
file still imports, so `locust -f benchmarks/locustfile.py --list` shows the classes.

    locust -f benchmarks/locustfile.py --headless -u 40 -t 2m --host http://127.0.0.1:8000 \\
        --bench-config config.json PartnerMember Reader
"""

import itertools
import json
from functools import cache

from locust import FastHttpUser, HttpUser, between, constant, events, task

# Locust puts the working directory on the path: run it from the repository's root.
from benchmarks.drafts import draft_form


@events.init_command_line_parser.add_listener
def _arguments(parser) -> None:
    parser.add_argument("--bench-config", default="", help="The driver's JSON: people and pages.")
    parser.add_argument("--bench-page", default="", help="PageUser: the key of the page to load.")


@cache
def _load(path: str) -> dict:
    with open(path) as config:
        return json.load(config)


def config_of(environment) -> dict:
    path = getattr(environment.parsed_options, "bench_config", "")
    if not path:
        raise RuntimeError("Give --bench-config FILE (the benchmark driver writes it).")
    return _load(path)


@events.init.add_listener
def _user_counts(environment, **kwargs) -> None:
    """As many partner members and readers as the driver cast."""
    options = environment.parsed_options
    if options is None or not getattr(options, "bench_config", ""):
        return
    config = config_of(environment)
    PartnerMember.fixed_count = len(config.get("members", []))
    Reader.fixed_count = len(config.get("readers", []))


class PageUser(FastHttpUser):
    """One page, over and over, with no pause."""

    wait_time = constant(0)
    network_timeout = 300.0
    connection_timeout = 30.0

    def on_start(self) -> None:
        self.key = self.environment.parsed_options.bench_page
        page = config_of(self.environment)["pages"][self.key]
        self.path = page["path"]
        self.headers = {"Cookie": page["cookie"]} if page["cookie"] else {}

    @task
    def get(self) -> None:
        with self.client.get(
            self.path, headers=self.headers, name=self.key, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")


class _Person(HttpUser):
    """Someone logged in, waiting 0-4 s between requests."""

    abstract = True
    wait_time = between(0, 4)

    def log_in(self, session_key: str) -> None:
        self.client.cookies.set(config_of(self.environment)["session_cookie"], session_key)

    def expect(self, response, status: int) -> bool:
        if response.status_code != status:
            response.failure(f"status {response.status_code}, expected {status}")
            return False
        return True


class PartnerMember(_Person):
    """A partner member going through their return, saving a draft of each change."""

    fixed_count = 0
    slots = itertools.count()

    def on_start(self) -> None:
        members = config_of(self.environment)["members"]
        me = members[next(PartnerMember.slots) % len(members)]
        self.log_in(me["session"])
        self.changes = itertools.cycle(me["changes"])
        self.wait()  # people do not all start at the same moment

    @task
    def save_a_draft(self) -> None:
        path = next(self.changes)
        with self.client.get(path, name="rating", catch_response=True) as response:
            if not self.expect(response, 200):
                return
            form = draft_form(response.text)
            if form is None:
                response.failure("no form with a save_draft button")
                return
        self.wait()
        with self.client.post(
            path, data=form, name="rating_save", allow_redirects=False, catch_response=True
        ) as response:
            self.expect(response, 302)


class Reader(_Person):
    """A facilitator or steering member reading their system's pages, and the baseline."""

    fixed_count = 0
    slots = itertools.count()

    def on_start(self) -> None:
        config = config_of(self.environment)
        readers = config["readers"]
        slot = next(Reader.slots)
        me = readers[slot % len(readers)]
        self.log_in(me["session"])
        pages = [*me["pages"], ["accessibility", config["baseline_path"]]]
        # Each reader starts at another page, so every page is read throughout the run.
        self.pages = itertools.islice(itertools.cycle(pages), slot % len(pages), None)
        self.wait()

    @task
    def read(self) -> None:
        name, path = next(self.pages)
        with self.client.get(path, name=name, catch_response=True) as response:
            self.expect(response, 200)
