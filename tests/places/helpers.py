"""Helpers for the tests of real places: admin imports through django-import-export's two
steps (preview, then confirm), with files built in memory."""

import csv
import html
import io

from django.core.files.uploadedfile import SimpleUploadedFile


def csv_bytes(rows: list[list[str]]) -> bytes:
    """A CSV file, its first row the headers."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def preview(client, model: str, content: bytes):
    """Step one: upload a CSV file to the admin's import of `model`. Writes nothing."""
    url = f"/admin/assessments/{model}/import/"
    choices = client.get(url).context["form"].fields["format"].choices
    csv_format = next(str(value) for value, label in choices if str(label).lower() == "csv")
    upload = SimpleUploadedFile("import.csv", content, content_type="text/csv")
    response = client.post(url, {"import_file": upload, "format": csv_format, "resource": "0"})
    assert response.status_code == 200
    return response


def confirm(client, model: str, preview_response):
    """Step two: post the confirm form's hidden fields back, as the Confirm button does."""
    confirm_form = preview_response.context["confirm_form"]
    assert confirm_form is not None, "the preview offered no confirm form"
    data = {name: value for name, value in confirm_form.initial.items() if value is not None}
    response = client.post(f"/admin/assessments/{model}/process_import/", data)
    assert response.status_code == 302
    return response


def row_errors(response) -> dict[int, str]:
    """The preview's invalid rows, by row number, with their messages run together."""
    result = response.context["result"]
    errors = {}
    for row in result.invalid_rows:
        messages = [str(m) for field_messages in row.error_dict.values() for m in field_messages]
        errors[row.number] = " ".join(messages)
    for row in result.error_rows:
        errors[row.number] = " ".join(str(error.error) for error in row.errors)
    return errors
