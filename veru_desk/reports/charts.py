"""Small charts for the documents, drawn with reportlab.graphics.

Board papers are photocopied in black and white, so no chart relies on colour: bars are one
dark grey with their value printed on them, pie slices use greys far apart in lightness, each
labelled with its name and count, and lines carry markers with values beside them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from veru_desk.domain.dates import format_uk_date
from veru_desk.reports.styles import FONT, FONT_BOLD, INK, MUTED, register_fonts

# Lightness steps a greyscale printer keeps apart, darkest first.
GREYS = [
    colors.HexColor(code)
    for code in ("#222222", "#6e6e6e", "#a8a8a8", "#d4d4d4", "#4a4a4a", "#8c8c8c", "#ececec")
]
BAR_FILL = colors.HexColor("#4d4d4d")
MAX_LABEL_CHARS = 34
# Bars one chart may hold and still fit on a page; beyond that the smallest are summed into
# one "all others" bar (every row is still in the table above the chart).
MAX_BARS = 40


def _drawing(width: float, height: float) -> Drawing:
    """A drawing whose text defaults to the shipped font (reportlab's default is Helvetica)."""
    drawing = Drawing(width, height)
    drawing.initialFontName = FONT  # type: ignore[attr-defined]  # any attribute
    drawing.initialFontSize = 8  # type: ignore[attr-defined]  # any attribute
    return drawing


def _short(label: str, width: float | None = None, size: float = 7) -> str:
    """At most ``MAX_LABEL_CHARS`` characters and, given a ``width``, no wider than it:
    letters such as Ó or W are twice as wide as i, so counting alone can run off the page."""
    if len(label) > MAX_LABEL_CHARS:
        label = label[: MAX_LABEL_CHARS - 1] + "…"
    if width is not None:
        while len(label) > 1 and stringWidth(label, FONT, size) > width:
            label = label[:-2].rstrip() + "…"
    return label


def _titled(drawing: Drawing, title: str) -> None:
    drawing.add(
        String(0, drawing.height - 10, title, fontName=FONT_BOLD, fontSize=8.5, fillColor=INK)
    )


def bar_chart(
    labels: Sequence[str], values: Sequence[float], title: str, width: float = 480
) -> Drawing:
    """Horizontal bars (long category names stay readable), the value printed at each bar."""
    register_fonts()
    labels, values = _fewest_bars(labels, values)
    count = max(len(values), 1)
    bar_space = 14
    height = count * bar_space + 34
    drawing = _drawing(width, height)
    _titled(drawing, title)
    chart = HorizontalBarChart()
    chart.x = 165
    chart.y = 8
    chart.width = width - chart.x - 40  # type: ignore[assignment]  # reportlab takes floats; its stubs say int
    chart.height = count * bar_space
    chart.data = [list(reversed(values)) or [0]]
    chart.categoryAxis.categoryNames = [
        _short(label, chart.x - 8) for label in reversed(labels)
    ] or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
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
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing


def _fewest_bars(labels: Sequence[str], values: Sequence[float]) -> tuple[list[str], list[float]]:
    """At most ``MAX_BARS`` bars: the largest in their order, the rest summed as one."""
    if len(values) <= MAX_BARS:
        return list(labels), list(values)
    ranked = sorted(range(len(values)), key=lambda i: values[i], reverse=True)
    kept = sorted(ranked[: MAX_BARS - 1])
    others = ranked[MAX_BARS - 1 :]
    return (
        [labels[i] for i in kept] + [f"All {len(others)} others (see the table)"],
        [values[i] for i in kept] + [sum(values[i] for i in others)],
    )


def donut_chart(
    labels: Sequence[str], values: Sequence[float], title: str, width: float = 240
) -> Drawing:
    """A donut with each slice labelled "name (n)"; slices in well-separated greys."""
    register_fonts()
    height = 170
    drawing = _drawing(width, height)
    _titled(drawing, title)
    shown = [(label, value) for label, value in zip(labels, values, strict=True) if value > 0]
    if not shown:
        drawing.add(String(0, height / 2, "Nothing to show", fontName=FONT, fontSize=8))
        return drawing
    pie = Pie()
    size = 92
    pie.x = (width - size) / 2  # type: ignore[assignment]  # reportlab takes floats; its stubs say int
    pie.y = 24
    pie.width = pie.height = size
    pie.innerRadiusFraction = 0.5
    pie.data = [value for _, value in shown]
    pie.labels = [f"{_short(label)} ({_number(value)})" for label, value in shown]
    pie.simpleLabels = 0
    pie.sideLabels = 1
    pie.slices.strokeColor = colors.white
    pie.slices.strokeWidth = 1
    pie.slices.fontName = FONT
    pie.slices.fontSize = 6.5
    for index in range(len(shown)):
        pie.slices[index].fillColor = GREYS[index % len(GREYS)]
    drawing.add(pie)
    return drawing


def line_chart(
    points: Sequence[tuple[dt.date, float]],
    title: str,
    *,
    value_min: float = 0,
    value_max: float | None = None,
    width: float = 480,
    height: float = 130,
) -> Drawing:
    """Values over time, each point marked and labelled; dates along the bottom."""
    register_fonts()
    drawing = _drawing(width, height)
    _titled(drawing, title)
    if not points:
        drawing.add(String(0, height / 2, "Nothing recorded yet", fontName=FONT, fontSize=8))
        return drawing
    plot = LinePlot()
    plot.x = 30
    plot.y = 22
    plot.width = width - 50  # type: ignore[assignment]  # reportlab takes floats; its stubs say int
    plot.height = height - 42  # type: ignore[assignment]  # reportlab takes floats; its stubs say int
    data = [(day.toordinal(), value) for day, value in sorted(points)]
    if len(data) == 1:
        day, value = data[0]
        data = [(day - 1, value), (day, value), (day + 1, value)]
    plot.data = [data]
    plot.lines[0].strokeColor = INK
    plot.lines[0].strokeWidth = 1.2
    plot.lines[0].symbol = makeMarker("FilledCircle", size=3.5, fillColor=INK)
    plot.xValueAxis.valueMin = data[0][0]
    plot.xValueAxis.valueMax = data[-1][0]
    span = max(data[-1][0] - data[0][0], 1)
    plot.xValueAxis.valueSteps = _steps(data[0][0], span, 6)
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
