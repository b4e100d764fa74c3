"""Downloading a return as a spreadsheet, filling it in, and uploading it again."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from assessments import spreadsheets
from assessments.framework_content import framework_edited
from assessments.models import Change, PartnerReturn, Rating, Round
from assessments.round_services import RETURN_NOT_OPEN
from assessments.spreadsheets import (
    HEADERS,
    NO_RETURN_SHEET,
    NOT_XLSX,
    SHEET_NAME,
    UPLOAD_CHANGE_REASON,
    ParsedUpload,
    parse_return_workbook,
    return_workbook,
    upload_apply,
)
from hicm_portal import uploads

pytestmark = pytest.mark.django_db

SECRET = "Only the council knows this rationale"
SECRET_URL = "https://council.example/secret-evidence"


@pytest.fixture
def framework(frameworks):
    return frameworks["mtoc-2020"]


@pytest.fixture
def partner_return(cast, framework):
    today = timezone.localdate()
    round_ = Round.objects.create(
        system=cast.system,
        name="Spring 2026",
        framework=framework,
        status=Round.Status.RATING,
        opens_on=today,
        closes_on=today + timedelta(days=30),
        quorum=1,
    )
    PartnerReturn.objects.create(round=round_, partner=cast.other_partner)
    return PartnerReturn.objects.create(round=round_, partner=cast.partner)


def level(framework, number):
    return framework.levels.get(number=number)


def change(framework, code):
    return Change.objects.get(framework=framework, code=code)


def rate(partner_return, partner, code, number, rationale="Because", **extra):
    framework = partner_return.round.framework
    return Rating.objects.create(
        round=partner_return.round,
        partner=partner,
        change=change(framework, code),
        level=level(framework, number),
        rationale=rationale,
        version=1,
        **extra,
    )


def open_sheet(data: bytes):
    return load_workbook(io.BytesIO(data))[SHEET_NAME]


def upload(data: bytes, name: str = "return.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=spreadsheets.CONTENT_TYPE)


def filled(data: bytes, rows: dict[str, tuple]) -> bytes:
    """The downloaded workbook with the rows of the given change codes filled in
    (level, rationale, evidence, confidence), as someone would in Excel."""
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook[SHEET_NAME]
    for cells in sheet.iter_rows(min_row=2):
        code = str(cells[0].value)
        if code in rows:
            for cell, value in zip(cells[2:6], rows[code], strict=True):
                cell.value = value
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def made(rows: list[tuple], headers=HEADERS, title=SHEET_NAME) -> bytes:
    """A workbook made from scratch: the header row, then the given rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


GOOD = ("Established", "We plan discharge from admission", "", "Medium")
MATURE = ("Mature", "Tested over two winters", "Audit | https://example.org/audit", "High")


# ---------------------------------------------------------------------------
# Download


def test_the_download_has_a_return_sheet_with_the_headers_and_a_row_per_change(
    partner_return, framework
):
    sheet = open_sheet(return_workbook(partner_return))
    rows = list(sheet.iter_rows(values_only=True))
    assert sheet.title == "Return"
    assert rows[0] == HEADERS
    assert len(rows) == 1 + 9
    live = Change.objects.filter(framework=framework, archived=False).order_by("position")
    assert [(row[0], row[1]) for row in rows[1:]] == [(c.code, c.title) for c in live]
    assert sheet.freeze_panes == "A2"


def test_archived_changes_are_left_out_of_the_download(partner_return, framework):
    Change.objects.filter(framework=framework, code="9").update(archived=True)
    framework_edited(framework.pk)  # a new wording version, which the unpinned round follows
    codes = [row[0] for row in open_sheet(return_workbook(partner_return)).iter_rows(min_row=2)]
    assert [cell.value for cell in codes] == [str(n) for n in range(1, 9)]


