"""Shared helpers for the BCF return tests (no tests of its own).

- `pdf_text`: a PDF's text with whitespace collapsed, so table cells that wrap still read as
  one line ("4. Home first (and discharge to assess) 2 Plans in place ...").
- `seed_demo_round`: the demo (frameworks, case studies, Northshire) and its 2025/26 round,
  whose return version 1 `seed_demo` issues.
- `plan_round`: an agreed 2020 round of `cast.system` (the plan tests' `agreed_round`) with
  steering approvals, two investments and an action, ready to issue.
"""

import io
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assessments.models import Consensus, Decision, Round
from hicm_portal.templatetags.pdf_text import ZERO_WIDTH_SPACE
from improvement_plans.models import IssuedReturn
from tests.improvement_plans.helpers import agreed_round, make_action, make_investment

DEMO_PASSWORD = "demo-password-for-tests-1"


def pdf_reader(content: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(bytes(content)))


def page_texts(content: bytes) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in pdf_reader(content).pages]


def pdf_text(content: bytes) -> str:
    return " ".join(page_texts(content))


def pdf_layout_text(content: bytes) -> str:
    """A PDF's text by `pdftotext -layout` (poppler), whitespace collapsed: list markers
    ("•", "3.") stay beside their items, where the other readers leave them out."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(  # noqa: S603 (our own PDF, a fixed command)
        [pdftotext, "-layout", "-enc", "UTF-8", "-", "-"],
        input=bytes(content),
        capture_output=True,
        check=True,
    ).stdout.decode()
    return " ".join(text.replace(ZERO_WIDTH_SPACE, "").split())


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


# The 2019/20 plan appendix of the issue: the 2017 model's eight changes, levels now and planned
# by 31 March 2020 (as the Leicester, Leicestershire and Rutland BCF plan's Appendix C gave
# them, seed 003), and £250,000 of investments mapped to four changes (frameworks.md).
APPENDIX_LEVELS = {
    1: "Not yet established",
    2: "Plans in place",
    3: "Established",
    4: "Mature",
    5: "Exemplary",
}
APPENDIX_CHANGES = [
    ("1", "Early discharge planning", 3, 4),
    ("2", "Systems to monitor patient flow", 3, 4),
    ("3", "Multi-disciplinary/multi-agency discharge teams", 4, 4),
    ("4", "Home first/discharge to assess", 3, 4),
    ("5", "Seven-day services", 3, 3),
    ("6", "Trusted assessors", 3, 4),
    ("7", "Focus on choice", 4, 5),
    ("8", "Enhancing health in care homes", 3, 4),
]
APPENDIX_INVESTMENTS = [
    ("Multi-disciplinary discharge team", "3", "100000.00"),
    ("Trusted assessor for care homes", "6", "70000.00"),
    ("Choice advisers", "7", "30000.00"),
    ("Care home in-reach", "8", "50000.00"),
]


def appendix_level(number: int | None) -> dict | None:
    return {"number": number, "name": APPENDIX_LEVELS[number]} if number else None


def appendix_data(**overrides) -> dict:
    """A return's data (the shape `return_selectors.return_data` gives, as an issued return
    keeps it) for the 2019/20 appendix, without the database."""
    invested = {code: amount for _scheme, code, amount in APPENDIX_INVESTMENTS}
    changes = [
        {
            "code": code,
            "title": title,
            "previous": None,
            "current": appendix_level(current),
            "planned": appendix_level(planned),
            "planned_by": "2020-03-31",
            "rationale": "Audited by the discharge group." if current >= 4 else "",
            "challenges": "",
            "milestones": "",
            "support_needs": "",
            "gap": planned - current,
            "actions": {},
            "no_action": False,
            "invested": invested.get(code, "0.00"),
        }
        for code, title, current, planned in APPENDIX_CHANGES
    ]
    data = {
        "title": "Appendix C – High Impact Change Model for Managing Transfers of Care",
        "show_level_numbers": False,
        "system": "Leicestershire",
        "region": "Midlands",
        "framework": "Managing transfers of care – a High Impact Change Model",
        "round": "2019/20",
        "opens_on": "2019-04-01",
        "closes_on": "2019-09-12",
        "agreed_at": "2019-09-12",
        "quorum": 1,
        "approvers": [],
        "previous_round": None,
        "narrative": {
            "performance_issues": "",
            "changes_to_embed": "",
            "anticipated_improvements": "",
        },
        "levels": [appendix_level(number) for number in APPENDIX_LEVELS],
        "changes": changes,
        "investments": [
            {
                "scheme": scheme,
                "source": "Better Care Fund",
                "year": "2019/20",
                "amount": amount,
                "changes": [code],
            }
            for scheme, code, amount in APPENDIX_INVESTMENTS
        ],  # fmt: skip
        "totals": {
            "total": "250000.00",
            "by_source": [["Better Care Fund", "250000.00"]],
            "by_year": [["2019/20", "250000.00"]],
        },
        "actions": [],
        "trend": {},
    }
    data.update(overrides)
    return data
