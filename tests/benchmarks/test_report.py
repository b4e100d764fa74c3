"""benchmarks.report: the verdicts against DESIGN §8's budgets, the table and the JSON."""

import json

from benchmarks.report import (
    AFRESH_BUDGET,
    DEADLINE_BUDGET,
    Deadline,
    PageResult,
    Report,
    RequestType,
    exit_code,
    format_report,
    judge,
    report_json,
)


def page(key: str, alone_ms: float, queries=(5, 5, 5), **figures) -> PageResult:
    reference, first, last = queries
    return PageResult(
        key,
        key.title(),
        alone_ms=alone_ms,
        queries_reference=reference,
        queries_first=first,
        queries_last=last,
        **figures,
    )


def request_type(name: str, p95_ms: float, failures: int = 0) -> RequestType:
    return RequestType(
        name, name.title(), requests=100, failures=failures, p50_ms=10, p95_ms=p95_ms
    )


def a_report(**changes) -> Report:
    """A run that meets every budget, changed as a test needs."""
    fields = {
        "database": "sqlite",
        "systems": 150,
        "workers": 2,
        "concurrency": 8,
        "samples": 30,
        "seconds": 5,
        "machine": "Linux",
        "cores": 2,
        "started_at": "2026-11-27 16:00:00 GMT",
        "load_average": [0.52, 0.41, 0.3],
        "pages": [
            page("accessibility", 2.5, queries=(2, 2, 2), rps=400),
            page("review", 9.9, queries=(9, 9, 9), rps=150, p50_ms=40, p95_ms=60),
        ],
        "deadline": Deadline(
            seconds=120,
            members=30,
            readers=10,
            requests=200,
            types=[request_type("accessibility", 20), request_type("rating_save", 100)],
        ),
        "pdf_render_seconds": 0.8,
        "pdf_render_max_seconds": 0.9,
    }
    report = Report(**{**fields, **changes})
    judge(report)
    return report


def test_a_run_within_every_budget_passes_and_exits_zero_even_when_strict():
    report = a_report()
    assert report.missed == [] and report.budgets_met
    review = report.pages[1]
    assert (review.cost_ratio, review.afresh_ok, review.queries_ok) == (3.96, True, True)
    assert review.rps_ratio == 0.38
    assert report.deadline.ok and report.deadline.types[1].ratio == DEADLINE_BUDGET
    assert report.pdf_ok
    assert exit_code(report, strict=True) == 0


def test_a_page_over_4_times_the_baseline_misses_built_afresh():
    report = a_report(pages=[page("accessibility", 2.5), page("plan", 2.5 * AFRESH_BUDGET + 0.1)])
    assert report.pages[1].afresh_ok is False
    assert report.missed == ["built afresh: Plan"]
    assert exit_code(report, strict=True) == 1
    assert exit_code(report, strict=False) == 0


def test_queries_must_not_grow_with_partners_and_must_match_on_first_and_last_system():
    report = a_report(
        pages=[
            page("accessibility", 2.5),
            page("home", 3, queries=(8, 9, 9)),  # 15 partners cost more than 3
            page("plan", 3, queries=(13, 13, 14)),  # the last system costs more than the first
            page("change", 3, queries=(10, 10, 10)),
        ]
    )
    assert [p.queries_ok for p in report.pages] == [True, False, False, True]
    assert report.missed == ["queries: Home", "queries: Plan"]


def test_a_key_page_that_could_not_be_measured_is_a_miss_but_a_reference_page_is_not():
    skipped = PageResult("return_preview", "Return preview", skipped="no URL named x")
    reference = PageResult("healthz", "Health check", key_page=False, skipped="no URL")
    report = a_report(pages=[page("accessibility", 2.5), skipped, reference])
    assert report.missed == ["not measured: Return preview"]


def test_deadline_day_misses_on_any_error_or_a_slow_request_type():
    slow = a_report(
        deadline=Deadline(types=[request_type("accessibility", 20), request_type("plan", 101)])
    )
    assert slow.deadline.types[1].ok is False and slow.missed == ["deadline day"]
    failing = a_report(
        deadline=Deadline(
            failures=3,
            types=[request_type("accessibility", 20), request_type("rating_save", 30, failures=3)],
        )
    )
    assert failing.deadline.types[1].ok is False and failing.missed == ["deadline day"]
    not_run = a_report(deadline=Deadline(skipped="no partner members"))
    assert not_run.missed == ["deadline day"]


def test_a_pdf_of_a_second_or_more_or_not_measured_misses():
    assert a_report(pdf_render_seconds=1.0).missed == ["return PDF"]
    assert a_report(pdf_render_seconds=None).missed == ["return PDF"]


def test_the_table_shows_the_load_each_figure_and_a_verdict_per_row():
    report = a_report(
        pages=[
            page("accessibility", 2.5, queries=(2, 2, 2), rps=400),
            page("review", 11.0, queries=(9, 9, 9), rps=150, p50_ms=40, p95_ms=60),
            PageResult("return_pdf", "Return PDF", key_page=False, skipped="no URL named x"),
        ],
        worker_peak_rss_mb=120.5,
    )
    table = format_report(report)
    assert "load average 0.52, 0.41, 0.3 at the start" in table
    review = next(line for line in table.splitlines() if line.startswith("Review"))
    assert "11.0" in review and "4.40" in review and "MISS" in review and "9/9/9" in review
    assert "150.0" in review and "40/60" in review
    assert "Return PDF" in table and "skipped (–): no URL named x" in table
    assert "Rating_Save" in table and "PASS" in table
    assert "Return PDF render: 0.80 s median" in table
    assert "120.5 MB" in table
    assert "Budgets: MISSED: built afresh: Review." in table


def test_the_json_holds_the_figures_the_budgets_and_the_load_average():
    data = json.loads(report_json(a_report()))
    assert data["load_average"] == [0.52, 0.41, 0.3]
    assert data["pages"][1]["cost_ratio"] == 3.96
    assert data["deadline"]["types"][1]["ratio"] == 5.0
    assert data["budgets"]["built_afresh_at_most_times_baseline"] == 4.0
    assert data["budgets_met"] is True and data["missed"] == []


def test_a_page_that_failed_under_load_or_alone_misses_even_within_its_cost():
    report = a_report(
        pages=[page("accessibility", 2.5), page("review", 3.0, failures=2, error="status 500")]
    )
    assert report.missed == ["errors: Review"]
    assert "2 failed: status 500" in format_report(report)
