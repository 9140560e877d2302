"""The Reports screen: choose a period and filters, preview the figures, export them.

The figures are counted off the GUI thread with a progress dialog that can be cancelled; the
preview shows the very figures an export writes (they are passed to the export, not counted
again), so what the manager checked on screen is what the board reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.enums import ReferralReason
from veru_desk.domain.errors import ValidationError
from veru_desk.reports.outcome_report import export_outcome_report
from veru_desk.services import Services
from veru_desk.services.outcome_figures import (
    FigureTable,
    MonthFigures,
    OutcomeFigures,
    ReportCancelled,
    ReportChoices,
    ReportPeriod,
    figure_tables,
    quick_periods,
)
from veru_desk.ui.dialogs.export_summary import documents_folder
from veru_desk.ui.shell.tasks import Cancelled, Progress, run_task
from veru_desk.ui.widgets.feedback import SavedLine, show_error
from veru_desk.ui.widgets.forms import DateField
from veru_desk.ui.widgets.page import page_frame
from veru_desk.ui.widgets.trend_chart import TrendChart

CUSTOM = "Custom dates"
DEFAULT_PERIOD = "Last quarter"
PREVIEW_CHARTS = ("referrals_by_source", "referrals_by_reason")
MARKERS = ("<5", "*", "n/a")  # suppressed or not computable: aligned with the numbers
FORMAT_FILTERS = {
    ".pdf": "PDF document (*.pdf)",
    ".xlsx": "Excel workbook (*.xlsx)",
    ".csv": "CSV file (*.csv)",
}


def number_text(value: object) -> str:
    """A figure as the page shows it: thousands separated ("1,154"), a fraction to one place;
    text (a percentage, "n/a") as it is."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
    return str(value)


class BarPreview(QWidget):
    """Horizontal bars, largest first, with the value at each bar, in greys (the printed
    report's palette). Sizes come from the font, so the bars grow with the text size."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = ""
        self.bars: list[tuple[str, float]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_bars(self, title: str, bars: Sequence[tuple[str, float]]) -> None:
        self.title = title
        # largest first; equal values keep the report's order (sorted is stable)
        self.bars = sorted(bars, key=lambda bar: -bar[1])
        self.setAccessibleName(title)
        self.setAccessibleDescription(
            "; ".join(f"{label}: {number_text(value)}" for label, value in self.bars)
            or "Nothing to show"
        )
        self.updateGeometry()
        self.update()

    def _row_height(self) -> int:
        return self.fontMetrics().lineSpacing() + 4

    def sizeHint(self) -> QSize:
        line = self.fontMetrics().lineSpacing()
        return QSize(line * 26, line * 2 + self._row_height() * max(len(self.bars), 1))

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().lineSpacing() * 16, self.sizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = painter.fontMetrics()
        line = metrics.lineSpacing()
        row = self._row_height()
        painter.setPen(self.palette().text().color())
        painter.drawText(0, metrics.ascent(), self.title)
        if not self.bars:
            painter.drawText(0, line + metrics.ascent() + 4, "Nothing to show for this period")
            painter.end()
            return
        label_width = min(
            max(metrics.horizontalAdvance(label) for label, _ in self.bars) + 8,
            self.width() // 2,
        )
        value_width = max(metrics.horizontalAdvance(number_text(v)) for _, v in self.bars) + 8
        top = line + 8
        available = max(self.width() - label_width - value_width, 10)
        biggest = max(value for _, value in self.bars) or 1
        for index, (label, value) in enumerate(self.bars):
            y = top + index * row
            shown = metrics.elidedText(label, Qt.TextElideMode.ElideRight, label_width - 8)
            painter.setPen(self.palette().text().color())
            painter.drawText(
                QRectF(0, y, label_width - 8, row),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                shown,
            )
            width = available * value / biggest
            painter.fillRect(QRectF(label_width, y + 3, width, row - 6), QColor("#4d4d4d"))
            painter.drawText(
                QRectF(label_width + width + 4, y, value_width, row),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                number_text(value),
            )
        painter.end()


def _table_widget(table: FigureTable) -> QTableWidget:
    widget = QTableWidget(len(table.rows), len(table.columns))
    widget.setHorizontalHeaderLabels(table.columns)
    widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    widget.verticalHeader().setVisible(False)
    header = widget.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(False)  # the value sits next to its label
    widget.setAccessibleName(table.title)
    for r, row in enumerate(table.rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem("" if value == "" else number_text(value))
            if isinstance(value, int | float) or value in MARKERS:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            widget.setItem(r, c, item)
    widget.resizeColumnsToContents()
    widget.resizeRowsToContents()
    gap = widget.fontMetrics().horizontalAdvance("M") * 2  # air between a label and its value
    for column in range(1, widget.columnCount()):
        widget.setColumnWidth(column, widget.columnWidth(column) + gap)
    _fit_table(widget)
    return widget


def _fit_table(widget: QTableWidget) -> None:
    """No scroll bars and no stretch: the table as big as its cells, no bigger."""
    widget.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    widget.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    frame = 2 * widget.frameWidth()
    header = widget.horizontalHeader()
    height = header.sizeHint().height() + frame
    height += sum(widget.rowHeight(r) for r in range(widget.rowCount()))
    widget.setFixedHeight(height)
    widget.setFixedWidth(header.length() + frame)


def _trend_table(months: Sequence[MonthFigures]) -> QTableWidget:
    """The trend's numbers, a column a month: what the bars show, to read and to copy."""
    widget = QTableWidget(2, len(months))
    widget.setAccessibleName("Referrals received and cases closed by month, as numbers")
    widget.setHorizontalHeaderLabels([m.label.replace(" ", "\n") for m in months])
    widget.setVerticalHeaderLabels(["Referrals received", "Cases closed"])
    widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    for c, month in enumerate(months):
        for r, value in enumerate((month.referrals, month.closed)):
            item = QTableWidgetItem(f"{value:,}")
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            widget.setItem(r, c, item)
    gap = widget.fontMetrics().horizontalAdvance("M")
    widget.resizeColumnsToContents()
    widget.resizeRowsToContents()
    for column in range(widget.columnCount()):
        widget.setColumnWidth(column, widget.columnWidth(column) + gap)
    # the row headings' own width, in bold as the stylesheet may draw them, so the table's
    # width is known before it is shown (and leaves no blank strip or scroll bar)
    bold = QFont(widget.verticalHeader().font())
    bold.setBold(True)
    headings = QFontMetrics(bold).horizontalAdvance("Referrals received") + 2 * gap
    widget.verticalHeader().setFixedWidth(headings)
    _fit_table(widget)
    widget.setFixedWidth(widget.width() + headings)
    return widget


