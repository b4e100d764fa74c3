"""Admin import (CSV and XLSX, previewed, all rows or none) and export of case studies."""

import csv
import html
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from casestudies.models import CaseStudy

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/casestudies/casestudy/import/"
PROCESS_URL = "/admin/casestudies/casestudy/process_import/"
EXPORT_URL = "/admin/casestudies/casestudy/export/"
HEADERS = [
    "slug", "title", "place", "organisations", "changes", "level",
    "summary", "what_they_did", "outcomes", "figures", "source_url", "status",
]  # fmt: skip


def row(slug: str, **overrides) -> list[str]:
    values = {
        "slug": slug,
        "title": f"Title of {slug}",
        "place": "Testshire",
        "organisations": "Testshire Council",
        "changes": "mtoc-2017:6; mtoc-2020:8",
        "level": "mtoc-2017:3",
        "summary": "Summary.",
        "what_they_did": "What they did.",
        "outcomes": "Outcomes.",
        "figures": "Investment: £70k\nPlanned level: Mature",
        "source_url": "https://www.example.org/report",
        "status": "published",
    }
    values.update(overrides)
    return [values[name] for name in HEADERS]


def csv_bytes(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([HEADERS, *rows])
    return out.getvalue().encode("utf-8")


def xlsx_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for values in [HEADERS, *rows]:
        workbook.active.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def format_value(client, url: str, title: str) -> str:
    choices = client.get(url).context["form"].fields["format"].choices
    return next(str(value) for value, label in choices if str(label).lower() == title)


def preview(client, content: bytes, title: str = "csv"):
    upload = SimpleUploadedFile(f"import.{title}", content)
    response = client.post(
        IMPORT_URL,
        {"import_file": upload, "format": format_value(client, IMPORT_URL, title), "resource": "0"},
    )
    assert response.status_code == 200
    return response


def confirm(client, preview_response):
    confirm_form = preview_response.context["confirm_form"]
    assert confirm_form is not None, "the preview offered no confirm form"
    data = {name: value for name, value in confirm_form.initial.items() if value is not None}
    return client.post(PROCESS_URL, data)


@pytest.fixture
def staff_client(client, cast, frameworks):
    client.force_login(cast.admin)
    return client


@pytest.mark.parametrize("title", ["csv", "xlsx"])
def test_an_import_previews_then_writes_on_confirmation(staff_client, cast, title):
    content = (csv_bytes if title == "csv" else xlsx_bytes)([row("one"), row("two", level="")])
    response = preview(staff_client, content, title)
    assert not CaseStudy.objects.exists()
    assert confirm(staff_client, response).status_code == 302
    one = CaseStudy.objects.get(slug="one")
    assert {(c.framework.key, c.code) for c in one.changes.all()} == {
        ("mtoc-2017", "6"),
        ("mtoc-2020", "8"),
    }
    assert one.level.number == 3 and one.figures == ["Investment: £70k", "Planned level: Mature"]
    assert one.created_by == cast.admin
    assert CaseStudy.objects.get(slug="two").level is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"level": "ohc-2025:3"}, "Select a level of the same framework as the changes you chose"),
        ({"changes": "mtoc-2017:99"}, "There is no change 'mtoc-2017:99'"),
        ({"changes": ""}, "Enter at least one change"),
        ({"source_url": "ftp://example.org/x"}, "Enter a web address that starts with http://"),
        ({"status": "maybe"}, "Enter the status, one of: draft, published"),
        ({"figures": "\n".join("x" * 9)}, "Give at most 8 figures"),
    ],
)
def test_a_bad_row_is_shown_in_the_preview_and_nothing_is_imported(
    staff_client, overrides, message
):
    response = preview(staff_client, csv_bytes([row("good"), row("bad", **overrides)]))
    assert message in html.unescape(response.content.decode())
    assert not response.context.get("confirm_form")
    assert not CaseStudy.objects.exists()


def test_an_export_writes_changes_and_level_as_keys_and_codes(staff_client, make_case_study):
    make_case_study(
        slug="exported",
        changes=[("mtoc-2017", "6"), ("ohc-2025", "F")],
        level=("mtoc-2017", 4),
        figures=["A", "B"],
    )
    form = staff_client.get(EXPORT_URL).context["form"]
    data = {"format": format_value(staff_client, EXPORT_URL, "csv"), "resource": "0"}
    data.update({name: "on" for name in form.fields if name.startswith("casestudyresource_")})
    response = staff_client.post(EXPORT_URL, data)
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0]["slug"] == "exported"
    assert set(rows[0]["changes"].split("; ")) == {"mtoc-2017:6", "ohc-2025:F"}
    assert rows[0]["level"] == "mtoc-2017:4"
    assert rows[0]["figures"] == "A\nB"


def test_an_exported_file_imports_again_unchanged(staff_client, make_case_study):
    make_case_study(slug="round-trip", changes=[("ohc-2025", "A")], figures=["One"])
    form = staff_client.get(EXPORT_URL).context["form"]
    data = {"format": format_value(staff_client, EXPORT_URL, "csv"), "resource": "0"}
    data.update({name: "on" for name in form.fields if name.startswith("casestudyresource_")})
    exported = staff_client.post(EXPORT_URL, data).content
    response = preview(staff_client, exported.decode("utf-8-sig").encode())
    assert response.context.get("confirm_form")
    assert [r.import_type for r in response.context["result"].rows] == ["skip"]


def test_the_admin_form_refuses_a_level_of_another_framework(staff_client, make_case_study):
    from assessments.models import Change, Level

    response = staff_client.post(
        "/admin/casestudies/casestudy/add/",
        {
            "slug": "via-admin",
            "title": "Via admin",
            "place": "Testshire",
            "changes": [Change.objects.get(framework__key="mtoc-2017", code="6").pk],
            "level": Level.objects.get(framework__key="ohc-2025", number=2).pk,
            "summary": "S",
            "what_they_did": "W",
            "outcomes": "O",
            "figures": "[]",
            "status": "published",
        },
    )
    assert response.status_code == 200
    assert "Select a level of the same framework" in html.unescape(response.content.decode())
    assert not CaseStudy.objects.exists()


def test_a_non_staff_user_cannot_reach_the_import_pages(client, cast):
    client.force_login(cast.facilitator)
    for response in (client.get(IMPORT_URL), client.post(PROCESS_URL, {}), client.get(EXPORT_URL)):
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")
