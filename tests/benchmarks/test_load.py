"""benchmarks.load: locust's statistics are read back by request type."""

from benchmarks.load import read_failures, read_stats

STATS = """Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,\
Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,\
90%,95%,98%,99%,99.9%,99.99%,100%
GET,rating,120,0,41,45.2,20,300,30000,2.0,0.0,41,50,60,70,80,95,120,150,300,300,300
POST,rating_save,100,2,60,70.1,30,400,0,1.6,0.03,60,70,80,90,100,130,200,300,400,400,400
GET,plan,0,0,0,0,0,0,0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A
,Aggregated,220,2,50,57.0,20,400,16000,3.6,0.03,50,60,70,80,90,120,150,200,400,400,400
"""


def test_each_request_type_and_the_total_is_read_with_its_percentiles(tmp_path):
    path = tmp_path / "deadline_stats.csv"
    path.write_text(STATS)
    figures = read_stats(path)
    assert set(figures) == {"rating", "rating_save", "plan", "Aggregated"}
    save = figures["rating_save"]
    assert (save.requests, save.failures, save.p50_ms, save.p95_ms, save.rps) == (
        100,
        2,
        60,
        130,
        1.6,
    )
    assert figures["plan"].p95_ms is None  # "N/A": no request of that type
    assert figures["Aggregated"].requests == 220


def test_failures_are_read_when_there_are_any(tmp_path):
    path = tmp_path / "deadline_failures.csv"
    path.write_text(
        "Method,Name,Error,Occurrences\n"
        "POST,rating_save,\"CatchResponseError('status 500, expected 302')\",2\n"
    )
    assert read_failures(path)[0]["Error"] == "CatchResponseError('status 500, expected 302')"
    assert read_failures(tmp_path / "absent.csv") == []
