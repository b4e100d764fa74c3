"""The server-side SVG charts, and the preview page that shows them under a strict CSP."""

import math
import re

import pytest
from django.template.loader import render_to_string

from hicm_portal.charts import radar, trend
from tests.returns.helpers import url


def points(text: str) -> list[tuple[float, float]]:
    return [tuple(float(n) for n in pair.split(",")) for pair in text.split()]


def test_radar_has_one_polygon_per_series_with_a_point_per_label_and_rings_1_to_5():
    labels = ["1", "2", "3", "4", "5", "6", "7"]
    chart = radar(labels, [("Current", [1, 2, 3, 4, 5, None, 3]), ("Planned", [2] * 7)])
    assert [p["name"] for p in chart["polygons"]] == ["Current", "Planned"]
    assert all(len(points(p["points"])) == len(labels) for p in chart["polygons"])
    centre = float(chart["centre"])
    assert len(chart["rings"]) == 5 and [r["text"] for r in chart["ring_labels"]] == list("12345")
    radii = [math.dist(points(ring)[0], (centre, centre)) for ring in chart["rings"]]
    unit = radii[0]
    assert radii == pytest.approx([unit * level for level in range(1, 6)], abs=0.2)
    assert all(len(points(ring)) == len(labels) for ring in chart["rings"])
    assert len(chart["spokes"]) == len(chart["labels"]) == len(labels)
    current = points(chart["polygons"][0]["points"])
    assert math.dist(current[5], (centre, centre)) == pytest.approx(0, abs=0.1)  # None: centre
    assert math.dist(current[4], (centre, centre)) == pytest.approx(radii[4], abs=0.2)
    planned = points(chart["polygons"][1]["points"])
    assert all(math.dist(p, (centre, centre)) == pytest.approx(radii[1], abs=0.2) for p in planned)


def test_radar_with_fewer_than_three_changes_still_draws_rings():
    chart = radar(["1"], [("Current", [3]), ("Planned", [4])])
    assert len(chart["rings"]) == 5 and all(len(points(r)) == 3 for r in chart["rings"])
    assert len(points(chart["polygons"][0]["points"])) == 1


def test_trend_skips_rounds_without_a_level():
    chart = trend(["2019/20", "2022/23", "2025/26"], [2, None, 4])
    assert len(chart["dots"]) == 2 and len(points(chart["line"])) == 2
    assert [t["label"] for t in chart["ticks"]] == ["2019/20", "2022/23", "2025/26"]
    assert [g["label"] for g in chart["gridlines"]] == list("12345")
    xs = [float(d["x"]) for d in chart["dots"]]
    assert xs == [float(chart["ticks"][0]["x"]), float(chart["ticks"][2]["x"])]
    ys = {g["label"]: float(g["y"]) for g in chart["gridlines"]}
    assert [float(d["y"]) for d in chart["dots"]] == [ys["2"], ys["4"]]


def test_trend_with_no_level_at_all_draws_no_line():
    chart = trend(["2019/20", "2025/26"], [None, None])
    assert chart["line"] == "" and chart["dots"] == []
    svg = render_to_string(
        "charts/trend.svg", {"chart": chart, "chart_id": "t", "title": "T", "description": "D"}
    )
    assert "<polyline" not in svg and "<circle" not in svg


def test_a_single_round_trend_has_one_dot():
    chart = trend(["2025/26"], [3])
    assert len(chart["dots"]) == 1 and len(chart["ticks"]) == 1


def test_trend_round_names_stay_inside_the_chart():
    """The first and last round names sit at the chart's edges: anchored inwards, so a name
    like "2025/26" is not cut off by the edge of the SVG (it was, in the demo's return)."""
    chart = trend(["2019/20", "2022/23", "2025/26"], [2, 3, 4])
    anchors = [t["anchor"] for t in chart["ticks"]]
    assert anchors == ["start", "middle", "end"]
    assert float(chart["ticks"][-1]["x"]) <= chart["width"]
    svg = render_to_string(
        "charts/trend.svg", {"chart": chart, "chart_id": "t", "title": "T", "description": "D"}
    )
    assert 'text-anchor="end" fill="#505a5f">2025/26</text>' in svg
    assert 'text-anchor="start" fill="#505a5f">2019/20</text>' in svg


@pytest.mark.django_db
def test_many_rounds_print_only_the_first_and_last_names_without_overlap():
    """Eight rounds' names ("2017/18", about 36 units wide each) overlapped on the 186-unit
    plot: only the first and the last are printed; every round keeps its dot."""
    rounds = [f"20{year}/{year + 1}" for year in range(17, 25)]
    chart = trend(rounds, [2, 2, 3, 3, 4, 4, 4, 4])
    assert [t["label"] for t in chart["ticks"]] == ["2017/18", "", "", "", "", "", "", "2024/25"]
    assert len(chart["dots"]) == 8
    svg = render_to_string(
        "charts/trend.svg", {"chart": chart, "chart_id": "t", "title": "T", "description": "D"}
    )
    assert re.findall(r"<text[^>]*>(20[^<]*)</text>", svg) == ["2017/18", "2024/25"]
    assert svg.count("<circle") == 8


def test_chart_text_is_escaped():
    """The charts are Jinja2 templates (hicm_portal/jinja_env.py): they escape as Django's do."""
    chart = trend(["<b>2025</b>"], [3])
    svg = render_to_string(
        "charts/trend.svg",
        {"chart": chart, "chart_id": "t", "title": "A & B", "description": "<script>"},
    )
    assert "&lt;b&gt;2025&lt;/b&gt;" in svg and "A &amp; B" in svg and "<script>" not in svg


def test_the_preview_charts_are_described_and_the_page_has_no_inline_style(client, demo_round):
    facilitator = demo_round.system.roles.get(role="facilitator").user
    client.force_login(facilitator)
    response = client.get(url("return_preview", demo_round))
    assert response.status_code == 200
    page = response.content.decode()
    svgs = re.findall(r"<svg\b.*?</svg>", page, re.S)
    assert len(svgs) == 1 + 9  # the radar, and a trend per change
    ids = []
    for svg in svgs:
        opening = svg[: svg.index(">")]
        assert 'role="img"' in opening
        labelled = re.search(r'aria-labelledby="([^"]+)"', opening).group(1).split()
        title = re.search(r'<title id="([^"]+)">([^<]+)</title>', svg)
        desc = re.search(r'<desc id="([^"]+)">([^<]+)</desc>', svg)
        assert title and desc
        assert labelled == [title.group(1), desc.group(1)]
        ids += labelled
    assert len(ids) == len(set(ids))
    assert "Current agreed level against planned level, by change" in svgs[0]
    assert re.search(r"\sstyle\s*=", page, re.I) is None
    assert "<style" not in page.lower()
    policy = response["Content-Security-Policy"]
    style_src = re.search(r"style-src([^;]*)", policy).group(1)
    assert "unsafe-inline" not in style_src


def test_the_agreed_page_draws_each_changes_trend_with_its_figures(client, demo_round):
    """The agreed page shows the same small charts as the return (it printed none while its
    view named them differently from the shared template)."""
    facilitator = demo_round.system.roles.get(role="facilitator").user
    client.force_login(facilitator)
    page = client.get(url("agreed", demo_round)).content.decode()
    trends = re.findall(r'<figure class="app-trend">.*?</figure>', page, re.S)
    assert len(trends) == 9
    assert '<title id="trend-1-title">Trend of change 1</title>' in trends[0]
    assert "2019/20: " in trends[0] and "2025/26: " in trends[0]
