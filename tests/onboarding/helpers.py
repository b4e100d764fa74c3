"""Shared set-up for the system set-up tests: files built in memory, the two steps posted."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile

SETUP_URL = "/admin/assessments/system/setup/"
CONFIRM_URL = "/admin/assessments/system/setup/confirm/"
PEOPLE_HEADERS = ["email", "full_name", "role", "system", "partner", "region"]
PARTNER_HEADERS = ["system", "name", "partner_type", "ods_code", "other_types"]


def csv_file(rows: list[list[str]], name: str = "file.csv") -> SimpleUploadedFile:
    """A CSV upload; its first row is the headings."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8"), content_type="text/csv")


def people_file(*rows: list[str]) -> SimpleUploadedFile:
    return csv_file([PEOPLE_HEADERS, *rows], "people.csv")


def partners_file(*rows: list[str]) -> SimpleUploadedFile:
    return csv_file([PARTNER_HEADERS, *rows], "partners.csv")


def preview(client, *, people=None, partners=None):
    """Step one: upload the files. Shows the preview (or the problems) and writes nothing."""
    data = {}
    if people is not None:
        data["people_file"] = people
    if partners is not None:
        data["partners_file"] = partners
    response = client.post(SETUP_URL, data)
    assert response.status_code == 200
    return response


def confirm(client):
    """Step two: the Confirm import button."""
    response = client.post(CONFIRM_URL)
    assert response.status_code == 302
    return response


def problems(response) -> list[tuple]:
    """The preview's problems as (file, row, column, message)."""
    return [(p.file, p.row, p.column, p.message) for p in response.context["onboarding"].problems]


def offers_confirm(response) -> bool:
    return b"Confirm import" in response.content
