"""Shared helpers for the document and background work tests (no tests of its own).

- `database_tasks()`: the database task backend, as production runs it, for one test; the
  suite's default is the immediate backend (tasks run at once).
- `run_worker()`: `manage.py db_worker` until no task is ready, as the worker service would.
- `pdf_words(pdf)`: a PDF's text by `pdftotext` (poppler), in the order it is drawn (so a
  table reads row by row), with the invisible break
  opportunities that `breakable` puts in long runs taken out again.
- `FlakyEmailBackend`: a mail server that is down for a given number of attempts.
- `record_round(...)`: an agreed round whose consensus record holds exactly the given texts,
  written straight to the database (the tests of rendering need no services).
"""

import io
import shutil
import signal
import subprocess
from dataclasses import dataclass

import pytest
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from assessments.models import Consensus, Decision, Dissent, PartnerReturn, Rating, Round
from hicm_portal.templatetags.pdf_text import ZERO_WIDTH_SPACE
from tests.factories import PartnerFactory

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def database_tasks():
    return override_settings(TASKS=DATABASE_TASKS)


def run_worker() -> str:
    """Run every ready task, as `manage.py db_worker` does, then put back the signal handlers
    it sets (they would outlive it in this process)."""
    handled = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
    handlers = {number: signal.getsignal(number) for number in handled}
    out = io.StringIO()
    try:
        call_command(
            "db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0",
            stdout=out,
        )  # fmt: skip
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
    return out.getvalue()


def pdf_words(pdf: bytes) -> str:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(  # noqa: S603 (our own PDF, a fixed command)
        [pdftotext, "-raw", "-enc", "UTF-8", "-", "-"],
        input=bytes(pdf),
        capture_output=True,
        check=True,
    ).stdout.decode()
    return text.replace(ZERO_WIDTH_SPACE, "")


@dataclass
class RecordTexts:
    """What to write in a round's consensus record: functions of (partner index, change code)."""

    rationale: object
    dissent: object = None
    consensus_rationale: object = None
    return_reason: object = None
    attendance_note: str = ""


def record_round(round_: Round, cast, *, partners: int, texts: RecordTexts) -> Round:
    """Make `round_` (in rating, with `cast`'s two partners) an agreed round of `partners`
    partners who rated every change with `texts.rationale(p, code)`, with a consensus per
    change, each partner's dissent, a return with its reason and an approval."""
    for n in range(len(PartnerReturn.objects.filter(round=round_)), partners):
        partner = PartnerFactory(system=round_.system, name=f"Partner number {n:02d}")
        PartnerReturn.objects.create(round=round_, partner=partner)
    returns = list(PartnerReturn.objects.filter(round=round_).select_related("partner"))
    changes = list(round_.framework.changes.filter(archived=False).order_by("position"))
    levels = {level.number: level for level in round_.framework.levels.all()}
    now = timezone.now()
    Rating.objects.bulk_create(
        Rating(
            round=round_,
            partner=partner_return.partner,
            change=change,
            level=levels[1 + p % 5],
            rationale=texts.rationale(p, change.code),
            confidence=Rating.Confidence.MEDIUM,
            version=1,
            updated_at=now,
        )
        for p, partner_return in enumerate(returns)
        for change in changes
    )
    PartnerReturn.objects.filter(round=round_).update(submitted_at=now)
    for change in changes:
        consensus = Consensus.objects.create(
            round=round_,
            change=change,
            level=levels[3],
            planned_level=levels[4],
            rationale=(texts.consensus_rationale or (lambda code: ""))(change.code),
            state=Consensus.State.APPROVED,
            version=2,
            approved_at=now,
        )
        if texts.dissent:
            notes = {r.partner: texts.dissent(p, change.code) for p, r in enumerate(returns)}
            Dissent.objects.bulk_create(
                Dissent(consensus=consensus, partner=partner, note=note)
                for partner, note in notes.items()
                if note
            )
        if texts.return_reason:
            Decision.objects.create(
                consensus=consensus,
                proposal_version=1,
                decided_by=cast.steering,
                kind=Decision.Kind.RETURN,
                reason=texts.return_reason(change.code),
                decided_at=now,
            )
        Decision.objects.create(
            consensus=consensus,
            proposal_version=2,
            decided_by=cast.steering,
            kind=Decision.Kind.APPROVE,
            decided_at=now,
        )
    Round.objects.filter(pk=round_.pk).update(
        status=Round.Status.AGREED,
        revealed_at=now,
        agreed_at=now,
        attendance_note=texts.attendance_note,
    )
    round_.refresh_from_db()
    return round_


class FlakyEmailBackend(locmem.EmailBackend):
    """The test mail server, refusing the connection while `failures_left` is above nought."""

    failures_left = 0

    def send_messages(self, messages):
        if FlakyEmailBackend.failures_left > 0:
            FlakyEmailBackend.failures_left -= 1
            raise ConnectionRefusedError(111, "Connection refused")
        return super().send_messages(messages)
