"""Risk assessments over time, newest first, and when the next review is due."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from veru_desk.domain.dates import format_uk_date
from veru_desk.services import Services
from veru_desk.services.changes import Kind
from veru_desk.services.risk import RiskView
from veru_desk.ui.case.tab import CaseTab, button_row
from veru_desk.ui.dialogs.risk import RiskDialog
from veru_desk.ui.widgets.record_table import Column, RecordTable, RecordTableModel


def _one_line(text: str) -> str:
    return " ".join(text.split())


RISK_COLUMNS = [
    Column("Assessed", lambda r: format_uk_date(r.assessed_on)),
    Column("Level", lambda r: r.level.label, warning=lambda r: r.level.rank >= 2),
    Column("Risk factors", lambda r: _one_line(r.risk_factors), tooltip=lambda r: r.risk_factors),
    Column(
        "Protective factors",
        lambda r: _one_line(r.protective_factors),
        tooltip=lambda r: r.protective_factors,
    ),
    Column("Assessor", lambda r: r.assessor or ""),
    Column(
        "Next review",
        lambda r: format_uk_date(r.next_review_on) + (" (overdue)" if r.overdue else ""),
        warning=lambda r: r.overdue,
        quiet=lambda r: not r.is_latest,
    ),
]


def review_text(latest: RiskView | None, today: dt.date | None = None) -> str:
    if latest is None:
        return "No risk assessment yet: record one to set the first review date."
    today = today or dt.date.today()
    due = format_uk_date(latest.next_review_on)
    if latest.overdue:
        days = (today - latest.next_review_on).days
        return f"Review overdue: it was due on {due} ({days} day{'s' if days != 1 else ''} ago)."
    return f"Current risk: {latest.level.label.lower()}. Next review due {due}."


class RiskTab(CaseTab):
    kinds = frozenset({Kind.RISK})

    def __init__(self, services: Services, person_id: int, parent: QWidget | None = None) -> None:
        super().__init__(services, person_id, parent)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Next risk review")
        self.record_button = QPushButton("Record assessment…")
        self.record_button.clicked.connect(self.record_assessment)
        self.edit_button = QPushButton("Correct selected…")
        self.edit_button.clicked.connect(self.edit_selected)
        self.model = RecordTableModel(RISK_COLUMNS, self)
        self.table = RecordTable(self.model, "Risk assessments", stretch_column=2)
        self.table.doubleClicked.connect(self.edit_selected)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setAccessibleName("Assessment details")

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(button_row(self.record_button, self.edit_button))
        layout.addWidget(splitter, 1)
        self.table.selectionModel().selectionChanged.connect(self._show_selected)

    def refresh(self) -> None:
        services, person_id = self.services, self.person_id
        self.load(
            "Loading risk assessments", lambda: services.risk.history(person_id), self.show_history
        )

    def show_history(self, history: list[RiskView]) -> None:
        self.model.set_rows(history)
        self.summary.setText(review_text(history[0] if history else None))
        self.summary.setStyleSheet(
            "color: #9c2a00; font-weight: bold;" if history and history[0].overdue else ""
        )
        self.table.select_first()
        self._show_selected()

    def _show_selected(self) -> None:
        assessment: RiskView | None = self.table.selected()
        self.edit_button.setEnabled(assessment is not None)
        if assessment is None:
            self.details.clear()
            return
        parts = [
            f"Risk factors: {assessment.risk_factors or '—'}",
            f"Protective factors: {assessment.protective_factors or '—'}",
        ]
        if assessment.notes:
            parts.append(f"Notes: {assessment.notes}")
        self.details.setText("\n\n".join(parts))

    def record_assessment(self) -> None:
        RiskDialog(self.services, self.person_id, parent=self).exec()

    def edit_selected(self) -> None:
        assessment = self.table.selected()
        if assessment is not None:
            RiskDialog(self.services, self.person_id, assessment, parent=self).exec()
