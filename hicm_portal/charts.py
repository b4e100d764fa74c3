"""Server-side SVG charts: the geometry is computed here, drawn by `templates/charts/*.svg`.

The same template serves web pages and PDFs, so a chart looks the same in both. Every chart
carries a title and a description, and each page that shows one also shows its figures as a
table, for people who cannot see the chart.
"""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Point:
    x: float
    y: float

    def __str__(self) -> str:
        return f"{self.x:.1f},{self.y:.1f}"


def _points(points: list[Point]) -> str:
    return " ".join(str(p) for p in points)


def radar(
    labels: list[str],
    series: list[tuple[str, list[int | None]]],
    *,
    maximum: int = 5,
    size: int = 420,
) -> dict:
    """A radar chart: one spoke per label, rings 1..maximum, one polygon per series.

    Missing values (None) are drawn at the centre. Returns everything the template needs.
    """
    centre = size / 2
    radius = size / 2 - 70
    count = max(len(labels), 3)

    def at(index: int, value: float) -> Point:
        angle = -math.pi / 2 + 2 * math.pi * index / count
        distance = radius * value / maximum
        return Point(centre + distance * math.cos(angle), centre + distance * math.sin(angle))

    rings = [_points([at(i, level) for i in range(count)]) for level in range(1, maximum + 1)]
    spokes = [(at(i, 0), at(i, maximum)) for i in range(len(labels))]
    label_points = []
    for index, label in enumerate(labels):
        point = at(index, maximum + 0.55)
        anchor = "middle"
        if point.x < centre - 5:
            anchor = "end"
        elif point.x > centre + 5:
            anchor = "start"
        label_points.append({"text": label, "x": f"{point.x:.1f}", "y": f"{point.y + 4:.1f}",
                             "anchor": anchor})  # fmt: skip
    polygons = [
        {"name": name, "points": _points([at(i, v or 0) for i, v in enumerate(values)])}
        for name, values in series
    ]
    ring_labels = [
        {"text": str(level), "x": f"{centre + 4:.1f}", "y": f"{at(0, level).y - 3:.1f}"}
        for level in range(1, maximum + 1)
    ]
    return {
        "size": size,
        "centre": f"{centre:.1f}",
        "rings": rings,
        "spokes": [
            {"x1": f"{a.x:.1f}", "y1": f"{a.y:.1f}", "x2": f"{b.x:.1f}", "y2": f"{b.y:.1f}"}
            for a, b in spokes
        ],  # fmt: skip
        "labels": label_points,
        "ring_labels": ring_labels,
        "polygons": polygons,
    }


ROUND_NAME_WIDTH = 40


def trend(rounds: list[str], values: list[int | None], *, maximum: int = 5) -> dict:
    """A small line chart of one change's level across rounds (None: not agreed then)."""
    width, height, left, top, bottom = 220, 110, 24, 10, 24
    plot_width = width - left - 10
    plot_height = height - top - bottom
    step = plot_width / max(len(rounds) - 1, 1)

    def y(level: int) -> float:
        return top + plot_height * (1 - (level - 1) / (maximum - 1))

    points = [Point(left + step * i, y(v)) for i, v in enumerate(values) if v is not None]
    # A round name ("2024/25") is about 36 units wide: when they would overlap, only the first
    # and the last are printed (every round keeps its tick, and its dot).
    every_name = step >= ROUND_NAME_WIDTH
    return {
        "width": width,
        "height": height,
        "line": _points(points),
        "dots": [{"x": f"{p.x:.1f}", "y": f"{p.y:.1f}"} for p in points],
        "gridlines": [
            {"y": f"{y(level):.1f}", "label": str(level), "x2": f"{width - 10}"}
            for level in range(1, maximum + 1)
        ],
        "ticks": [
            {
                "x": f"{left + step * i:.1f}",
                "label": name if every_name or i in (0, len(rounds) - 1) else "",
                "y": f"{height - 6}",
                "anchor": _tick_anchor(i, len(rounds)),
            }
            for i, name in enumerate(rounds)
        ],
    }


