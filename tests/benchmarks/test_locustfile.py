"""benchmarks/locustfile.py loads in locust's own command line, with its three user classes
and its options. Run in a child process: importing locust patches the standard library with
gevent."""

import subprocess
import sys

from django.conf import settings


def test_locust_lists_the_user_classes_and_accepts_the_benchmarks_options():
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            "benchmarks/locustfile.py",
            "--bench-page",
            "review",
            "--list",
        ],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert {"PageUser", "PartnerMember", "Reader"} <= set(result.stdout.split())
