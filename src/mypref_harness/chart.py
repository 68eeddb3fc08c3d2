"""A dependency-free SVG line chart of latency over time for the gate's summary.

A person reading a CI job page would rather look at a curve than a table of per-second figures;
SVG keeps it a text artifact (diffable, scannable for secrets) and needs no plotting library.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class Series:
    label: str
    points: Sequence[tuple[float, float]]  # (seconds since start, value)
    color: str


WIDTH, HEIGHT = 640, 280
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 56, 16, 28, 40


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5 x 10^k that is >= value, so axis labels are round numbers."""
    if value <= 0:
        return 1.0
    magnitude = 1.0
    while magnitude * 10 <= value:
        magnitude *= 10
    while magnitude > value:
        magnitude /= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def line_chart_svg(title: str, series: Sequence[Series], *, y_label: str = "ms") -> str:
    """Render series as polylines on shared axes; an empty chart says so instead of failing."""
    all_points = [p for s in series for p in s.points]
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="11">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{WIDTH / 2}" y="16" text-anchor="middle" font-size="13">{escape(title)}</text>',
    ]
    if not all_points:
        parts.append(f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">no data</text></svg>')
        return "\n".join(parts)
    x_max = max(x for x, _ in all_points) or 1.0
    y_max = _nice_ceiling(max(y for _, y in all_points))

    def sx(x: float) -> float:
        return MARGIN_LEFT + plot_w * x / x_max

    def sy(y: float) -> float:
        return MARGIN_TOP + plot_h * (1 - y / y_max)

    for i in range(5):  # horizontal grid with labels
        y = y_max * i / 4
        parts.append(
            f'<line x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" y1="{sy(y):.1f}" y2="{sy(y):.1f}" '
            f'stroke="#ddd"/><text x="{MARGIN_LEFT - 6}" y="{sy(y) + 4:.1f}" text-anchor="end">{y:g}</text>'
        )
    parts.append(
        f'<text x="{MARGIN_LEFT + plot_w / 2}" y="{HEIGHT - 8}" text-anchor="middle">'
        f"seconds since start (0 to {x_max:g})</text>"
    )
    parts.append(
        f'<text x="14" y="{MARGIN_TOP + plot_h / 2}" text-anchor="middle" '
        f'transform="rotate(-90 14 {MARGIN_TOP + plot_h / 2})">{escape(y_label)}</text>'
    )
    for index, s in enumerate([s for s in series if s.points]):
        coords = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in s.points)
        parts.append(f'<polyline fill="none" stroke="{s.color}" stroke-width="1.5" points="{coords}"/>')
        legend_x = MARGIN_LEFT + 8 + index * 120
        parts.append(
            f'<rect x="{legend_x}" y="{MARGIN_TOP + 4}" width="10" height="10" fill="{s.color}"/>'
            f'<text x="{legend_x + 14}" y="{MARGIN_TOP + 13}">{escape(s.label)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)
