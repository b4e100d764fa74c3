"""The soak's load (`make soak`): people saving drafts and reading pages, and what they got.

Each person has their own cookies and connection (`Browser`) and waits between requests as a
person would. Writers open a change page, type a while and save a draft with a unique rationale
(a real post, with the CSRF token from the page); each rating is one writer's alone (`Unit`), so
two people never race for it. Every request and every save attempted is recorded (`Recorder`)
for the verdict (`benchmarks.soak_check`).
"""

import http.cookiejar
import random
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

REQUEST_TIMEOUT = 60

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


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
