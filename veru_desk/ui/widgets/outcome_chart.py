"""A small line chart of wellbeing (0 to 10) and risk level over time, drawn with QPainter.

We ship PySide6-Essentials, which has no QtCharts; a case has a handful of outcome points, so
two lines, two axes and a legend are all the chart needs. Sizes come from the font, so the
chart grows with the system's text size, and the values are also given as an accessible
description for screen readers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from itertools import pairwise

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import RiskLevel
from veru_desk.services.outcomes import SCORE_MAX, OutcomeView

WELLBEING_COLOUR = QColor("#1b6ac9")
RISK_COLOUR = QColor("#c0392b")
_RISK_SHORT = {
    RiskLevel.LOW: "Low",
    RiskLevel.MEDIUM: "Medium",
    RiskLevel.HIGH: "High",
    RiskLevel.VERY_HIGH: "V. high",
}


class OutcomeChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.wellbeing: list[tuple[dt.date, int]] = []
        self.risk: list[tuple[dt.date, RiskLevel]] = []
        self.setAccessibleName("Wellbeing and risk over time")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set_outcomes(self, outcomes: Sequence[OutcomeView]) -> None:
        self.wellbeing = [(o.recorded_on, o.wellbeing) for o in outcomes if o.wellbeing is not None]
        self.risk = [(o.recorded_on, o.risk_level) for o in outcomes if o.risk_level is not None]
        self.setAccessibleDescription(self.describe())
        self.setToolTip(self.describe())
        self.update()

    def describe(self) -> str:
        if not self.wellbeing and not self.risk:
            return "No wellbeing scores or risk levels recorded yet."
        parts = []
        if self.wellbeing:
            parts.append(
                "Wellbeing: " + ", ".join(f"{v} on {format_uk_date(d)}" for d, v in self.wellbeing)
            )
        if self.risk:
            parts.append(
                "Risk: "
                + ", ".join(f"{r.label.lower()} on {format_uk_date(d)}" for d, r in self.risk)
            )
        return ". ".join(parts) + "."

    def sizeHint(self) -> QSize:
        line = self.fontMetrics().lineSpacing()
        return QSize(line * 30, line * 11)

    def minimumSizeHint(self) -> QSize:
        line = self.fontMetrics().lineSpacing()
        return QSize(line * 16, line * 8)

    def right_axis_width(self) -> int:
        """Room for the widest risk label and a gap ("Medium" is wider than "V. high" in most
        fonts, so measuring "V. high" alone cut it off at 150% text)."""
        metrics = self.fontMetrics()
        widest = max(metrics.horizontalAdvance(text) for text in _RISK_SHORT.values())
        return widest + metrics.lineSpacing()

    # --- drawing ---------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = self.fontMetrics()
        line = metrics.lineSpacing()
        text_colour = self.palette().color(self.foregroundRole())
        grid_colour = QColor(text_colour)
        grid_colour.setAlpha(40)

        left = metrics.horizontalAdvance("10") + line
        right = self.right_axis_width()
        plot = QRectF(left, line * 2.2, self.width() - left - right, self.height() - line * 4.2)
        if plot.width() < line * 4 or plot.height() < line * 2:
            painter.end()
            return

        self._legend(painter, line, text_colour)
        days = sorted({d for d, _ in self.wellbeing} | {d for d, _ in self.risk})
        if not days:
            painter.setPen(text_colour)
            painter.drawText(
                plot, Qt.AlignmentFlag.AlignCenter, "No wellbeing scores or risk levels yet"
            )
            painter.end()
            return

        # grid and left axis (wellbeing 0-10)
        for score in range(0, SCORE_MAX + 1, 2):
            y = plot.bottom() - plot.height() * score / SCORE_MAX
            painter.setPen(QPen(grid_colour, 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(WELLBEING_COLOUR)
            painter.drawText(
                QRectF(0, y - line / 2, left - line / 3, line),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                str(score),
            )
        # right axis (risk levels)
        levels = list(RiskLevel)
        for level in levels:
            y = self._risk_y(level, plot)
            painter.setPen(RISK_COLOUR)
            painter.drawText(
                QRectF(plot.right() + line / 3, y - line / 2, right, line),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                _RISK_SHORT[level],
            )

        first, last = days[0], days[-1]
        span = max((last - first).days, 1)

        def x_of(day: dt.date) -> float:
            if first == last:
                return plot.center().x()
            return plot.left() + plot.width() * (day - first).days / span

        # date labels: first, last, and the middle when there is room
        painter.setPen(text_colour)
        label_days = [first] if first == last else [first, last]
        for day in label_days:
            text = format_uk_date(day)
            width = metrics.horizontalAdvance(text)
            x = min(max(x_of(day) - width / 2, plot.left()), plot.right() - width)
            painter.drawText(
                QRectF(x, plot.bottom() + line / 3, width, line), Qt.AlignmentFlag.AlignLeft, text
            )

        self._line(
            painter,
            [
                QPointF(x_of(d), plot.bottom() - plot.height() * v / SCORE_MAX)
                for d, v in self.wellbeing
            ],
            WELLBEING_COLOUR,
            line,
        )
        self._line(
            painter,
            [QPointF(x_of(d), self._risk_y(r, plot)) for d, r in self.risk],
            RISK_COLOUR,
            line,
        )
        painter.end()

    @staticmethod
    def _risk_y(level: RiskLevel, plot: QRectF) -> float:
        """Low sits near the bottom and very high near the top, inside the plot."""
        steps = len(RiskLevel)
        return plot.bottom() - plot.height() * (level.rank + 0.5) / steps

    @staticmethod
    def _line(painter: QPainter, points: list[QPointF], colour: QColor, line: int) -> None:
        if not points:
            return
        painter.setPen(QPen(colour, max(2.0, line / 8)))
        for start, end in pairwise(points):
            painter.drawLine(start, end)
        painter.setBrush(colour)
        radius = max(3.0, line / 5)
        for point in points:
            painter.drawEllipse(point, radius, radius)
        painter.setBrush(Qt.BrushStyle.NoBrush)

    def _legend(self, painter: QPainter, line: int, text_colour: QColor) -> None:
        x = float(line)
        y = line * 0.4
        for label, colour in (
            ("Wellbeing (0 to 10)", WELLBEING_COLOUR),
            ("Risk level", RISK_COLOUR),
        ):
            painter.setPen(QPen(colour, max(2.0, line / 8)))
            painter.drawLine(QPointF(x, y + line / 2), QPointF(x + line * 1.5, y + line / 2))
            painter.setPen(text_colour)
            width = self.fontMetrics().horizontalAdvance(label)
            painter.drawText(
                QRectF(x + line * 2, y, width + 4, line),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
            x += line * 3 + width
