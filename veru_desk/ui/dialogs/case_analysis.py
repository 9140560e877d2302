"""The caseworker's analysis a panel reads first: seven short texts kept up to date on the
case (``services.case_analysis``), printed on the case summary's panel page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QPlainTextEdit, QWidget

from veru_desk.services import Services
from veru_desk.services.case_analysis import (
    ANALYSIS_FIELDS,
    MAX_FIELD_CHARS,
    AnalysisInput,
    AnalysisView,
)
from veru_desk.services.changes import Kind
from veru_desk.ui.dialogs.case_dialog import CaseDialog

PLACEHOLDERS = {
    "current_position": "Where things stand today, in two or three sentences",
    "going_well": "Strengths and what is working",
    "worries": "What we are worried about, and why",
    "what_changed": "Since the last meeting",
    "young_person_view": "In their words, where you can",
    "parent_view": "The parent's or carer's view",
    "recommendation": "What you ask the panel to decide or agree",
}


class CaseAnalysisDialog(CaseDialog):
    def __init__(
        self,
        services: Services,
        person_id: int,
        analysis: AnalysisView,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Caseworker's analysis for the panel", person_id, Kind.ANALYSIS, parent)
        self.services = services
        self.analysis = analysis
        self.fields: dict[str, QPlainTextEdit] = {}
        for name, label in ANALYSIS_FIELDS:
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)
            edit.setPlaceholderText(PLACEHOLDERS[name])
            edit.setMinimumHeight(self.fontMetrics().lineSpacing() * 3)
            self.fields[name] = edit
            self.add_row(label, edit, name, accessible=label)
        self.load(analysis)

    def fill(self, record: AnalysisView) -> None:
        for name, edit in self.fields.items():
            edit.setPlainText(getattr(record.values, name) or "")

    def values(self) -> AnalysisInput:
        return AnalysisInput(
            **{
                name: edit.toPlainText()[: MAX_FIELD_CHARS + 1]
                for name, edit in self.fields.items()
            }
        )

    def prepare(self) -> Callable[[], Any]:
        values, version = self.values(), self.analysis.version
        services, person_id = self.services, self.person_id
        return lambda: services.analysis.save(person_id, values, version)

    def reread(self) -> AnalysisView:
        return self.services.analysis.get(self.person_id)

    def build_on(self, saved: AnalysisView) -> None:
        self.analysis = saved
