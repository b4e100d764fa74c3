"""The return's options on its page: a title per return (empty for "Appendix C – " and the
framework's name), level numbers if wanted, and a narrative in a small Markdown subset; and the
Word file, issued into the snapshot once, downloaded and exported like the PDF and workbook."""

import html
import io
import json

import docx
import pytest
from django.core.management import call_command

from assessments.models import Round
from improvement_plans import reports, return_selectors, return_services
from improvement_plans.markdown import FORMATTING_HINT
from improvement_plans.models import IssuedReturn, ReturnNarrative
from tests.returns.helpers import issued_url, pdf_text, url

pytestmark = pytest.mark.django_db

FORM = {
    "title": "Appendix C – HICM for Managing Transfers of Care",
    "show_level_numbers": "on",
    "performance_issues": "Delays at weekends:\n\n- no transport\n- no pharmacy",
    "changes_to_embed": "",
    "anticipated_improvements": "Fewer delays.",
}


def word(content: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(bytes(content)))


def test_the_page_offers_the_title_the_numbers_and_says_what_formatting_works(client, cast, plan):
    client.force_login(cast.facilitator)
    page = html.unescape(client.get(url("return_page", plan)).content.decode())
    default = f"Appendix C – {plan.framework.title}"
    assert "Title of the return" in page and f"Leave it empty for “{default}”." in page
    assert "Write each level's number before its name in the levels table" in page
    assert FORMATTING_HINT in page
    assert "The changes that you are looking to embed further – including any changes" in page
    assert "Anticipated improvements from this work" in page
    assert url("return_draft_file", plan, "docx") in page
    assert return_selectors.return_data(plan)["title"] == default


def test_the_title_numbers_and_narrative_go_into_the_return(client, cast, plan):
    client.force_login(cast.facilitator)
    assert client.post(url("return_page", plan), FORM).status_code == 302
    saved = ReturnNarrative.objects.get(round=plan)
    assert saved.title == FORM["title"] and saved.show_level_numbers
    data = return_selectors.return_data(plan)
    assert data["title"] == FORM["title"] and data["show_level_numbers"] is True
    preview = client.get(url("return_preview", plan)).content.decode()
    assert '<ul class="govuk-list govuk-list--bullet">\n<li>no transport</li>' in preview
    pdf = pdf_text(client.get(url("return_draft_file", plan, "pdf")).content)
    assert FORM["title"] in pdf and "1. Early discharge planning 3 Established 4 Mature" in pdf

    form = {**FORM, "title": "", "show_level_numbers": ""}
    client.post(url("return_page", plan), form)
    data = return_selectors.return_data(plan)
    assert data["title"] == f"Appendix C – {plan.framework.title}"
    assert data["show_level_numbers"] is False


def test_a_title_too_long_is_refused_and_nothing_is_lost(client, cast, plan):
    client.force_login(cast.facilitator)
    response = client.post(url("return_page", plan), {**FORM, "title": "x" * 201})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and "Delays at weekends" in page
    assert not ReturnNarrative.objects.filter(round=plan).exists()


def test_issuing_builds_the_word_file_once_and_everyone_who_reads_the_plan_downloads_it(
    client, cast, plan
):
    return_services.narrative_save(
        round_=plan,
        saved_by=cast.facilitator,
        performance_issues=FORM["performance_issues"],
    )
    issued = return_services.return_issue(round_=plan, issued_by=cast.facilitator)
    content = bytes(issued.docx)
    files = (bytes(issued.pdf), bytes(issued.xlsx), content)
    assert issued.checksum == reports.checksum(json.dumps(issued.data, sort_keys=True), *files)
    document = word(content)
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == f"Appendix C – {plan.framework.title}"
    assert "Version: Issued, version 1, on " in " ".join(texts)
    assert ("List Bullet", "no pharmacy") in [(p.style.name, p.text) for p in document.paragraphs]
    levels = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    data = issued.data
    for change, row in zip(data["changes"], levels[1:], strict=True):
        assert row[0].startswith(f"{change['code']}. {change['title']}")
        assert row[1:3] == [change["current"]["name"], change["planned"]["name"]]
    amounts = {row.cells[0].text: row.cells[4].text for row in document.tables[1].rows}
    assert amounts["Discharge to assess"] == "1,000.00"
    assert amounts["Reablement"] == "2,500.50"
    assert amounts["Total"] == "3,500.50"

    client.force_login(cast.member)
    response = client.get(issued_url(issued, "docx"))
    assert response.content == content
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert 'filename="testshire-202526-return-v1.docx"' in response["Content-Disposition"]
    with pytest.raises(Exception, match="An issued return cannot change"):
        IssuedReturn.objects.filter(pk=issued.pk).update(docx=b"PK-changed")


def test_export_return_writes_the_word_file(tmp_path, cast, plan):
    issued = return_services.return_issue(round_=plan, issued_by=cast.facilitator)
    for args, expected in (([], bytes(issued.docx)), (["--draft"], None)):
        output = tmp_path / "return.docx"
        call_command(
            "export_return", "--system", "testshire", "--round", "2025/26", "--format", "docx",
            "--output", str(output), *args, stdout=io.StringIO(),
        )  # fmt: skip
        content = output.read_bytes()
        if expected is not None:
            assert content == expected
        assert "Early discharge planning" in " ".join(
            cell.text for row in word(content).tables[0].rows for cell in row.cells
        )


def test_a_round_recorded_afterwards_exports_its_word_return_like_any_agreed_round(tmp_path, plan):
    note = "Health and Wellbeing Board, 12 September 2019"
    Round.objects.filter(pk=plan.pk).update(recorded_afterwards=True, approval_note=note)
    output = tmp_path / "return.docx"
    call_command(
        "export_return", "--system", "testshire", "--round", "2025/26", "--format", "docx",
        "--output", str(output), "--draft", stdout=io.StringIO(),
    )  # fmt: skip
    texts = [p.text for p in word(output.read_bytes()).paragraphs]
    assert (
        "Recorded afterwards: Agreed before the portal and recorded in it afterwards; there are "
        f"no partner ratings behind these levels. Approved by: {note}."
    ) in texts
