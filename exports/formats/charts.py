"""A document's chart as an SVG string, embedded in the PDF as vector graphics.

Hand-rolled rather than matplotlib: a bar or line chart is a few rectangles and polylines, the
text stays real text (searchable and selectable in the PDF), there is no global plotting state
and no heavy import in the worker. Built for print: black on white, and every series is told
apart without colour — bars by fill pattern, lines by marker shape and dash style, both named in
the legend."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

from exports.document import Chart, Series
from exports.formats.cells import neutralise

WIDTH, HEIGHT = 680, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 40
LEGEND_ROW = 18
MAX_CATEGORY_LABELS = 10
MAX_MARKERS = 24
FONT = 'font-family="DejaVu Sans, sans-serif" font-size="10"'

# Fills for bar series, told apart in greyscale by pattern as well as by tone.
BAR_FILLS = ("#222", "url(#{id}-hatch)", "#bbb", "url(#{id}-dots)", "url(#{id}-cross)", "#fff")
LINE_DASHES = ("", "6 3", "2 3", "9 3 2 3", "12 4", "1 2")
MARKERS = ("circle", "square", "triangle", "diamond", "cross", "plus")
LINE_TONES = ("#000", "#333", "#555", "#000", "#333", "#555")

PATTERNS = """<defs>
<pattern id="{id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse">
<rect width="6" height="6" fill="#fff"/><path d="M0 6L6 0M-1 1L1 -1M5 7L7 5" stroke="#000"/>
</pattern>
<pattern id="{id}-dots" width="5" height="5" patternUnits="userSpaceOnUse">
<rect width="5" height="5" fill="#fff"/><circle cx="2.5" cy="2.5" r="1.2" fill="#000"/>
</pattern>
<pattern id="{id}-cross" width="6" height="6" patternUnits="userSpaceOnUse">
<rect width="6" height="6" fill="#ddd"/><path d="M0 3H6M3 0V6" stroke="#000" stroke-width="0.8"/>
</pattern>
</defs>"""

NumberText = Callable[[float], str]


def chart_svg(chart: Chart, number_text: NumberText, chart_id: str) -> str:
    """`chart_id` keeps the pattern ids of several charts in one page apart."""
    legend_rows = _legend_rows(chart.series)
    plot = _Plot(chart, top=TOP + LEGEND_ROW * len(legend_rows), chart_id=chart_id)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{_text(chart.title)}">',
        PATTERNS.replace("{id}", chart_id),
        *_legend(chart, legend_rows, chart_id),
        *plot.grid(number_text),
        *(plot.bars() if chart.kind == "bar" else plot.lines()),
        *plot.category_labels(),
        "</svg>",
    ]
    return "\n".join(parts)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering low..high (about `count` steps of 1, 2, 2.5 or 5 x 10^n)."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start, end = math.floor(low / step), math.ceil(high / step)
    return [round(i * step, 10) for i in range(start, end + 1)]


class _Plot:
    def __init__(self, chart: Chart, top: int, chart_id: str) -> None:
        self.chart, self.chart_id = chart, chart_id
        values = [float(v) for series in chart.series for v in series.values if _finite(v)]
        self.ticks = nice_ticks(min([0.0, *values]), max([0.0, *values]))
        self.top, self.bottom = top, HEIGHT - BOTTOM
        self.left, self.right = LEFT, WIDTH - RIGHT
        self.count = max(len(chart.categories), 1)

    def y(self, value: float) -> float:
        low, high = self.ticks[0], self.ticks[-1]
        return self.bottom - (value - low) / (high - low) * (self.bottom - self.top)

    def slot(self) -> float:
        return (self.right - self.left) / self.count

    def x_center(self, index: int) -> float:
        return self.left + self.slot() * (index + 0.5)

    def grid(self, number_text: NumberText) -> list[str]:
        out = []
        for tick in self.ticks:
            y = self.y(tick)
            stroke = "#000" if tick == 0 else "#ccc"
            out.append(
                f'<line x1="{self.left}" x2="{self.right}" y1="{y:.1f}" y2="{y:.1f}" '
                f'stroke="{stroke}" stroke-width="0.6"/>'
            )
            out.append(
                f'<text x="{self.left - 6}" y="{y + 3.5:.1f}" text-anchor="end" {FONT}>'
                f"{_text(number_text(tick))}</text>"
            )
        out.append(
            f'<line x1="{self.left}" x2="{self.left}" y1="{self.top}" y2="{self.bottom}" '
            'stroke="#000" stroke-width="0.6"/>'
        )
        return out

    def bars(self) -> list[str]:
        series = self.chart.series
        group = self.slot() * 0.8
        width = group / max(len(series), 1)
        zero = self.y(max(self.ticks[0], min(0.0, self.ticks[-1])))
        out = []
        for s_index, one in enumerate(series):
            fill = _bar_fill(s_index, self.chart_id)
            for c_index, value in enumerate(one.values[: self.count]):
                if not _finite(value):
                    continue
                x = self.x_center(c_index) - group / 2 + s_index * width
                y = self.y(float(value))
                top, height = min(y, zero), abs(zero - y)
                out.append(
                    f'<rect x="{x:.1f}" y="{top:.1f}" width="{width:.1f}" height="{height:.1f}" '
                    f'fill="{fill}" stroke="#000" stroke-width="0.5"/>'
                )
        return out

    def lines(self) -> list[str]:
        out = []
        for s_index, one in enumerate(self.chart.series):
            points = [
                (self.x_center(i), self.y(float(v)))
                for i, v in enumerate(one.values[: self.count])
                if _finite(v)
            ]
            if not points:
                continue
            out.append(_polyline(points, s_index))
            every = max(1, math.ceil(len(points) / MAX_MARKERS))
            out += [_marker(x, y, s_index) for x, y in points[::every]]
        return out

    def category_labels(self) -> list[str]:
        categories = self.chart.categories
        # Every n-th label, so that labels about 6 units a character wide do not touch.
        widest = max((len(str(label)) for label in categories), default=0)
        every = max(
            1,
            math.ceil(len(categories) / MAX_CATEGORY_LABELS),
            math.ceil((min(widest, 14) * 6 + 12) / self.slot()),
        )
        limit = max(6, int(self.slot() * every / 6))
        return [
            f'<text x="{self.x_center(i):.1f}" y="{self.bottom + 14}" text-anchor="middle" '
            f"{FONT}>{_text(_shorten(str(label), limit))}</text>"
            for i, label in enumerate(categories)
            if i % every == 0
        ]


def _legend_rows(series: Sequence[Series]) -> list[list[tuple[int, Series]]]:
    rows: list[list[tuple[int, Series]]] = [[]]
    used = 0
    for index, one in enumerate(series):
        width = 30 + 6 * len(one.label)
        if rows[-1] and used + width > WIDTH - LEFT:
            rows.append([])
            used = 0
        rows[-1].append((index, one))
        used += width
    return rows if rows[0] else []


def _legend(chart: Chart, rows: list[list[tuple[int, Series]]], chart_id: str) -> list[str]:
    out = []
    for row_index, row in enumerate(rows):
        y = TOP + LEGEND_ROW * row_index - 4
        x = float(LEFT)
        for index, one in row:
            out.append(_swatch(chart.kind, index, x, y, chart_id))
            out.append(f'<text x="{x + 24:.1f}" y="{y + 4:.1f}" {FONT}>{_text(one.label)}</text>')
            x += 30 + 6 * len(one.label)
    return out


def _bar_fill(index: int, chart_id: str) -> str:
    return BAR_FILLS[index % len(BAR_FILLS)].replace("{id}", chart_id)


def _swatch(kind: str, index: int, x: float, y: float, chart_id: str) -> str:
    if kind == "bar":
        fill = _bar_fill(index, chart_id)
        return (
            f'<rect x="{x:.1f}" y="{y - 5:.1f}" width="18" height="10" fill="{fill}" '
            'stroke="#000" stroke-width="0.5"/>'
        )
    return _polyline([(x, y), (x + 18, y)], index) + _marker(x + 9, y, index)


def _polyline(points: list[tuple[float, float]], index: int) -> str:
    dash = LINE_DASHES[index % len(LINE_DASHES)]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return (
        f'<polyline points="{coords}" fill="none" stroke="{LINE_TONES[index % 6]}" '
        f'stroke-width="1.4"{dash_attr}/>'
    )


def _marker(x: float, y: float, index: int) -> str:
    shape = MARKERS[index % len(MARKERS)]
    style = 'fill="#fff" stroke="#000" stroke-width="1"'
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" {style}/>'
    if shape == "square":
        return f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="#000"/>'
    paths = {
        "triangle": f"M{x:.1f} {y - 3.5:.1f}L{x + 3.5:.1f} {y + 3:.1f}L{x - 3.5:.1f} {y + 3:.1f}Z",
        "diamond": f"M{x:.1f} {y - 4:.1f}L{x + 4:.1f} {y:.1f}L{x:.1f} {y + 4:.1f}"
        f"L{x - 4:.1f} {y:.1f}Z",
        "cross": f"M{x - 3:.1f} {y - 3:.1f}L{x + 3:.1f} {y + 3:.1f}"
        f"M{x - 3:.1f} {y + 3:.1f}L{x + 3:.1f} {y - 3:.1f}",
        "plus": f"M{x - 3.5:.1f} {y:.1f}H{x + 3.5:.1f}M{x:.1f} {y - 3.5:.1f}V{y + 3.5:.1f}",
    }
    fill = "#000" if shape == "triangle" else "#fff"
    return f'<path d="{paths[shape]}" fill="{fill}" stroke="#000" stroke-width="1.2"/>'


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(float(value))


def _shorten(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _text(value: str) -> str:
    return escape(neutralise(str(value)), quote=True)
