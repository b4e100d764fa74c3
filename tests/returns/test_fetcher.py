"""The PDF renderer fetches nothing but the portal's own static files, and user text that
looks like markup stays text."""

from pathlib import Path

import pytest
from django.conf import settings

from assessments.models import Consensus
from improvement_plans import reports
from improvement_plans.pdf import StaticOnlyFetcher, html_to_pdf
from tests.improvement_plans.helpers import reagree
from tests.returns.helpers import pdf_text

IMG = '<img src="http://127.0.0.1:9/x.png">'
LINK = '<a href="file:///etc/passwd">x</a>'


@pytest.mark.parametrize(
    "address",
    [
        "http://127.0.0.1:9/x.png",
        "https://example.org/logo.png",
        "file:///etc/passwd",
        "static:/../settings.py",
        "static:/css/../../hicm_portal/settings.py",
        "static:/../../../../etc/passwd",
        "static:/no-such-file.css",
        "data:text/plain,hello",
        "//example.org/x.png",
    ],
)
def test_the_fetcher_refuses_anything_but_a_static_file(address):
    with pytest.raises(ValueError):
        StaticOnlyFetcher().fetch(address)


def test_the_fetcher_serves_a_static_file():
    response = StaticOnlyFetcher().fetch("static:/css/app.css")
    expected = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_bytes()
    assert response.read() == expected
    assert response.content_type == "text/css"
    response.close()


@pytest.fixture
def fetched(monkeypatch) -> list[str]:
    """Every URL WeasyPrint asks the fetcher for, in order (the fetcher still decides)."""
    calls: list[str] = []
    original = StaticOnlyFetcher.fetch

    def recording(self, url, headers=None):
        calls.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(StaticOnlyFetcher, "fetch", recording)
    return calls


def test_markup_that_reached_the_renderer_is_refused_by_the_fetcher(fetched):
    """The control for the test below: raw markup does make WeasyPrint ask the fetcher, and
    the fetcher refuses; the PDF is still written."""
    pdf = html_to_pdf(
        f'<html lang="en-GB"><body><p>Before</p>{IMG}'
        '<link rel="stylesheet" href="file:///etc/passwd"><p>After</p></body></html>'
    )
    assert "http://127.0.0.1:9/x.png" in fetched
    assert pdf.startswith(b"%PDF") and "Before After" in pdf_text(pdf)


@pytest.mark.django_db
def test_a_rationale_with_markup_is_printed_as_text_and_never_fetched(fetched, cast, plan):
    levels = {level.number: level for level in plan.framework.levels.all()}
    rationale = f"Seen on every ward {IMG} and {LINK} too"
    reagree(
        Consensus.objects.get(round=plan, change__code="1"),
        level=levels[4],
        planned_level=levels[5],
        rationale=rationale,
    )
    data = reports.return_data(plan)
    html, pdf, _xlsx = reports.render_return(data, version=1)
    assert "&lt;img src=&quot;http://127.0.0.1:9/x.png&quot;&gt;" in html
    assert IMG not in html and LINK not in html
    text = pdf_text(pdf)
    assert f"Rationale for Mature {rationale}" in text

    record = pdf_text(reports.consensus_record_pdf(plan))
    assert f"Rationale: {rationale}" in record

    assert not [u for u in fetched if "127.0.0.1" in u or u.startswith(("http", "file"))]
    assert all(u.startswith("static:/") for u in fetched)
