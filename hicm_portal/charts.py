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


def trend(rounds: list[str], values: list[int | None], *, maximum: int = 5) -> dict:
    """A small line chart of one change's level across rounds (None: not agreed then)."""
    width, height, left, top, bottom = 220, 110, 24, 10, 24
    plot_width = width - left - 10
    plot_height = height - top - bottom
    step = plot_width / max(len(rounds) - 1, 1)

    def y(level: int) -> float:
        return top + plot_height * (1 - (level - 1) / (maximum - 1))

    points = [Point(left + step * i, y(v)) for i, v in enumerate(values) if v is not None]
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
                "label": name,
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
