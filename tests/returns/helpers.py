"""Shared helpers for the BCF return tests (no tests of its own).

- `pdf_text`: a PDF's text with whitespace collapsed, so table cells that wrap still read as
  one line ("4. Home first (and discharge to assess) 2 Plans in place ...").
- `seed_demo_round`: the demo (frameworks, case studies, Northshire) and its 2025/26 round,
  whose return version 1 `seed_demo` issues.
- `plan_round`: an agreed 2020 round of `cast.system` (the plan tests' `agreed_round`) with
  steering approvals, two investments and an action, ready to issue.
"""

import io

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assessments.models import Consensus, Decision, Round
from improvement_plans.models import IssuedReturn
from tests.improvement_plans.helpers import agreed_round, make_action, make_investment

DEMO_PASSWORD = "demo-password-for-tests-1"


def pdf_reader(content: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(bytes(content)))


def page_texts(content: bytes) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in pdf_reader(content).pages]


def pdf_text(content: bytes) -> str:
    return " ".join(page_texts(content))


def seed_demo_round() -> Round:
    out = io.StringIO()
    call_command("load_frameworks", stdout=out)
    call_command("load_casestudies", stdout=out)
    call_command("seed_demo", "--password", DEMO_PASSWORD, stdout=out)
    return Round.objects.select_related("system__region", "framework").get(
        system__slug="northshire", name="2025/26"
    )


def plan_round(cast, framework, *, name: str = "2025/26") -> Round:
    """An agreed round with approvals, a plan and investments; nothing issued yet."""
    round_ = agreed_round(cast.system, framework, name=name, planner=cast.facilitator)
    for consensus in Consensus.objects.filter(round=round_):
        Decision.objects.create(
            consensus=consensus,
            proposal_version=consensus.version,
            decided_by=cast.steering,
            kind=Decision.Kind.APPROVE,
            decided_at=timezone.now(),
        )
    make_investment(round_, scheme="Discharge to assess", amount="1000.00", codes=("1",))
    make_investment(round_, scheme="Reablement", source="ibcf", amount="2500.50", codes=("4", "5"))
    make_action(
        round_,
        title="Set up a discharge hub",
        code="1",
        lead_partner=cast.partner,
        owner=cast.member,
    )
    return round_


# What the issue confirmation page posts.
CONFIRM = {"confirm": "yes"}


def url(name: str, round_: Round, *args) -> str:
    return reverse(name, args=[round_.public_id, *args])


def issued_url(issued: IssuedReturn, file_format: str) -> str:
    return reverse("issued_return_file", args=[issued.public_id, file_format])
