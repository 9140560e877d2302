"""Small charts for the documents, drawn with reportlab.graphics.

Board papers are photocopied in black and white, so no chart relies on colour: bars are one
dark grey with their value printed on them, pie slices use greys far apart in lightness and
a key beside the donut names each with its count and share, in the slices' order clockwise
from the top, and lines carry markers with values beside them.

Each chart draws its own title unless the caller passes ``titled=False`` (a chart printed
under a heading that already says what it shows). A line chart plots only what was
recorded: one score is one dot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors

from veru_desk.domain.dates import format_uk_date
from veru_desk.reports import scripts
from veru_desk.reports.styles import FONT, FONT_BOLD, INK, MUTED, register_fonts

# Lightness steps a greyscale printer keeps apart, darkest first.
GREYS = [
    colors.HexColor(code)
    for code in ("#222222", "#6e6e6e", "#a8a8a8", "#d4d4d4", "#4a4a4a", "#8c8c8c", "#ececec")
]
BAR_FILL = colors.HexColor("#4d4d4d")
LABEL_SIZE = 7
LABEL_LEADING = 8.2
# A bar's label may take this share of the chart's width, on at most two lines.
LABEL_SHARE = 0.42
LABEL_LINES = 2
TITLE_BAND = 14  # points above the plot taken by a chart's own title
# Bars one chart may hold and still fit on a page; beyond that the smallest are summed into
# one "all others" bar (every row is still in the table above the chart).
MAX_BARS = 40
MAX_CHART_HEIGHT = 600  # points: a chart fits on a page under its heading


def _drawing(width: float, height: float) -> Drawing:
    """A drawing whose text defaults to the shipped font (reportlab's default is Helvetica)."""
    drawing = Drawing(width, height)
    drawing.initialFontName = FONT  # type: ignore[attr-defined]  # any attribute
    drawing.initialFontSize = 8  # type: ignore[attr-defined]  # any attribute
    return drawing


def _text_width(value: str, size: float = LABEL_SIZE, font: str = FONT) -> float:
    return scripts.width(value, font, size)


def _text(
    drawing: Drawing,
    x: float,
    y: float,
    value: str,
    *,
    size: float = LABEL_SIZE,
    font: str = FONT,
    anchor: str = "start",
    fill: Any = INK,
) -> None:
    """``value`` drawn at ``x`` (its start, middle or end) on the baseline ``y``, in runs:
    letters DejaVu lacks in the shipped font that has them, right-to-left words in order
    and shaped (scripts.py), a character no font has as "[U+…]". Charts read left to right:
    a label such as "محمد علي — 3 (12%)" keeps its count on the right."""
    runs = scripts.line_runs(value, font, "L")
    widths = [scripts.run_width(run, size) for run in runs]
    total = sum(widths)
    left = x - total if anchor == "end" else x - total / 2 if anchor == "middle" else x
    for run, run_width in zip(runs, widths, strict=True):
        drawing.add(
            String(
                left,
                y,
                scripts.run_text(run, size),
                fontName=run.font,
                fontSize=size,
                fillColor=fill,
            )
        )
        left += run_width


def _titled(drawing: Drawing, title: str) -> None:
    _text(drawing, 0, drawing.height - 10, title, size=8.5, font=FONT_BOLD)


def wrap_label(
    label: str, width: float, size: float = LABEL_SIZE, max_lines: int = LABEL_LINES
) -> list[str]:
    """``label`` broken between words into lines no wider than ``width``; only past
    ``max_lines`` lines is the last cut short with "…" (the table beside has it whole)."""
    lines: list[str] = []
    for word in label.split():
        if lines and _text_width(f"{lines[-1]} {word}", size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
            continue
        while len(word) > 1 and _text_width(word, size) > width:  # one very long word
            cut = len(word) - 1
            while cut > 1 and _text_width(word[:cut], size) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        lines.append(word)
    if len(lines) > max_lines:
        last = " ".join(lines[max_lines - 1 :])
        while len(last) > 1 and _text_width(last + "…", size) > width:
            last = last[:-1].rstrip()
        lines = [*lines[: max_lines - 1], last + "…"]
    return lines or [""]


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    title: str,
    width: float = 480,
    *,
    titled: bool = True,
) -> Drawing:
    """Horizontal bars (long category names stay readable), the value printed at each bar.

    A category's name wraps onto a second line rather than being cut: "Health (incl.
    hospital / A&E navigation)" prints whole.
    """
    register_fonts()
    labels, values = _fewest_bars(labels, values)
    widest = max([_text_width(label) for label in labels] or [0])
    label_width = min(widest, width * LABEL_SHARE)
    wrapped = [wrap_label(label, label_width) for label in labels]
    lines = max([len(label) for label in wrapped] or [1])
    bar_space = max(14.0, lines * LABEL_LEADING + 4)
    top_band = TITLE_BAND + 6 if titled else 6
    # Two-line labels need taller bars: fewer fit on a page, so more are summed as one.
    fit = int((MAX_CHART_HEIGHT - 14 - top_band) // bar_space)
    if len(values) > fit:
        labels, values = _fewest_bars(labels, values, fit)
        wrapped = [wrap_label(label, label_width) for label in labels]
    count = max(len(values), 1)
    height = count * bar_space + 14 + top_band
    drawing = _drawing(width, height)
    if titled:
        _titled(drawing, title)
    chart = HorizontalBarChart()
    chart.x = label_width + 8  # type: ignore[assignment]  # reportlab takes floats; its stubs say int
    chart.y = 8
    chart.width = width - chart.x - 40  # type: ignore[assignment]  # reportlab takes floats; its stubs say int
    chart.height = count * bar_space  # type: ignore[assignment]  # reportlab takes floats; its stubs say int
    chart.data = [list(reversed(values)) or [0]]
    # The names are drawn here, not by the axis, so each prints in the font for its script.
    chart.categoryAxis.visibleLabels = 0
    chart.categoryAxis.strokeColor = MUTED
    chart.valueAxis.valueMin = 0
    top = max([*values, 1])
    chart.valueAxis.valueMax = top * 1.12
    chart.valueAxis.visible = False
    chart.bars[0].fillColor = BAR_FILL
    chart.bars[0].strokeColor = None
    chart.barWidth = 9
    chart.barLabelFormat = _number
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = LABEL_SIZE
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    for index, name in enumerate(reversed(wrapped)):
        middle = chart.y + (index + 0.5) * bar_space
        for number, line in enumerate(name):
            offset = ((len(name) - 1) / 2 - number) * LABEL_LEADING
            _text(drawing, chart.x - 4, middle + offset - LABEL_SIZE * 0.35, line, anchor="end")
    return drawing


def _fewest_bars(
    labels: Sequence[str], values: Sequence[float], most: int = MAX_BARS
) -> tuple[list[str], list[float]]:
    """At most ``most`` bars: the largest in their order, the rest summed as one."""
    if len(values) <= most:
        return list(labels), list(values)
    ranked = sorted(range(len(values)), key=lambda i: values[i], reverse=True)
    kept = sorted(ranked[: most - 1])
    others = ranked[most - 1 :]
    return (
        [labels[i] for i in kept] + [f"All {len(others)} others (see the table)"],
        [values[i] for i in kept] + [sum(values[i] for i in others)],
    )


def donut_chart(
    labels: Sequence[str],
    values: Sequence[float],
    title: str,
    width: float = 240,
    *,
    titled: bool = True,
) -> Drawing:
    """A donut in well-separated greys with a key beside it: each slice's name, count and
    share, in the slices' order clockwise from the top. Labels round the ring overlapped
    where slices were thin; a key's rows cannot."""
    register_fonts()
    shown = [(label, value) for label, value in zip(labels, values, strict=True) if value > 0]
    size = 92.0
    key_x = size + 28
    key_width = max(width - key_x, 60)
    total = sum(value for _, value in shown)
    rows = [
        wrap_label(
            f"{scripts.isolate(label)} — {_number(value)} ({_share(value, total)})",
            key_width - 12,
        )
        for label, value in shown
    ]
    key_height = sum(len(row) * LABEL_LEADING + 3 for row in rows) + LABEL_LEADING + 4
    top_band = TITLE_BAND + 4 if titled else 4
    body = max(size + 16, key_height)
    height = body + top_band
    drawing = _drawing(width, height)
    if titled:
        _titled(drawing, title)
    if not shown:
        drawing.add(String(0, body / 2, "Nothing to show", fontName=FONT, fontSize=8))
        return drawing
    pie = Pie()
    pie.x = 8
    pie.y = (body - size) / 2  # type: ignore[assignment]  # reportlab takes floats; its stubs say int
    pie.width = pie.height = size  # type: ignore[assignment]  # reportlab takes floats; its stubs say int
    pie.innerRadiusFraction = 0.5
    pie.startAngle = 90
    pie.direction = "clockwise"
    pie.data = [value for _, value in shown]
    pie.labels = None
    pie.slices.strokeColor = colors.white
    pie.slices.strokeWidth = 1
    for index in range(len(shown)):
        pie.slices[index].fillColor = _slice_grey(index, len(shown))
    drawing.add(pie)
    y = body - 4
    for index, row in enumerate(rows):
        y -= LABEL_LEADING
        swatch = Rect(key_x, y - 0.5, 7, 7)
        swatch.fillColor = _slice_grey(index, len(shown))
        swatch.strokeColor = INK
        swatch.strokeWidth = 0.4
        drawing.add(swatch)
        for number, line in enumerate(row):
            _text(drawing, key_x + 12, y - number * LABEL_LEADING, line)
        y -= (len(row) - 1) * LABEL_LEADING + 3
    order = "Slices run clockwise from the top, in this order."
    _text(drawing, key_x, y - LABEL_LEADING, order, size=6.5, fill=MUTED)
    return drawing


def _slice_grey(index: int, count: int) -> colors.Color:
    """Greys in turn; the last slice, which touches the first at the top, never shares its
    grey."""
    grey = GREYS[index % len(GREYS)]
    if index == count - 1 and index > 0 and grey == GREYS[0]:
        return GREYS[2]
    return grey


def _share(value: float, total: float) -> str:
    share = 100 * value / total if total else 0
    return "under 1%" if 0 < share < 1 else f"{share:.0f}%"


def line_chart(
    points: Sequence[tuple[dt.date, float]],
    title: str,
    *,
    value_min: float = 0,
    value_max: float | None = None,
    width: float = 480,
    height: float = 130,
    titled: bool = True,
) -> Drawing:
    """Values over time, each point marked and labelled; dates along the bottom.

    Exactly the recorded points are plotted: a single score is a single dot (the axis,
    not the data, is widened a day each side so the dot sits in the middle).
    """
    register_fonts()
    if not titled:
        height -= TITLE_BAND
    drawing = _drawing(width, height)
    if titled:
        _titled(drawing, title)
    if not points:
        drawing.add(String(0, height / 2, "Nothing recorded yet", fontName=FONT, fontSize=8))
        return drawing
    plot = LinePlot()
    plot.x = 30
    plot.y = 22
    plot.width = width - 50  # type: ignore[assignment]  # reportlab takes floats; its stubs say int
    plot.height = height - (42 if titled else 28)  # type: ignore[assignment]  # reportlab takes floats; its stubs say int
    data = [(day.toordinal(), value) for day, value in sorted(points)]
    plot.data = [data]
    plot.lines[0].strokeColor = INK
    plot.lines[0].strokeWidth = 1.2
    plot.lines[0].symbol = makeMarker("FilledCircle", size=3.5, fillColor=INK)
    first, last = data[0][0], data[-1][0]
    # The axis (not the data) runs a little past the first and last record, so their dots
    # and values stand clear of the edges; one day's record sits in the middle.
    pad = max(1.0, (last - first) * 0.04)
    plot.xValueAxis.valueMin = first - pad
    plot.xValueAxis.valueMax = last + pad
    plot.xValueAxis.valueSteps = [first] if first == last else _steps(first, last - first, 6)
    plot.xValueAxis.labelTextFormat = lambda ordinal: format_uk_date(
        dt.date.fromordinal(int(ordinal))
    )
    plot.xValueAxis.labels.fontName = FONT
    plot.xValueAxis.labels.fontSize = 6.5
    plot.yValueAxis.valueMin = value_min
    plot.yValueAxis.valueMax = value_max if value_max is not None else max(v for _, v in data) + 1
    plot.yValueAxis.labels.fontName = FONT
    plot.yValueAxis.labels.fontSize = 6.5
    plot.yValueAxis.visibleGrid = True
    plot.yValueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    plot.lineLabelFormat = _number if len(points) <= 24 else None
    plot.lineLabels.fontName = FONT
    plot.lineLabels.fontSize = 6.5
    plot.lineLabels.dy = 5
    drawing.add(plot)
    return drawing


def _steps(start: int, span: int, count: int) -> list[int]:
    step = max(span // (count - 1), 1)
    return [start + i * step for i in range(count) if i * step <= span]


def _number(value: float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return f"{int(value):,}"
