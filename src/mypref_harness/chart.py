"""A dependency-free SVG line chart of latency over time for the gate's reports.

A person reading a CI report would rather look at a curve than a table of per-second figures; SVG
keeps it a text artifact (diffable, scannable for secrets) and needs no plotting library. The chart
draws only measured points: a second without a value is a gap in the line, never an invented 0.
Thresholds (the SLO limits) are dashed horizontal lines, and the time axis has labelled ticks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class Series:
    label: str
    points: Sequence[tuple[float, float | None]]  # (seconds since start, value); None = no measurement
    color: str


@dataclass(frozen=True)
class Threshold:
    label: str  # e.g. "SLO p95 lookup 400 ms"
    value: float
    color: str = "#7f7f7f"


WIDTH, HEIGHT = 720, 300
OFF_SCALE_FACTOR = 4.0  # thresholds above this many times the highest measurement are not drawn
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 56, 150, 28, 44


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


def time_ticks(x_max: float, wanted: int = 6) -> list[float]:
    """Round tick positions from 0 to at least ``x_max`` (seconds): 0, 5, 10, ... or 0, 10, 20, ..."""
    step = _nice_ceiling(max(x_max, 1.0) / wanted)
    ticks, tick = [], 0.0
    while tick <= x_max + 1e-9:
        ticks.append(tick)
        tick += step
    return ticks


def segments(points: Sequence[tuple[float, float | None]]) -> list[list[tuple[float, float]]]:
    """Runs of consecutive measured points (a None ends a run: the line has a gap there)."""
    runs: list[list[tuple[float, float]]] = [[]]
    for x, y in points:
        if y is None:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append((x, y))
    return [run for run in runs if run]


def line_chart_svg(
    title: str,
    series: Sequence[Series],
    *,
    y_label: str = "ms",
    x_label: str = "seconds since start",
    thresholds: Sequence[Threshold] = (),
) -> str:
    """Render series as polylines (with a dot per measured point) on shared axes, thresholds dashed.

    An empty chart says so instead of failing.
    """
    measured = [(x, y) for s in series for x, y in s.points if y is not None]
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="11" role="img">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{MARGIN_LEFT + plot_w / 2}" y="16" text-anchor="middle" font-size="13">'
        f"{escape(title)}</text>",
    ]
    if not measured:
        parts.append(f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">no data</text></svg>')
        return "\n".join(parts)
    x_max = max(x for x, _ in measured) or 1.0
    data_max = max(y for _, y in measured)
    # A limit far above every measurement would flatten the curves at the bottom: such limits are named
    # in the legend as above the chart instead of being drawn.
    shown = [t for t in thresholds if t.value <= OFF_SCALE_FACTOR * max(data_max, 1.0)]
    above = [t for t in thresholds if t not in shown]
    y_max = _nice_ceiling(max([data_max] + [t.value for t in shown]))

    def sx(x: float) -> float:
        return MARGIN_LEFT + plot_w * x / x_max

    def sy(y: float) -> float:
        return MARGIN_TOP + plot_h * (1 - y / y_max)

    parts += _grid(sx, sy, y_max, x_max, plot_w, plot_h, x_label, y_label)
    legend_y = MARGIN_TOP + 8
    for t in shown:
        parts.append(
            f'<line class="threshold" x1="{MARGIN_LEFT}" x2="{MARGIN_LEFT + plot_w}" y1="{sy(t.value):.1f}" '
            f'y2="{sy(t.value):.1f}" stroke="{t.color}" stroke-dasharray="6 4" stroke-width="1.2"/>'
        )
    for s in series:
        runs = segments(s.points)
        if not runs:
            continue
        for run in runs:
            coords = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in run)
            parts.append(f'<polyline fill="none" stroke="{s.color}" stroke-width="1.5" points="{coords}"/>')
            parts += [f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="1.8" fill="{s.color}"/>' for x, y in run]
        parts.append(_legend(MARGIN_LEFT + plot_w + 10, legend_y, s.label, s.color, dashed=False))
        legend_y += 16
    for t in shown:
        parts.append(_legend(MARGIN_LEFT + plot_w + 10, legend_y, t.label, t.color, dashed=True))
        legend_y += 16
    if above:
        parts.append(f'<text class="off-scale" x="{MARGIN_LEFT + plot_w + 10}" y="{legend_y + 4}">'
                     f"above the chart:</text>")
        for t in above:
            legend_y += 14
            parts.append(f'<text class="off-scale" x="{MARGIN_LEFT + plot_w + 10}" y="{legend_y + 4}" '
                         f'fill="{t.color}">{escape(t.label)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _grid(
    sx: Callable[[float], float],
    sy: Callable[[float], float],
    y_max: float,
    x_max: float,
    plot_w: float,
    plot_h: float,
    x_label: str,
    y_label: str,
) -> list[str]:
    parts = []
    for i in range(5):  # horizontal grid with value labels
        y = y_max * i / 4
        parts.append(
            f'<line x1="{MARGIN_LEFT}" x2="{MARGIN_LEFT + plot_w}" y1="{sy(y):.1f}" y2="{sy(y):.1f}" '
            f'stroke="#ddd"/><text x="{MARGIN_LEFT - 6}" y="{sy(y) + 4:.1f}" text-anchor="end">{y:g}</text>'
        )
    bottom = MARGIN_TOP + plot_h
    for tick in time_ticks(x_max):  # the time axis: ticks with labels in seconds
        parts.append(
            f'<line class="tick" x1="{sx(tick):.1f}" x2="{sx(tick):.1f}" y1="{bottom}" y2="{bottom + 4}" '
            f'stroke="#333"/><text x="{sx(tick):.1f}" y="{bottom + 15}" text-anchor="middle">{tick:g}</text>'
        )
    parts.append(
        f'<line x1="{MARGIN_LEFT}" x2="{MARGIN_LEFT + plot_w}" y1="{bottom}" y2="{bottom}" stroke="#333"/>'
    )
    parts.append(
        f'<text x="{MARGIN_LEFT + plot_w / 2}" y="{HEIGHT - 6}" text-anchor="middle">{escape(x_label)}</text>'
    )
    parts.append(
        f'<text x="14" y="{MARGIN_TOP + plot_h / 2}" text-anchor="middle" '
        f'transform="rotate(-90 14 {MARGIN_TOP + plot_h / 2})">{escape(y_label)}</text>'
    )
    return parts


def _legend(x: float, y: float, label: str, color: str, *, dashed: bool) -> str:
    dash = ' stroke-dasharray="4 3"' if dashed else ""
    return (
        f'<line x1="{x}" x2="{x + 18}" y1="{y}" y2="{y}" stroke="{color}" stroke-width="2"{dash}/>'
        f'<text x="{x + 22}" y="{y + 4}">{escape(label)}</text>'
    )
