"""hicm_portal.uploads: the bounded readers and the upload handler, on their own (the hostile
files against every import are in tests/trust/test_hostile_uploads.py)."""

import io
from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import StopUpload
from openpyxl import Workbook

from hicm_portal import uploads


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


@pytest.mark.parametrize(
    "make", [xlsx, lambda rows: "\n".join(",".join(map(str, r)) for r in rows)]
)
def test_a_sheet_of_exactly_the_cap_is_read_and_one_row_more_is_refused(make):
    read = uploads.xlsx_dataset if make is xlsx else uploads.csv_dataset
    rows = [["code", "title"], *([n, f"Title {n}"] for n in range(1, 6))]
    assert read(make(rows), max_rows=5).height == 5
    with pytest.raises(uploads.UploadRefused) as refused:
        read(make([*rows, [6, "Title 6"]]), max_rows=5)
    assert refused.value.code == "too_many_rows"
    assert refused.value.message == (
        "The selected file has more than 5 rows. Split it into files of 5 rows or fewer and "
        "upload each one."
    )


def test_rows_are_cut_to_the_headings_and_blank_rows_left_out():
    data = xlsx([["code", "title", None], [1, "Hub", "no heading"], [None, None], [2, None]])
    dataset = uploads.xlsx_dataset(data, max_rows=10)
    assert dataset.headers == ["code", "title"]
    assert list(dataset) == [(1, "Hub"), (2, None)]


def test_values_keep_their_types_from_an_xlsx():
    when = datetime(2027, 3, 31)
    dataset = uploads.xlsx_dataset(xlsx([["due"], [when]]), max_rows=10)
    assert dataset[0] == (when,)


def test_a_csv_keeps_its_text_and_drops_a_byte_order_mark():
    dataset = uploads.csv_dataset('\ufeffcode,title\n1,"Hub, east"\n'.encode(), max_rows=10)
    assert (dataset.headers, list(dataset)) == (["code", "title"], [("1", "Hub, east")])


@pytest.mark.parametrize("cell", ["x" * 32_768, "x" * 200_000], ids=["long", "past csv's limit"])
def test_a_cell_longer_than_excel_allows_is_refused_naming_its_row(cell):
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.csv_dataset(f"code,title\n1,Hub\n2,{cell}\n", max_rows=10)
    assert refused.value.code == "cell_too_long"
    assert refused.value.message.startswith("Row 3 of the selected file has a cell with more")


@pytest.mark.parametrize("data", [b"", b"\n\n", b"   "], ids=["empty", "blank lines", "spaces"])
def test_a_file_without_headings_is_unreadable(data):
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.csv_dataset(data, max_rows=10)
    assert refused.value.code == "unreadable"


def test_a_file_is_read_no_further_than_one_byte_past_the_cap(settings):
    settings.UPLOAD_MAX_BYTES = 10
    upload = SimpleUploadedFile("a.csv", b"x" * 100)
    upload.size = None  # as if its size were unknown
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.read_upload(upload)
    assert refused.value.code == "too_big"
    assert upload.tell() == 11


@pytest.mark.parametrize(
    ("name", "code"), [("a.txt", "wrong_type"), ("a.XLSX", "unreadable"), ("a.CSV", None)]
)
def test_the_kind_of_file_goes_by_its_name(name, code):
    upload = SimpleUploadedFile(name, b"code\n1\n")
    if code is None:
        assert uploads.spreadsheet_dataset(upload).height == 1
    else:
        with pytest.raises(uploads.UploadRefused) as refused:
            uploads.spreadsheet_dataset(upload)
        assert refused.value.code == code


def test_the_upload_handler_stops_the_upload_once_the_bytes_pass_the_cap():
    limit = uploads.UploadLimit(max_bytes=1024)
    assert limit.receive_data_chunk(b"x" * 600, 0) == b"x" * 600
    assert limit.refused == ""
    with pytest.raises(StopUpload) as stopped:
        limit.receive_data_chunk(b"x" * 600, 600)
    assert stopped.value.connection_reset  # nothing more is read
    assert limit.refused == "The selected file must be smaller than 1KB"


@pytest.mark.parametrize(
    ("size", "text"), [(5 * 1024 * 1024, "5MB"), (512 * 1024, "512KB"), (1536 * 1024, "1.5MB")]
)
def test_sizes_are_written_the_govuk_way(size, text):
    assert uploads.size_text(size) == text
