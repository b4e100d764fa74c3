"""The audit trail lists every transition, proposal and decision, with who and when."""

import html
import re

import pytest
from django.utils import timezone
from django.utils.dateformat import format as date_format

from assessments.models import AuditEvent
from hicm_portal.words import govuk_time
from tests.assessments.helpers import (
    approve,
    codes,
    propose,
    to_approval,
    url,
)

pytestmark = pytest.mark.django_db


def audit_rows(page: str) -> list[list[str]]:
    """The audit table as lists of cell texts."""
    body = page.split('<tbody class="govuk-table__body">')[1].split("</tbody>")[0]
    return [
        [
            html.unescape(re.sub(r"\s+", " ", cell).strip())
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_the_audit_trail_lists_reveal_proposals_and_decisions_with_who_and_when(
    client, cast, open_round
):
    to_approval(open_round, cast)
    approve(open_round, "1", cast.steering)
    client.force_login(cast.member)
    response = client.get(url(open_round, "audit"))
    assert response.status_code == 200
    rows = audit_rows(response.content.decode())
    by_action = {action: (when, who, detail) for when, who, action, detail in rows}
    assert by_action["Revealed the ratings"][1] == "Fay Facilitator"
    assert by_action["Revealed the ratings"][2] == "All returns in."
    for code in codes(open_round):
        assert by_action[f"Proposed {code}"][1] == "Fay Facilitator"
        assert by_action[f"Proposed {code}"][2] == "Level 3 Established; planned 3 Established"
    assert by_action["Submitted for approval"][1] == "Fay Facilitator"
    assert by_action["Approved 1"][1] == "Stu Steering"
    assert by_action["Approved 1"][2] == "Proposal version 1"
    assert by_action["1 approved"][1] == "The portal"
    # Partners' submissions are on the trail too, oldest first.
    actions = [action for _when, _who, action, _detail in rows]
    assert actions.index("Submitted Testshire Hospitals' return") < actions.index(
        "Revealed the ratings"
    )
    assert actions.index("Revealed the ratings") < actions.index("Proposed 1")
    assert actions.index("Proposed 9") < actions.index("Submitted for approval")
    assert actions.index("Submitted for approval") < actions.index("Approved 1")
    # When: each event's own time, as the page formats it.
    event = AuditEvent.objects.get(action="Approved 1")
    at = timezone.localtime(event.at)
    assert by_action["Approved 1"][0] == f"{date_format(at, 'j M Y')}, {govuk_time(at)}"


def test_the_audit_trail_records_changes_returns_and_agreement(client, cast, open_round):
    to_approval(open_round, cast)
    client.force_login(cast.steering)
    client.post(url(open_round, "decide", "2"), {"return": "", "reason": "Look at the evidence"})
    open_round.refresh_from_db()
    propose(open_round, "2", cast.facilitator, number=2)  # straight back to the committee
    for code in codes(open_round):
        approve(open_round, code, cast.steering)
    client.force_login(cast.other_member)
    rows = audit_rows(client.get(url(open_round, "audit")).content.decode())
    by_action = {action: (who, detail) for _when, who, action, detail in rows}
    assert by_action["Returned 2 for a new proposal"] == ("Stu Steering", "Look at the evidence")
    assert by_action["Changed the proposal for 2"] == (
        "Fay Facilitator",
        "Level 2 Plans in place; planned 2 Plans in place",
    )
    assert by_action["Round agreed"] == (
        "The portal",
        "Every change approved by the steering committee",
    )
    assert [action for _w, _who, action, _d in rows].count("Submitted for approval") == 1
    assert [action for _w, _who, action, _d in rows][-1] == "Round agreed"


def test_the_regional_viewer_reads_the_audit_trail_only_once_agreed(client, cast, open_round):
    to_approval(open_round, cast)
    client.force_login(cast.viewer)
    assert client.get(url(open_round, "audit")).status_code == 403
    for code in codes(open_round):
        approve(open_round, code, cast.steering)
    response = client.get(url(open_round, "audit"))
    assert response.status_code == 200
    assert "Round agreed" in response.content.decode()
