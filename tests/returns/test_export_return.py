"""`manage.py export_return`: the latest issued return, or a draft, written to a file."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from assessments.models import Round
from improvement_plans import return_services
from tests.returns.helpers import pdf_text

pytestmark = pytest.mark.django_db


def export(tmp_path, *args, system="testshire", round_name="2025/26", file_format="pdf"):
    output = tmp_path / f"return.{file_format}"
    out = io.StringIO()
    call_command(
        "export_return",
        "--system",
        system,
        "--round",
        round_name,
        "--format",
        file_format,
        "--output",
        str(output),
        *args,
        stdout=out,
    )
    return output.read_bytes(), out.getvalue()


def test_it_writes_the_latest_issued_pdf_and_xlsx(tmp_path, cast, plan):
    first = return_services.return_issue(round_=plan, issued_by=cast.facilitator)
    pdf, said = export(tmp_path)
    assert pdf == bytes(first.pdf)
    assert f"version 1 (checksum {first.checksum})" in said
    xlsx, _ = export(tmp_path, file_format="xlsx")
    assert xlsx == bytes(first.xlsx)

    second = return_services.return_issue(round_=plan, issued_by=cast.facilitator)
    pdf, said = export(tmp_path)
    assert pdf == bytes(second.pdf) != bytes(first.pdf)
    assert "version 2" in said and f"{len(pdf)} bytes" in said


def test_draft_writes_the_return_as_it_is_now(tmp_path, cast, plan):
    pdf, said = export(tmp_path, "--draft")
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "Draft: not issued" in text and "Draft, not issued" in text
    assert "Discharge to assess" in text
    assert "Wrote the draft return" in said
    xlsx, _ = export(tmp_path, "--draft", file_format="xlsx")
    book = load_workbook(io.BytesIO(xlsx))
    assert dict(book["Cover"].iter_rows(min_row=2, values_only=True))["Version"] == "Draft"


@pytest.mark.parametrize(
    ("system", "round_name"), [("nowhere", "2025/26"), ("testshire", "1999/00")]
)
def test_an_unknown_system_or_round_is_a_clear_error(tmp_path, plan, system, round_name):
    with pytest.raises(CommandError, match=f"System '{system}' has no round called '{round_name}'"):
        export(tmp_path, system=system, round_name=round_name)
    assert not (tmp_path / "return.pdf").exists()


def test_no_issued_return_is_a_clear_error(tmp_path, plan):
    with pytest.raises(CommandError, match="No return has been issued for '2025/26'; use --draft"):
        export(tmp_path)
    assert not (tmp_path / "return.pdf").exists()


def test_a_draft_of_a_round_not_yet_agreed_is_refused(tmp_path, plan):
    Round.objects.filter(pk=plan.pk).update(status=Round.Status.APPROVAL)
    with pytest.raises(CommandError, match="only for an agreed round"):
        export(tmp_path, "--draft")
    assert not (tmp_path / "return.pdf").exists()
