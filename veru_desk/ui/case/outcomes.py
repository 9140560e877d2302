"""Outcome measures over time, with a chart of wellbeing and risk."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QSplitter, QVBoxLayout, QWidget

from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import OutcomePoint
from veru_desk.services import Services
from veru_desk.services.changes import Kind
from veru_desk.services.outcomes import SCORE_MAX, OutcomeView
from veru_desk.ui.case.tab import CaseTab, button_row
from veru_desk.ui.dialogs.outcome import OutcomeDialog
from veru_desk.ui.widgets.outcome_chart import OutcomeChart
from veru_desk.ui.widgets.record_table import Column, RecordTable, RecordTableModel


def _count(value: int | None) -> str:
    return "" if value is None else str(value)


OUTCOME_COLUMNS = [
    Column("Date", lambda o: format_uk_date(o.recorded_on)),
    Column("Point", lambda o: o.point.label),
    Column("Risk", lambda o: o.risk_level.label if o.risk_level else ""),
    Column("Education", lambda o: o.education_status.label if o.education_status else ""),
    Column(
        "Wellbeing",
        lambda o: "" if o.wellbeing is None else f"{o.wellbeing} of {SCORE_MAX}",
        numeric=True,
    ),
    Column("Arrests", lambda o: _count(o.arrests), numeric=True),
    Column("Charges", lambda o: _count(o.charges), numeric=True),
    Column("Goals achieved", lambda o: _count(o.goals_achieved), numeric=True),
    Column(
        "Other measures",
        lambda o: ", ".join(f"{name} {score}" for name, score in o.measures.items()),
    ),
    Column("Notes", lambda o: " ".join(o.notes.split()), tooltip=lambda o: o.notes),
]


class OutcomesTab(CaseTab):
    kinds = frozenset({Kind.OUTCOME})

    def __init__(self, services: Services, person_id: int, parent: QWidget | None = None) -> None:
        super().__init__(services, person_id, parent)
        self.record_button = QPushButton("Record outcomes…")
        self.record_button.clicked.connect(lambda: self.record_outcome())
        self.closing_button = QPushButton("Record closing outcomes…")
        self.closing_button.clicked.connect(lambda: self.record_outcome(OutcomePoint.CLOSURE))
        self.edit_button = QPushButton("Correct selected…")
        self.edit_button.clicked.connect(self.edit_selected)
        self.chart = OutcomeChart()
        self.model = RecordTableModel(OUTCOME_COLUMNS, self)
        self.table = RecordTable(self.model, "Outcomes")
        self.table.doubleClicked.connect(self.edit_selected)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.chart)
        splitter.addWidget(self.table)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(button_row(self.record_button, self.closing_button, self.edit_button))
        layout.addWidget(splitter, 1)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def refresh(self) -> None:
        services, person_id = self.services, self.person_id
        self.load(
            "Loading outcomes", lambda: services.outcomes.for_person(person_id), self.show_outcomes
        )

    def show_outcomes(self, outcomes: list[OutcomeView]) -> None:
        self.chart.set_outcomes(outcomes)
        self.model.set_rows(list(reversed(outcomes)))  # newest first in the table
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.edit_button.setEnabled(self.table.selected() is not None)

    def record_outcome(self, point: OutcomePoint = OutcomePoint.REVIEW) -> None:
        if not self.model.rowCount() and point is OutcomePoint.REVIEW:
            point = OutcomePoint.START
        OutcomeDialog(self.services, self.person_id, parent=self, point=point).exec()

    def edit_selected(self) -> None:
        outcome = self.table.selected()
        if outcome is not None:
            OutcomeDialog(self.services, self.person_id, outcome, parent=self).exec()