class ReportsPage(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.figures: OutcomeFigures | None = None
        self.months: list[MonthFigures] = []
        self._busy = False
        self._figures_requested = False

        self.quick = QComboBox()
        self.quick.setAccessibleName("Period")
        self.periods = quick_periods(dt.date.today())
        self.quick.addItems([*self.periods, CUSTOM])
        self.start = DateField(accessible_name="Period start")
        self.end = DateField(accessible_name="Period end")
        self.quick.currentTextChanged.connect(self._quick_changed)
        self.start.textEdited.connect(lambda _text: self.quick.setCurrentText(CUSTOM))
        self.end.textEdited.connect(lambda _text: self.quick.setCurrentText(CUSTOM))

        self.worker = QComboBox()
        self.worker.setAccessibleName("Caseworker")
        self.agency = QComboBox()
        self.agency.setAccessibleName("Referring agency")
        self.reason = QComboBox()
        self.reason.setAccessibleName("Referral reason")
        self.reason.addItem("All reasons", None)
        for member in ReferralReason:
            self.reason.addItem(member.label, member.value)
        self._set_choices(ReportChoices())

        self.run_button = QPushButton("Show figures")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run)
        self.export_buttons = {
            ".pdf": QPushButton("Export PDF…"),
            ".xlsx": QPushButton("Export Excel…"),
            ".csv": QPushButton("Export CSV…"),
        }
        for suffix, button in self.export_buttons.items():
            button.setEnabled(False)
            button.clicked.connect(lambda _checked=False, s=suffix: self.export(s))
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.status = QLabel("Counting the figures for the period…")
        self.status.setWordWrap(True)

        choose = QGroupBox("Period and filters")
        grid = QGridLayout(choose)
        for row, column, text, field in (
            (0, 0, "&Period:", self.quick),
            (0, 2, "&From:", self.start),
            (0, 4, "&To:", self.end),
            (1, 0, "&Caseworker:", self.worker),
            (1, 2, "Referring &agency:", self.agency),
            (1, 4, "R&eason:", self.reason),
        ):
            label = QLabel(text)
            label.setBuddy(field)
            grid.addWidget(label, row, column)
            grid.addWidget(field, row, column + 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addStretch(1)
        for button in self.export_buttons.values():
            buttons.addWidget(button)
        self.commentary = QPlainTextEdit()
        self.commentary.setAccessibleName("Manager's commentary")
        self.commentary.setPlaceholderText(
            "Optional: what the figures mean, in your words. Printed on the first page of "
            "the PDF and above the tables of the spreadsheets."
        )
        self.commentary.setTabChangesFocus(True)
        self.commentary.setFixedHeight(self.commentary.fontMetrics().lineSpacing() * 4 + 12)
        commentary_label = QLabel("Co&mmentary:")
        commentary_label.setBuddy(self.commentary)
        grid.addWidget(commentary_label, 2, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.commentary, 2, 1, 1, 5)
        grid.addLayout(buttons, 3, 0, 1, 6)

        self.charts: list[BarPreview] = []
        self.trend_chart: TrendChart | None = None
        self.trend_table: QTableWidget | None = None
        self.preview = QWidget()
        self.preview_layout = QVBoxLayout(self.preview)
        self.preview_layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.preview)

        layout = page_frame(
            self,
            "Outcome reports",
            subtitle="Referrals, casework and outcomes for a period, as the board and funders "
            "read them: check the figures here, then export them.",
        ).layout
        layout.addWidget(choose)
        layout.addWidget(self.error)
        layout.addWidget(self.status)
        self.saved = SavedLine(self)
        layout.addWidget(self.saved)
        layout.addWidget(scroll, 1)
        self.quick.setCurrentText(DEFAULT_PERIOD)
        self._quick_changed(DEFAULT_PERIOD)

    def showEvent(self, event: QShowEvent) -> None:
        """A manager opening Reports wants numbers, not an empty pane: the default period's
        figures are counted on first show (in the background, with Cancel, as any run)."""
        super().showEvent(event)
        if not self._figures_requested:
            self._figures_requested = True
            QTimer.singleShot(0, self.run)

    # --- choices ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reloads the caseworkers and agencies offered as filters."""
        reports = self.services.reports
        run_task(
            self,
            "Loading report filters",
            lambda _progress: reports.choices(),
            self._set_choices,
            self._failed,
            show_progress=False,
        )

    def _set_choices(self, choices: ReportChoices) -> None:
        for combo, everyone, items in (
            (self.worker, "All caseworkers", choices.workers),
            (self.agency, "All agencies", choices.agencies),
        ):
            current = combo.currentData()
            combo.clear()
            combo.addItem(everyone, None)
            for ident, name in items:
                combo.addItem(name, ident)
            index = combo.findData(current)
            combo.setCurrentIndex(max(index, 0))

    def _quick_changed(self, name: str) -> None:
        period = self.periods.get(name)
        if period is not None:
            self.start.set_date(period.start)
            self.end.set_date(period.end)

    def period(self) -> ReportPeriod:
        errors: dict[str, str] = {}
        start = end = None
        try:
            start = self.start.date_or_none("start")
        except ValidationError as error:
            errors.update(error.fields)
        try:
            end = self.end.date_or_none("end")
        except ValidationError as error:
            errors.update(error.fields)
        if start is None and "start" not in errors:
            errors["start"] = "Enter the first day of the period (dd/mm/yyyy)."
        if end is None and "end" not in errors:
            errors["end"] = "Enter the last day of the period (dd/mm/yyyy)."
        if errors or start is None or end is None:
            raise ValidationError(errors)
        return ReportPeriod(start, end)

    # --- running ---------------------------------------------------------------------------

    def run(self) -> None:
        self._figures_requested = True
        if self._busy:
            return
        self.error.setVisible(False)
        try:
            period = self.period()
        except ValidationError as error:
            self._show_problem(error)
            return
        worker, agency = self.worker.currentData(), self.agency.currentData()
        reason_code = self.reason.currentData()
        reason = ReferralReason(reason_code) if reason_code else None
        reports = self.services.reports

        def work(progress: Progress) -> tuple[OutcomeFigures, list[MonthFigures]]:
            try:
                figures = reports.figures(
                    period, worker, agency, reason, progress=progress.keep_going
                )
            except ReportCancelled as cancelled:
                raise Cancelled from cancelled
            return figures, reports.trend(period.end, worker, agency, reason)

        self._set_busy(True, "Counting…")
        run_task(
            self,
            "Counting the outcome report",
            work,
            lambda counted: self.show_figures(*counted),
            self._failed,
            on_cancelled=lambda: self._set_busy(False, "Cancelled: no figures shown."),
        )

    def show_figures(
        self, figures: OutcomeFigures, months: Sequence[MonthFigures] | None = None
    ) -> None:
        """The figures (and the trend to the period's end) in the preview, replacing any
        shown before."""
        self._set_busy(False, "")
        self.figures = figures
        self.months = list(months or [])
        while self.preview_layout.count():
            item = self.preview_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        filters = "; ".join(figures.filters) or "whole unit"
        self.status.setText(f"Figures for {figures.period.text} ({filters}).")
        tables = figure_tables(figures)
        by_key = {t.key: t for t in tables}
        charts = QWidget()
        row = QHBoxLayout(charts)
        row.setContentsMargins(0, 0, 0, 0)
        self.charts = [BarPreview(), BarPreview()]
        for chart, key in zip(self.charts, PREVIEW_CHARTS, strict=True):
            table = by_key[key]
            rows = table.rows[:-1] if table.total else table.rows
            # a suppressed count ("<5") has no bar: the chart never draws what the table hides
            bars = [(str(r[0]), float(r[1])) for r in rows if isinstance(r[1], int | float)]
            chart.set_bars(table.title, bars)
            row.addWidget(chart, 1, Qt.AlignmentFlag.AlignTop)
        if self.months:
            first, last = self.months[0].label, self.months[-1].label
            trend = QGroupBox(f"Month by month: {first} to {last}")
            column = QVBoxLayout(trend)
            self.trend_chart = TrendChart()
            self.trend_chart.set_months(self.months)
            column.addWidget(self.trend_chart)
            self.trend_table = _trend_table(self.months)
            column.addWidget(self.trend_table)
            self.preview_layout.addWidget(trend)
        else:
            self.trend_chart = self.trend_table = None
        self.preview_layout.addWidget(charts)
        for table in tables:
            box = QGroupBox(table.title)
            inner = QFormLayout(box)
            inner.addRow(_table_widget(table))
            if table.note:
                note = QLabel(table.note)
                note.setWordWrap(True)
                inner.addRow(note)
            self.preview_layout.addWidget(box)
        for button in self.export_buttons.values():
            button.setEnabled(True)

    # --- exporting -------------------------------------------------------------------------

    def export(self, suffix: str) -> None:
        figures = self.figures
        if figures is None or self._busy:
            return
        period = figures.period
        name = f"Outcome report {period.start.isoformat()} to {period.end.isoformat()}{suffix}"
        chosen, _filter = QFileDialog.getSaveFileName(
            self,
            "Save the outcome report as",
            str(documents_folder() / name),
            FORMAT_FILTERS[suffix],
        )
        if not chosen:
            return
        path = Path(chosen if chosen.lower().endswith(suffix) else chosen + suffix)
        services = self.services
        commentary = self.commentary.toPlainText()
        self.saved.clear()
        self._set_busy(True, "Writing the report…")
        run_task(
            self,
            "Writing the outcome report",
            lambda _progress: export_outcome_report(
                services, path, period, figures=figures, commentary=commentary
            ),
            self._exported,
            self._export_failed,
            cancellable=False,
        )

    def _export_failed(self, error: Exception) -> None:
        # Not left saying "Writing the report…" after an export that wrote nothing.
        self.status.setText("The report was not saved.")
        self._failed(error)

    def _exported(self, path: Path) -> None:
        """Ends as every export does: "Saved to <path>  [Open] [Show in folder]"."""
        figures = self.figures
        self._set_busy(False, f"Figures for {figures.period.text} exported." if figures else "")
        self.saved.show_saved(path)

    # --- state -----------------------------------------------------------------------------

    def _set_busy(self, busy: bool, text: str) -> None:
        self._busy = busy
        self.run_button.setEnabled(not busy)
        for button in self.export_buttons.values():
            button.setEnabled(not busy and self.figures is not None)
        if text:
            self.status.setText(text)

    def _show_problem(self, error: ValidationError) -> None:
        self.error.setText("\n".join(error.fields.values()))
        self.error.setVisible(True)

    def _failed(self, error: Exception) -> None:
        self._set_busy(False, "")
        if isinstance(error, ValidationError):
            self._show_problem(error)
        else:
            show_error(self, error)
