"""Referrals received and cases closed, month by month: paired bars drawn with QPainter.

No charting library (we ship PySide6-Essentials, without QtCharts). Every size comes from the
font, so the chart grows with the system's text size and stays readable at 150% scaling; each
bar carries its number, and the same numbers are the accessible description, so colour is
never the only way to tell the two series apart (the legend names them, and the bars differ in
shade as well as hue when printed in grey).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from veru_desk.services.outcome_figures import MonthFigures

REFERRALS_COLOUR = QColor("#1b6ac9")
CLOSED_COLOUR = QColor("#7a4b00")
SERIES = (("Referrals received", REFERRALS_COLOUR), ("Cases closed", CLOSED_COLOUR))


class TrendChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.months: list[MonthFigures] = []
        self.setAccessibleName("Referrals received and cases closed by month")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_months(self, months: Sequence[MonthFigures]) -> None:
        self.months = list(months)
        described = self.describe()
        self.setAccessibleDescription(described)
        self.setToolTip(described)
        self.updateGeometry()
        self.update()

    def describe(self) -> str:
        if not self.months:
            return "No months to show."
        return "; ".join(
            f"{m.label}: {m.referrals:,} received, {m.closed:,} closed" for m in self.months
        )

    def sizeHint(self) -> QSize:
        line = self.fontMetrics().lineSpacing()
        return QSize(line * 40, line * 13)

    def minimumSizeHint(self) -> QSize:
        line = self.fontMetrics().lineSpacing()
        return QSize(line * 24, line * 13)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = self.fontMetrics()
        line = metrics.lineSpacing()
        text_colour = self.palette().color(self.foregroundRole())
        x = 0.0
        painter.setPen(text_colour)
        title = "Referrals received and cases closed, last 12 months"
        painter.drawText(QRectF(0, 0, self.width(), line), Qt.AlignmentFlag.AlignLeft, title)
        y = line * 1.3
        for label, colour in SERIES:  # the legend
            painter.fillRect(QRectF(x, y + line * 0.2, line * 0.8, line * 0.6), colour)
            width = metrics.horizontalAdvance(label)
            painter.setPen(text_colour)
            painter.drawText(
                QRectF(x + line, y, width + 4, line),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
            x += line * 2.5 + width
        plot = QRectF(0, line * 3.2, self.width(), self.height() - line * 5.4)
        if not self.months or plot.height() < line:
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "Nothing to show")
            painter.end()
            return
        biggest = max(max(m.referrals, m.closed) for m in self.months) or 1
        slot = plot.width() / len(self.months)
        bar = max(min(slot * 0.36, line * 1.6), 2.0)
        grid = QColor(text_colour)
        grid.setAlpha(60)
        painter.setPen(QPen(grid, 1))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        widest = max(
            metrics.horizontalAdvance(f"{v:,}")
            for m in self.months
            for v in (m.referrals, m.closed)
        )
        numbers_fit = widest <= bar * 1.1  # else the table under the chart carries them
        for index, month in enumerate(self.months):
            left = plot.left() + index * slot + (slot - 2 * bar) / 2
            for offset, (value, colour) in enumerate(
                ((month.referrals, REFERRALS_COLOUR), (month.closed, CLOSED_COLOUR))
            ):
                height = plot.height() * value / biggest
                rect = QRectF(left + offset * bar, plot.bottom() - height, bar, height)
                painter.fillRect(rect, colour)
                painter.setPen(text_colour)
                if numbers_fit:
                    painter.drawText(
                        QRectF(rect.center().x() - bar, rect.top() - line, 2 * bar, line),
                        Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                        f"{value:,}",
                    )
            painter.setPen(text_colour)
            label = month.label
            if metrics.horizontalAdvance(label) > slot:
                label = label.split()[0]  # "Mar" when "Mar 2026" does not fit
            painter.drawText(
                QRectF(plot.left() + index * slot, plot.bottom() + line * 0.2, slot, line),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                label,
            )
        painter.end()
