"""The portal's e-mail goes one way: `hicm_portal.notify.notify`."""

import re
from pathlib import Path

import pytest
from django.core import mail
from django.db import transaction

from hicm_portal.notify import notify, portal_link

ROOT = Path(__file__).resolve().parents[2]
APPS = ("assessments", "improvement_plans", "casestudies", "home", "hicm_portal")


@pytest.fixture
def email_template(settings, tmp_path):
    (tmp_path / "emails").mkdir()
    (tmp_path / "emails" / "hello.txt").write_text(
        "{% autoescape off %}Hello {{ name }}, see {{ link }}\n{{ service_name }} {{ portal_url }}"
        "{% endautoescape %}"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    settings.PORTAL_URL = "https://portal.example"


def test_each_recipient_gets_their_own_message_after_the_commit(
    email_template, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(
            to=["a@test.example", "b@test.example", "a@test.example", ""],
            subject="Greetings",
            template="hello",
            context={"name": "Ann & Bo", "link": portal_link("/rounds/")},
        )
        assert mail.outbox == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    assert [m.to for m in mail.outbox] == [["a@test.example"], ["b@test.example"]]
    assert {m.subject for m in mail.outbox} == {"Greetings"}
    assert mail.outbox[0].body == (
        "Hello Ann & Bo, see https://portal.example/rounds/\nHICM Portal https://portal.example"
    )


def test_nothing_is_sent_when_the_step_is_rolled_back(
    email_template, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notify(to=["a@test.example"], subject="S", template="hello", context={})
        transaction.set_rollback(True)
    assert mail.outbox == []


def test_nobody_to_tell_sends_nothing(email_template, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(to=[], subject="S", template="hello", context={})
    assert callbacks == [] and mail.outbox == []


def test_no_code_of_the_portal_sends_e_mail_any_other_way():
    other_ways = re.compile(
        r"\b(send_mail|send_mass_mail|EmailMessage|EmailMultiAlternatives|get_connection)\b"
    )
    offenders = [
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        # notify() queues the e-mail; the task worker sends it (hicm_portal/email_tasks.py).
        if path not in {ROOT / "hicm_portal" / "notify.py", ROOT / "hicm_portal" / "email_tasks.py"}
        and "migrations" not in path.parts
        and other_ways.search(
            "\n".join(
                line
                for line in path.read_text().splitlines()
                if not line.lstrip().startswith(("#", "def send_mail"))
            )
        )
    ]
    assert offenders == []
