"""One rule in one place: what makes a rating complete, and from which level evidence is
needed, are asked of the model (`Rating.missing_parts`, `Level.needs_evidence`) by the model,
the rating form, the spreadsheet upload and the consensus proposal alike, so they agree."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from assessments import spreadsheets
from assessments.consensus_services import ProposalInput, check_proposal
from assessments.forms import RatingForm
from assessments.models import PartnerReturn, Rating

pytestmark = pytest.mark.django_db

LINK = {"title": "Audit", "url": "https://example.org/audit"}

# level number, rationale, confidence, evidence -> the parts missing
CASES = {
    "complete": ((3, "Why", "medium", []), []),
    "no level": ((None, "Why", "medium", []), ["level"]),
    "no rationale": ((3, "   ", "medium", []), ["rationale"]),
    "no confidence": ((3, "Why", "", []), ["confidence"]),
    "mature without evidence": ((4, "Why", "high", []), ["evidence"]),
    "mature with evidence": ((4, "Why", "high", [LINK]), []),
    "exemplary without evidence": ((5, "Why", "low", []), ["evidence"]),
    "rationale alone": ((None, "Why", "", []), ["level", "confidence"]),
}
# What the form names, and how the upload says it, for each missing part.
FORM_ERRORS = {
    "level": ("level", "required"),
    "rationale": ("rationale", "required"),
    "confidence": ("confidence", "required"),
    "evidence": ("evidence_url_1", "evidence_required"),
}
UPLOAD_ERRORS = {
    "level": "select a level",
    "rationale": "enter a rationale",
    "confidence": "select a confidence",
    "evidence": "add at least one evidence link",
}


@pytest.fixture
def partner_return(cast, open_round):
    return PartnerReturn.objects.select_related("round__framework", "partner").get(
        round=open_round, partner=cast.partner
    )


def levels_of(partner_return) -> dict:
    return {level.number: level for level in partner_return.round.framework.levels.all()}


def form_for(partner_return, number, rationale, confidence, evidence) -> RatingForm:
    levels = levels_of(partner_return)
    data = {"version": "0", "rationale": rationale, "confidence": confidence}
    if number is not None:
        data["level"] = str(levels[number].pk)
    for index, link in enumerate(evidence, start=1):
        data[f"evidence_title_{index}"] = link["title"]
        data[f"evidence_url_{index}"] = link["url"]
    hints = [(level, level.definition) for level in levels.values()]
    return RatingForm(data, level_hints=hints, complete=True)


def upload_row(partner_return, number, rationale, confidence, evidence) -> spreadsheets.UploadRow:
    levels = levels_of(partner_return)
    book = Workbook()
    sheet = book.active
    sheet.title = spreadsheets.SHEET_NAME
    sheet.append(list(spreadsheets.HEADERS))
    sheet.append(
        [
            "1",
            "",
            levels[number].name if number is not None else "",
            rationale,
            spreadsheets.evidence_to_text(evidence),
            confidence.capitalize(),
        ]
    )
    out = io.BytesIO()
    book.save(out)
    parsed = spreadsheets.parse_return_workbook(
        partner_return, SimpleUploadedFile("return.xlsx", out.getvalue())
    )
    (row,) = parsed.rows
    return row


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_the_model_the_form_and_the_upload_agree_on_what_is_complete(partner_return, case):
    (number, rationale, confidence, evidence), missing = CASES[case]
    level = levels_of(partner_return)[number] if number is not None else None

    assert (
        Rating.missing_parts(
            level=level, rationale=rationale, confidence=confidence, evidence=evidence
        )
        == missing
    )
    rating = Rating(level=level, rationale=rationale, confidence=confidence, evidence=evidence)
    assert rating.is_complete == (not missing)

    form = form_for(partner_return, number, rationale, confidence, evidence)
    assert form.is_valid() == (not missing)
    for part in missing:
        field, code = FORM_ERRORS[part]
        assert form.has_error(field, code), (part, form.errors)

    row = upload_row(partner_return, number, rationale, confidence, evidence)
    assert len(row.errors) == len(missing), row.errors
    for part, error in zip(missing, row.errors, strict=True):
        assert UPLOAD_ERRORS[part] in error


def test_the_level_from_which_evidence_is_needed_is_set_in_one_place(partner_return, monkeypatch):
    monkeypatch.setattr("assessments.models.frameworks.EVIDENCE_FROM_LEVEL", 3)
    levels = levels_of(partner_return)
    established = levels[3]
    assert established.needs_evidence and not levels[2].needs_evidence

    assert not Rating(level=established, rationale="Why", confidence="low").is_complete
    form = form_for(partner_return, 3, "Why", "low", [])
    assert form.has_error("evidence_url_1", "evidence_required")
    (error,) = upload_row(partner_return, 3, "Why", "low", []).errors
    assert "a level of Established or above needs evidence" in error
    with pytest.raises(ValidationError) as refused:
        check_proposal(
            ProposalInput(
                level=established, rationale="", planned_level=established, planned_by=None
            ),
            suggested=3,
        )
    assert "rationale" in refused.value.message_dict