def test_the_level_column_has_a_drop_down_of_the_framework_levels(partner_return, framework):
    workbook = load_workbook(io.BytesIO(return_workbook(partner_return)))
    sheet = workbook[SHEET_NAME]
    validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    level_list = validations["C2:C10"]
    assert level_list.type == "list"
    assert level_list.formula1 == "'Lists'!$A$1:$A$5"
    lists = workbook["Lists"]
    assert lists.sheet_state == "hidden"
    names = [row[0] for row in lists.iter_rows(values_only=True)]
    assert names == [lv.name for lv in framework.levels.order_by("number")]
    assert names[2] == "Established"


def test_the_confidence_column_has_a_drop_down_of_low_medium_high(partner_return):
    sheet = open_sheet(return_workbook(partner_return))
    validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert validations["F2:F10"].formula1 == '"Low,Medium,High"'


def test_the_download_is_filled_in_with_the_partners_current_ratings(cast, partner_return):
    rate(
        partner_return,
        cast.partner,
        "2",
        4,
        rationale="Daily huddles",
        evidence=[
            {"title": "Huddle notes", "url": "https://example.org/huddles"},
            {"title": "https://example.org/bare", "url": "https://example.org/bare"},
        ],
        confidence="high",
    )
    rows = list(open_sheet(return_workbook(partner_return)).iter_rows(values_only=True))
    assert rows[2][2:] == (
        "Mature",
        "Daily huddles",
        "Huddle notes | https://example.org/huddles\nhttps://example.org/bare",
        "High",
    )
    assert rows[1][2:] == (None, None, None, None)


def test_the_download_names_the_round_partner_and_due_date_in_its_properties(partner_return):
    workbook = load_workbook(io.BytesIO(return_workbook(partner_return)))
    due = partner_return.round.closes_on.strftime("%-d %B %Y")
    assert workbook.properties.title == f"Spring 2026: Testshire Hospitals, due {due}"


def test_the_download_holds_nothing_of_another_partners_ratings(cast, partner_return):
    rate(partner_return, cast.partner, "1", 3, rationale="Our own rationale")
    rate(
        partner_return,
        cast.other_partner,
        "1",
        5,
        rationale=SECRET,
        evidence=[{"title": "Secret", "url": SECRET_URL}],
        confidence="low",
    )
    data = return_workbook(partner_return)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = b"".join(archive.read(name) for name in archive.namelist())
    assert b"Our own rationale" in unpacked
    assert SECRET.encode() not in unpacked
    assert SECRET_URL.encode() not in unpacked
    assert open_sheet(data)["C2"].value == "Established"


def test_text_that_looks_like_a_formula_stays_text_both_ways(cast, partner_return):
    rate(partner_return, cast.partner, "1", 3, rationale="=HYPERLINK(1)", confidence="low")
    data = return_workbook(partner_return)
    cell = open_sheet(data)["D2"]
    assert (cell.value, cell.data_type) == ("=HYPERLINK(1)", "s")
    parsed = parse_return_workbook(partner_return, upload(data))
    assert not parsed.has_errors
    assert parsed.rows[0].rationale == "=HYPERLINK(1)"


# ---------------------------------------------------------------------------
# Round trip


def test_a_filled_in_spreadsheet_is_saved_with_history_saying_it_was_uploaded(
    cast, partner_return, framework
):
    rows = {str(n): GOOD for n in range(1, 10)}
    rows["4"] = MATURE
    data = filled(return_workbook(partner_return), rows)

    parsed = parse_return_workbook(partner_return, upload(data))
    assert parsed.problems == []
    assert not parsed.has_errors, parsed.all_errors
    assert [row.number for row in parsed.rows] == list(range(2, 11))

    assert upload_apply(partner_return, parsed, cast.member) == 9
    ratings = Rating.objects.filter(round=partner_return.round, partner=cast.partner)
    assert ratings.count() == 9
    for rating in ratings:
        assert rating.is_complete
        assert rating.version == 1
        assert rating.updated_by == cast.member
        assert rating.history.first().history_change_reason == UPLOAD_CHANGE_REASON
    mature = ratings.get(change__code="4")
    assert (mature.level.name, mature.confidence) == ("Mature", "high")
    assert mature.evidence == [{"title": "Audit", "url": "https://example.org/audit"}]
    established = ratings.get(change__code="1")
    assert (established.level.number, established.confidence) == (3, "medium")
    assert established.rationale == "We plan discharge from admission"


