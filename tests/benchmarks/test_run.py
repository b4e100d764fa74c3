"""python -m benchmarks.run: its options, the JSON it writes and its exit status."""

import json

import pytest

from benchmarks import measure, run
from benchmarks.options import Options
from benchmarks.report import Deadline, PageResult, Report


def test_quick_is_a_short_run_and_options_override_it():
    options = run.options_from(run.parser().parse_args(["--quick", "--systems", "5"]))
    assert options.systems == 5
    assert (options.samples, options.deadline_seconds) == (10, 15)
    assert Options().deadline_seconds >= 120 and (Options().members, Options().readers) == (30, 10)


def test_it_refuses_a_run_of_no_length(capsys):
    assert run.main(["--deadline-seconds", "0"]) == run.EXIT_FAILED
    assert "--deadline-seconds must be at least 1" in capsys.readouterr().err


def fake_run(missed: list[str]):
    def run_bench(options, say) -> Report:
        say("measuring")
        report = Report(
            database="sqlite",
            systems=options.systems,
            workers=2,
            concurrency=8,
            samples=options.samples,
            seconds=options.seconds,
            machine="Linux",
            cores=2,
            started_at="now",
            load_average=[1.5, 1.0, 0.5],
            pages=[PageResult("accessibility", "Baseline", alone_ms=2.0)],
            deadline=Deadline(seconds=options.deadline_seconds),
        )
        report.missed = missed
        return report

    return run_bench


@pytest.mark.parametrize(
    ("missed", "arguments", "status"),
    [
        ([], ["--strict"], 0),
        (["return PDF"], [], 0),
        (["return PDF"], ["--strict"], 1),
    ],
)
def test_only_strict_turns_a_missed_budget_into_a_failure(
    monkeypatch, tmp_path, capsys, missed, arguments, status
):
    monkeypatch.setattr(measure, "run_bench", fake_run(missed))
    json_path = tmp_path / "out" / "bench.json"
    assert run.main(["--quick", "--json", str(json_path), *arguments]) == status
    out = capsys.readouterr()
    assert "load average 1.5, 1.0, 0.5 at the start" in out.out
    assert ("A budget was missed" in out.err) == bool(status)
    data = json.loads(json_path.read_text())
    assert data["systems"] == 3 and data["missed"] == missed
