"""An issued return is a frozen snapshot: later changes to the plan never change its files,
re-issuing makes a new version, and the preview lists what changed since the last one."""

import html
import json
import re

import pytest

from assessments.models import Consensus
from improvement_plans import reports
from improvement_plans.models import Investment, IssuedReturn
from tests.improvement_plans.helpers import make_action, reagree
from tests.returns.helpers import CONFIRM, issued_url, pdf_text, url

pytestmark = pytest.mark.django_db


def download(client, issued: IssuedReturn) -> tuple[bytes, bytes]:
    pdf = client.get(issued_url(issued, "pdf"))
    xlsx = client.get(issued_url(issued, "xlsx"))
    assert pdf.status_code == xlsx.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert xlsx["Content-Type"].endswith("spreadsheetml.sheet")
    return pdf.content, xlsx.content


def recomputed_checksum(issued: IssuedReturn, pdf: bytes, xlsx: bytes) -> str:
    """The checksum of the data and the three files (the Word file as stored: `download`
    compares the other two)."""
    return reports.checksum(json.dumps(issued.data, sort_keys=True), pdf, xlsx, bytes(issued.docx))


def what_changed(client, round_) -> list[str]:
    page = client.get(url("return_preview", round_)).content.decode()
    start = page.index("What changed since version")
    listed = page[start : page.index("</ul>", start)]
    return [html.unescape(line) for line in re.findall(r"<li>(.*?)</li>", listed, re.S)]


def change_the_plan(round_, cast) -> None:
    """A planned level raised, an agreed level changed, an investment deleted, an action added."""
    levels = {level.number: level for level in round_.framework.levels.all()}
    reagree(Consensus.objects.get(round=round_, change__code="1"), planned_level=levels[5])
    reagree(
        Consensus.objects.get(round=round_, change__code="2"),
        level=levels[4],
        planned_level=levels[4],
        rationale="Audited in March",
    )
    Investment.objects.get(round=round_, scheme_name="Reablement").delete()
    make_action(
        round_, title="Home first pilot", code="4", lead_partner=cast.partner, owner=cast.member
    )


def test_the_issued_files_and_checksum_never_change_when_the_plan_does(client, cast, plan):
    client.force_login(cast.facilitator)
    response = client.post(url("return_issue", plan), CONFIRM)
    assert response.status_code == 302
    issued = IssuedReturn.objects.get(round=plan)
    assert issued.version == 1
    pdf, xlsx = download(client, issued)
    assert pdf == bytes(issued.pdf) and xlsx == bytes(issued.xlsx)
    assert recomputed_checksum(issued, pdf, xlsx) == issued.checksum
    latest = client.get(url("return_pdf", plan))
    assert latest.content == pdf
    assert 'filename="testshire-202526-return-v1.pdf"' in latest["Content-Disposition"]

    word = client.get(issued_url(issued, "docx")).content
    assert word == bytes(issued.docx) and word.startswith(b"PK")

    change_the_plan(plan, cast)

    assert download(client, issued) == (pdf, xlsx)
    assert client.get(issued_url(issued, "docx")).content == word
    assert client.get(url("return_pdf", plan)).content == pdf
    stored = IssuedReturn.objects.get(pk=issued.pk)
    assert stored.checksum == issued.checksum
    assert recomputed_checksum(stored, bytes(stored.pdf), bytes(stored.xlsx)) == issued.checksum
    assert stored.data == issued.data
    text = pdf_text(pdf)
    assert "1. Early discharge planning" in text and "Reablement" in text
    assert "Home first pilot" not in text and "Exemplary" not in text
    page = client.get(url("return_page", plan)).content.decode()
    assert issued.checksum[:16] in page  # shown (truncated) for checking downloads


def test_reissuing_makes_version_2_and_the_preview_lists_what_changed(client, cast, plan):
    client.force_login(cast.facilitator)
    client.post(url("return_issue", plan), CONFIRM)
    first = IssuedReturn.objects.get(round=plan)
    assert what_changed(client, plan) == []
    preview = client.get(url("return_preview", plan)).content.decode()
    assert "Nothing has changed since version 1 was issued." in preview

    change_the_plan(plan, cast)

    assert what_changed(client, plan) == [
        "Change 1: planned level 4 Mature → 5 Exemplary",
        "Change 2: agreed level 3 Established → 4 Mature",
        "Change 2: planned level 3 Established → 4 Mature",
        "Investment removed: Reablement (£2500.50)",
        "Action added for change 4: Home first pilot",
    ]
    response = client.post(url("return_issue", plan), CONFIRM, follow=True)
    assert "Version 2 of the return is issued." in response.content.decode()
    second = IssuedReturn.objects.get(round=plan, version=2)
    assert second.checksum != first.checksum
    assert sorted(IssuedReturn.objects.filter(round=plan).values_list("version", flat=True)) == [
        1,
        2,
    ]
    # Version 1 is as it was; version 2 and the "latest" link show the plan as it is now.
    assert download(client, first) == (bytes(first.pdf), bytes(first.xlsx))
    latest = client.get(url("return_pdf", plan))
    assert latest.content == bytes(second.pdf)
    text = pdf_text(latest.content)
    assert "Issued return, version 2" in text
    assert "1. Early discharge planning Established Exemplary" in text
    assert "Home first pilot" in text and "Reablement" not in text
    assert "Rationale for Mature Audited in March" in text
    assert (
        "Nothing has changed since version 2 was issued."
        in client.get(url("return_preview", plan)).content.decode()
    )