def test_uploading_over_existing_ratings_moves_their_version_on(cast, partner_return):
    rating = rate(partner_return, cast.partner, "1", 2, confidence="low")
    data = filled(return_workbook(partner_return), {"1": GOOD})
    parsed = parse_return_workbook(partner_return, upload(data))
    assert upload_apply(partner_return, parsed, cast.member) == 1
    rating.refresh_from_db()
    assert (rating.level.number, rating.version, rating.confidence) == (3, 2, "medium")
    assert Rating.objects.filter(partner=cast.partner).count() == 1


@pytest.mark.parametrize(
    "written", ["Established", "  established ", "ESTABLISHED", "3", 3, 3.0, "3 Established"]
)
def test_a_level_is_accepted_by_its_name_its_number_or_both(partner_return, framework, written):
    data = made([("1", "Early discharge planning", written, "Why", "", "low")])
    parsed = parse_return_workbook(partner_return, upload(data))
    assert not parsed.has_errors, parsed.all_errors
    assert parsed.rows[0].level_id == level(framework, 3).pk
    assert parsed.rows[0].level_name == "Established"


def test_cells_of_any_type_are_read_as_text(partner_return):
    data = made([(1, "Early discharge planning", 3, "  Why  ", None, " HIGH ")])
    row = parse_return_workbook(partner_return, upload(data)).rows[0]
    assert (row.code, row.rationale, row.confidence, row.errors) == ("1", "Why", "high", [])


def test_empty_rows_and_rows_without_a_rating_are_skipped(partner_return):
    data = made(
        [
            ("1", "Early discharge planning", *GOOD),
            (None, None, None, None, None, None),
            ("2", "Monitoring", None, "", None, None),
            ("3", "Multi-disciplinary working", *GOOD),
        ]
    )
    parsed = parse_return_workbook(partner_return, upload(data))
    assert not parsed.has_errors
    assert [(row.number, row.code) for row in parsed.rows] == [(2, "1"), (5, "3")]


def test_headings_are_matched_whatever_their_case_and_spacing(partner_return):
    headers = ["  code", "CHANGE ", "level", "Rationale", "evidence", "confidence"]
    data = made([("1", "", *GOOD)], headers=headers)
    assert not parse_return_workbook(partner_return, upload(data)).has_errors


def test_the_preview_survives_a_trip_through_the_session_as_json(partner_return):
    data = made([("1", "", *GOOD), ("4", "", "Mature", "Why", "", "High")])
    parsed = parse_return_workbook(partner_return, upload(data))
    again = ParsedUpload.from_json(json.loads(json.dumps(parsed.to_json())))
    assert again == parsed
    assert again.has_errors


# ---------------------------------------------------------------------------
# Mistakes in rows


ROW_MISTAKES = {
    "unknown code": (("99", "", *GOOD), "Row 3: there is no change 99 in"),
    "code missing": (("", "Early discharge planning", *GOOD), "Row 3: enter the code"),
    "code twice": (("1", "", *GOOD), "Row 3: change 1 is also in row 2"),
    "unknown level": (
        ("2", "", "Brilliant", "Why", "", "Low"),
        "Row 3: Brilliant is not a level of this framework. Select one of: Not yet established,",
    ),
    "number off the scale": (("2", "", "6", "Why", "", "Low"), "Row 3: 6 is not a level"),
    "level missing": (("2", "", "", "Why", "", "Low"), "Row 3: select a level"),
    "rationale missing": (("2", "", "Established", "", "", "Low"), "Row 3: enter a rationale"),
    "confidence wrong": (
        ("2", "", "Established", "Why", "", "Very"),
        "Row 3: select a confidence of Low, Medium or High",
    ),
    "confidence missing": (
        ("2", "", "Established", "Why", "", ""),
        "Row 3: select a confidence of Low, Medium or High",
    ),
    "evidence not a link": (
        ("2", "", "Established", "Why", "https://example.org/a\nOur policy", "Low"),
        "Row 3: evidence line 2 is not a link",
    ),
    "evidence not a web address": (
        ("2", "", "Established", "Why", "Policy | ftp://example.org/p", "Low"),
        "Row 3: evidence line 1 is not a link",
    ),
    "mature without evidence": (
        ("2", "", "Mature", "Why", "", "Low"),
        "Row 3: add at least one evidence link, because a level of Mature or above",
    ),
    "exemplary without evidence": (
        ("2", "", "5", "Why", "  ", "Low"),
        "Row 3: add at least one evidence link",
    ),
}