def _tick_anchor(index: int, count: int) -> str:
    """Round names at the chart's edges are anchored inwards: centred there, the last one ran
    past the SVG's edge and was cut off ("2025/2")."""
    if index == 0:
        return "start"
    return "end" if index == count - 1 else "middle"


def trend_charts(trend_data: dict) -> list[dict]:
    """One small line chart per change, with its figures as text, for pages and PDFs alike,
    from `trend_data` as `assessments.review_selectors.trend_values` gives it.

    The charts share their grid and round names, so `charts.trend` draws that frame once; each
    change's dots then sit where it puts a level's point, over the round's name on the grid
    line of the level (tests/returns/test_charts.py).
    """
    rounds = trend_data.get("rounds", [])
    # A round recorded afterwards is named so in the figures ("2019/20, recorded afterwards").
    recorded = set(trend_data.get("recorded_afterwards", []))
    shown = [f"{name}, recorded afterwards" if name in recorded else name for name in rounds]
    shared = trend(rounds, [None] * len(rounds))
    x_of = [tick["x"] for tick in shared["ticks"]]
    y_of = {int(line["label"]): line["y"] for line in shared["gridlines"]}
    charts = []
    for change in trend_data.get("changes", []):
        values = change["values"]
        if set(values) <= y_of.keys() | {None}:
            points = zip(x_of, values, strict=True)
            dots = [{"x": x, "y": y_of[v]} for x, v in points if v is not None]
            line = " ".join(f"{dot['x']},{dot['y']}" for dot in dots)
            chart = {**shared, "dots": dots, "line": line}
        else:  # a level above the grid's top: drawn as `charts.trend` draws it
            chart = trend(rounds, values)
        charts.append(
            {
                "code": change["code"],
                "title": change["title"],
                "chart_id": f"trend-{change['code']}",
                "chart_title": f"Trend of change {change['code']}",
                "chart": chart,
                "figures": "; ".join(
                    f"{name}: {value or '–'}" for name, value in zip(shown, values, strict=True)
                ),
            }
        )
    return charts


def stacked_bars(bars: list[tuple[str, list[int]]], levels: list[tuple[int, str]]) -> dict:
    """Horizontal stacked bars: one bar per (label, counts), a segment per level in `levels`
    ((number, name), in order; `counts` in the same order), each as long as its count, on one
    scale for every bar, so bars of the same number of systems are as long. A segment wide
    enough prints its count; a legend names the levels (for the region report's counts chart).
    """
    width, left, right, top, bar_height, gap = 640, 44, 36, 8, 20, 8
    legend_row, legend_columns = 18, 3
    plot_width = width - left - right
    largest = max((sum(counts) for _, counts in bars), default=0) or 1
    rows = []
    for index, (label, counts) in enumerate(bars):
        y = top + index * (bar_height + gap)
        x = float(left)
        segments = []
        for (number, name), count in zip(levels, counts, strict=True):
            length = plot_width * count / largest
            if count:
                segments.append(
                    {
                        "number": number,
                        "name": name,
                        "count": count,
                        "x": f"{x:.1f}",
                        "width": f"{length:.1f}",
                        "text_x": f"{x + length / 2:.1f}",
                        "labelled": length >= 16,
                    }
                )
            x += length
        rows.append(
            {
                "label": label,
                "y": f"{y:.1f}",
                "text_y": f"{y + bar_height / 2 + 4:.1f}",
                "total": sum(counts),
                "total_x": f"{x + 4:.1f}",
                "segments": segments,
            }
        )
    legend_top = top + len(bars) * (bar_height + gap) + 8
    legend = [
        {
            "number": number,
            "name": name,
            "x": f"{left + (index % legend_columns) * (plot_width / legend_columns):.1f}",
            "y": f"{legend_top + (index // legend_columns) * legend_row:.1f}",
        }
        for index, (number, name) in enumerate(levels)
    ]
    legend_rows = -(-len(levels) // legend_columns)
    return {
        "width": width,
        "height": legend_top + legend_rows * legend_row + 4,
        "bar_height": bar_height,
        "label_x": left - 6,
        "rows": rows,
        "legend": legend,
    }
