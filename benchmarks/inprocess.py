"""Measures taken in this process: SQL queries per request, and the return PDF's render time.

Requests are served here through Django's test client, as gunicorn would serve them, without
needing the static manifest. Clients are kept per person, so the middleware (and whitenoise's
scan of the static files) loads once, as in a worker.
"""

import logging
import time
from contextlib import contextmanager

from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext


@contextmanager
def in_process():
    """Serve requests here without the static manifest, and without logging the 404s of pages
    that are probed but absent."""
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


def get(path: str, cookie: str):
    """GET as the owner of this session cookie ("name=value", or "" for nobody)."""
    if cookie not in _clients:
        client = _clients[cookie] = Client()
        if cookie:
            name, value = cookie.split("=", 1)
            client.cookies[name] = value
    return _clients[cookie].get(path)


def status_of(path: str, cookie: str) -> int:
    with in_process():
        return get(path, cookie).status_code


def count_queries(path: str, cookie: str) -> tuple[int, int]:
    """(status, queries) of one request, after one request that warms what may be cached
    (framework content, a person's roles)."""
    with in_process():
        warm = get(path, cookie)
        if warm.streaming:
            b"".join(warm.streaming_content)
        with CaptureQueriesContext(connection) as captured:
            response = get(path, cookie)
            if response.streaming:  # a streamed file (the region's zip) reads as it is sent
                b"".join(response.streaming_content)
    return response.status_code, len(captured.captured_queries)


def time_pdf_renders(round_, times: int) -> list[float]:
    """Seconds each of `times` renders of the round's draft BCF return PDF took, from its data
    to the file, as the task worker builds it (the page then serves the stored file). The first
    render, which loads fonts and templates, is not counted."""
    from improvement_plans import reports

    def render() -> bytes:
        return reports.html_to_pdf(reports.return_html(reports.return_data(round_)))

    render()
    durations = []
    for _ in range(times):
        started = time.perf_counter()
        render()
        durations.append(time.perf_counter() - started)
    return durations