@pytest.mark.parametrize("mistake", ROW_MISTAKES, ids=list(ROW_MISTAKES))
def test_a_mistake_in_a_row_is_reported_with_its_row_number_and_nothing_is_saved(
    cast, partner_return, mistake
):
    row, message = ROW_MISTAKES[mistake]
    data = made([("1", "Early discharge planning", *GOOD), row])
    parsed = parse_return_workbook(partner_return, upload(data))
    assert parsed.has_errors
    assert parsed.rows[0].errors == []
    assert len(parsed.rows[1].errors) == 1
    assert parsed.rows[1].errors[0].startswith(message), parsed.rows[1].errors
    assert parsed.rows[1].number == 3
    with pytest.raises(ValidationError):
        upload_apply(partner_return, parsed, cast.member)
    assert not Rating.objects.exists()


def test_every_mistake_in_a_row_is_reported_not_just_the_first(partner_return):
    data = made([("99", "", "Brilliant", "", "nonsense", "Sure")])
    errors = parse_return_workbook(partner_return, upload(data)).rows[0].errors
    assert [error.split(":")[1].split()[0] for error in errors] == [
        "there",
        "Brilliant",
        "enter",
        "evidence",
        "select",
    ]


# ---------------------------------------------------------------------------
# Files that cannot be read


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("x.xlsx", b"hello"),
        ("ratings.csv", b"Code,Change,Level,Rationale,Evidence,Confidence\n1,,3,Why,,Low\n"),
        ("x.xlsx", b"PK\x03\x04 broken zip"),
    ],
    ids=["text named xlsx", "csv", "broken zip"],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused(partner_return, name, content):
    parsed = parse_return_workbook(partner_return, upload(content, name))
    assert parsed.problems == [NOT_XLSX]
    assert parsed.has_errors
    assert NOT_XLSX == (
        "The file is not an Excel spreadsheet (.xlsx). "
        "Download the spreadsheet from this page and upload it again."
    )


def test_a_zip_that_is_not_a_spreadsheet_is_refused(partner_return):
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("notes.txt", "not a workbook")
    parsed = parse_return_workbook(partner_return, upload(output.getvalue()))
    assert parsed.problems == [NOT_XLSX]


def test_an_empty_file_is_refused(partner_return):
    parsed = parse_return_workbook(partner_return, upload(b""))
    assert parsed.problems == [uploads.FILE_EMPTY]


def test_a_spreadsheet_without_a_return_sheet_is_refused(partner_return):
    data = made([("1", "", *GOOD)], title="Sheet1")
    parsed = parse_return_workbook(partner_return, upload(data))
    assert parsed.problems == [NO_RETURN_SHEET]
    assert NO_RETURN_SHEET.startswith("The spreadsheet has no sheet called Return")


def test_a_spreadsheet_with_other_headings_is_refused_naming_the_headings(partner_return):
    data = made([("1", "", *GOOD)], headers=["Code", "Level", "Rationale"])
    parsed = parse_return_workbook(partner_return, upload(data))
    assert parsed.problems == [spreadsheets.HEADERS_WRONG]
    assert "Code, Change, Level, Rationale, Evidence, Confidence" in parsed.problems[0]


def test_a_spreadsheet_with_no_ratings_in_it_is_refused(partner_return):
    parsed = parse_return_workbook(partner_return, upload(return_workbook(partner_return)))
    assert parsed.problems == [spreadsheets.NO_RATINGS]


def test_a_file_over_the_upload_cap_is_refused_before_it_is_read(partner_return, settings):
    settings.UPLOAD_MAX_BYTES = 2 * 1024 * 1024
    parsed = parse_return_workbook(partner_return, upload(b"x" * (2 * 1024 * 1024 + 1)))
    assert parsed.problems == ["The selected file must be smaller than 2MB"]


