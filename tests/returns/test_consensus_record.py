"""The consensus record: the minute of an agreed round, as a PDF.

The round goes through rating, reveal, proposals (one with dissent), a return by the
steering committee with its reason, a new proposal and approval, all through the services.
"""

import re

import pytest
from django.utils import timezone

from assessments import consensus_services
from assessments.consensus_services import ProposalInput
from assessments.models import Consensus, Round
from improvement_plans import reports
from tests.assessments.helpers import (
    PROPOSAL_RATIONALE,
    approve,
    codes,
    level,
    propose,
    submit,
)
from tests.returns.helpers import pdf_reader, pdf_text, url

pytestmark = pytest.mark.django_db

DISSENT = "Too generous while weekend discharges lag"
RETURN_REASON = "Check the weekend audit first"


def propose_with_dissent(round_, cast, *, version: int):
    return consensus_services.consensus_propose(
        round_=round_,
        change=round_.framework.changes.get(code="1"),
        data=ProposalInput(
            level=level(round_, 3),
            rationale="Both sites discharge to plan on weekdays",
            planned_level=level(round_, 3),
            planned_by=None,
            dissent={cast.partner.pk: DISSENT},
        ),
        proposed_by=cast.facilitator,
        expected_version=version,
        suggested=3,
    )


@pytest.fixture
def in_approval(cast, open_round) -> Round:
    """Rated by both partners, revealed, proposed, returned once and proposed again."""
    round_ = open_round
    submit(round_, cast.partner, cast.member, level_number=2, rationale="Hospital view")
    submit(round_, cast.other_partner, cast.other_member, level_number=4, rationale="Council view")
    consensus_services.round_reveal(round_=round_, revealed_by=cast.facilitator)
    consensus_services.attendance_record(
        round_=round_,
        recorded_by=cast.facilitator,
        attendees=[cast.member, cast.other_member],
        note="Apologies from Stu",
    )
    propose_with_dissent(round_, cast, version=0)
    for code in codes(round_)[1:]:
        propose(round_, code, cast.facilitator)
    consensus_services.round_submit_for_approval(round_=round_, submitted_by=cast.facilitator)
    consensus_services.decision_record(
        round_=round_,
        change=round_.framework.changes.get(code="1"),
        decided_by=cast.steering,
        kind="return",
        reason=RETURN_REASON,
    )
    returned = Consensus.objects.get(round=round_, change__code="1")
    # Proposed again while the round waits for approval: straight back to the committee.
    propose_with_dissent(round_, cast, version=returned.version)
    round_.refresh_from_db()
    assert round_.status == Round.Status.APPROVAL
    return round_


@pytest.fixture
def agreed_record(cast, in_approval) -> Round:
    for code in codes(in_approval):
        approve(in_approval, code, cast.steering)
    in_approval.refresh_from_db()
    assert in_approval.is_agreed
    return in_approval


def sections(text: str, round_) -> dict[str, str]:
    """The record's text per change, by code."""
    changes = list(round_.framework.changes.filter(archived=False).order_by("position"))
    starts = [text.index(f"{c.code}. {c.title} Agreement:") for c in changes]
    assert starts == sorted(starts)
    ends = [*starts[1:], len(text)]
    return {c.code: text[s:e] for c, s, e in zip(changes, starts, ends, strict=True)}


def test_the_record_minutes_every_rating_dissent_decision_and_approval(client, cast, agreed_record):
    round_ = agreed_record
    client.force_login(cast.member)
    response = client.get(url("consensus_record", round_))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith(
        'filename="testshire-202627-q3-consensus-record.pdf"'
    )
    reader = pdf_reader(response.content)
    assert reader.metadata.title == f"Consensus record: Testshire, {round_.name}"
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    text = pdf_text(response.content)
    assert f"agreed {timezone.localtime(round_.agreed_at):%-d %B %Y}" in text
    assert "Workshop attendance: Mina Member, Otto Other; Apologies from Stu." in text
    by_change = sections(text, round_)
    assert len(by_change) == 9
    for code, own in by_change.items():
        assert f"Testshire Council 4 Mature Medium Council view ({code})" in own
        assert f"Testshire Hospitals 2 Plans in place Medium Hospital view ({code})" in own
        assert "Agreed: 3 Established; planned Established." in own
        approvals = re.findall(r"Stu Steering approved version (\d+) on", own)
        assert len(approvals) == 1, own
    first = by_change["1"]
    assert "Rationale: Both sites discharge to plan on weekdays" in first
    assert f"Dissent: Testshire Hospitals: {DISSENT}" in first
    returned = re.search(r"Stu Steering returned version (\d+) on [^(]+\(\"(.+?)\"\)", first)
    assert returned and returned.group(2) == RETURN_REASON
    approved = re.search(r"Stu Steering approved version (\d+)", first)
    assert int(approved.group(1)) > int(returned.group(1))
    for code in codes(round_)[1:]:
        assert "Dissent:" not in by_change[code] and "returned" not in by_change[code]
        assert f"Rationale: {PROPOSAL_RATIONALE}" in by_change[code]


def test_the_attendance_line_reads_well_with_a_note_but_no_names(cast, agreed_record):
    agreed_record.attendees.clear()
    text = pdf_text(reports.consensus_record_pdf(agreed_record))
    assert "Workshop attendance: Apologies from Stu." in text
    Round.objects.filter(pk=agreed_record.pk).update(attendance_note="Every partner came.")
    agreed_record.refresh_from_db()
    text = pdf_text(reports.consensus_record_pdf(agreed_record))
    assert "Workshop attendance: Every partner came. " in text + " "
    assert ".." not in text


@pytest.fixture
def fake_pdf(monkeypatch):
    """The permission tests need not render: a stand-in for the record's PDF."""
    monkeypatch.setattr(reports, "consensus_record_pdf", lambda round_: b"%PDF-stand-in")


PARTICIPANTS = ["member", "other_member", "facilitator", "steering"]


def test_there_is_no_record_before_the_round_is_agreed(client, cast, in_approval, fake_pdf):
    for role in PARTICIPANTS:
        client.force_login(cast.roles()[role])
        assert client.get(url("consensus_record", in_approval)).status_code == 404, role
    client.force_login(cast.viewer)  # regional viewers do not see the round until agreed
    assert client.get(url("consensus_record", in_approval)).status_code == 403


def test_participants_and_regional_viewers_read_the_record_of_an_agreed_round(
    client, cast, agreed_record, fake_pdf
):
    for role in [*PARTICIPANTS, "viewer"]:
        client.force_login(cast.roles()[role])
        response = client.get(url("consensus_record", agreed_record))
        assert response.status_code == 200, role
        assert response.content == b"%PDF-stand-in"
    for role in ["outsider", "nobody"]:
        client.force_login(cast.roles()[role])
        assert client.get(url("consensus_record", agreed_record)).status_code == 404, role
    client.logout()
    assert client.get(url("consensus_record", agreed_record)).status_code == 302