def test_a_file_that_unpacks_to_far_more_than_a_return_is_refused(partner_return, settings):
    output = io.BytesIO(made([("1", "", *GOOD)]))
    with zipfile.ZipFile(output, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/padding.bin", b"\0" * (settings.UPLOAD_MAX_UNPACKED_BYTES + 1))
    assert len(output.getvalue()) < settings.UPLOAD_MAX_BYTES
    parsed = parse_return_workbook(partner_return, upload(output.getvalue()))
    assert parsed.problems == [uploads.TOO_MUCH_DATA]


def test_a_spreadsheet_with_more_than_500_rows_is_refused(partner_return):
    data = made([("1", "", *GOOD)] * 501)
    parsed = parse_return_workbook(partner_return, upload(data))
    assert parsed.problems == [spreadsheets.TOO_MANY_ROWS]
    assert "more than 500 rows" in parsed.problems[0]


# ---------------------------------------------------------------------------
# Saving an upload


@pytest.fixture
def good_upload(partner_return):
    data = filled(return_workbook(partner_return), {"1": GOOD, "2": GOOD, "9": GOOD})
    parsed = parse_return_workbook(partner_return, upload(data))
    assert not parsed.has_errors
    return parsed


def test_a_submitted_return_takes_no_upload(cast, partner_return, good_upload):
    PartnerReturn.objects.filter(pk=partner_return.pk).update(submitted_at=timezone.now())
    with pytest.raises(ValidationError) as error:
        upload_apply(partner_return, good_upload, cast.member)
    assert error.value.messages == [RETURN_NOT_OPEN]
    assert not Rating.objects.exists()


def test_a_round_no_longer_rating_takes_no_upload(cast, partner_return, good_upload):
    Round.objects.filter(pk=partner_return.round_id).update(status=Round.Status.REVIEW)
    with pytest.raises(ValidationError):
        upload_apply(partner_return, good_upload, cast.member)
    assert not Rating.objects.exists()


@pytest.mark.parametrize("role", ["other_member", "facilitator", "outsider", "nobody"])
def test_only_a_member_of_the_partner_may_upload_its_ratings(
    cast, partner_return, good_upload, role
):
    with pytest.raises(PermissionDenied):
        upload_apply(partner_return, good_upload, cast.roles()[role])
    assert not Rating.objects.exists()


def test_an_upload_is_saved_all_or_nothing(cast, partner_return, good_upload, monkeypatch):
    kept = rate(partner_return, cast.partner, "1", 2, rationale="Before the upload")
    save = Rating.save

    def fail_on_the_last_row(rating, *args, **kwargs):
        if rating.change.code == "9":
            raise IntegrityError("the database went away")
        return save(rating, *args, **kwargs)

    monkeypatch.setattr(Rating, "save", fail_on_the_last_row)
    with pytest.raises(IntegrityError):
        upload_apply(partner_return, good_upload, cast.member)
    assert list(Rating.objects.all()) == [kept]
    kept.refresh_from_db()
    assert (kept.rationale, kept.level.number, kept.version) == ("Before the upload", 2, 1)
    assert kept.history.count() == 1


def test_an_upload_is_refused_if_a_change_was_archived_since_the_preview(
    cast, partner_return, framework, good_upload
):
    Change.objects.filter(framework=framework, code="9").update(archived=True)
    framework_edited(framework.pk)  # a new wording version, which the unpinned round follows
    partner_return = PartnerReturn.objects.get(pk=partner_return.pk)  # as the next request
    with pytest.raises(ValidationError) as error:
        upload_apply(partner_return, good_upload, cast.member)
    assert error.value.messages == [spreadsheets.UPLOAD_OUT_OF_DATE]
    assert not Rating.objects.exists()


def test_the_download_has_a_readable_file_name(partner_return):
    assert spreadsheets.workbook_filename(partner_return) == (
        "spring-2026-testshire-hospitals-return.xlsx"
    )
