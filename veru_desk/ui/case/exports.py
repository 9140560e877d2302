"""Documents made from the case (summaries for meetings, subject access): who, when, for whom.

A summary sent to a multi-agency panel is a disclosure; listing each one on the case lets the
worker answer "what did we share, and with whom?" without asking for the audit log.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from veru_desk.domain.dates import format_uk_datetime
from veru_desk.services import Services
from veru_desk.services.changes import Kind
from veru_desk.services.exports import ExportView
from veru_desk.ui.case.tab import CaseTab, button_row
from veru_desk.ui.widgets.feedback import SavedLine
from veru_desk.ui.widgets.record_table import Column, RecordTable, RecordTableModel

EXPORT_COLUMNS = [
    Column("When", lambda e: format_uk_datetime(e.at)),
    Column("Document", lambda e: e.kind_label),
    Column("Profile", lambda e: (e.profile or "").replace("-", " ").capitalize()),
    Column("Prepared for", lambda e: e.prepared_for or ""),
    Column("By", lambda e: e.by or ""),
    Column("Pages", lambda e: "" if e.pages is None else str(e.pages), numeric=True),
    Column("File", lambda e: e.filename or ""),
]


def open_export_dialog(services: Services, person_id: int, parent: QWidget) -> Path | None:
    """The export form belongs to the reports side; imported when first used. Returns where
    the summary was saved, or None when nothing was exported."""
    from veru_desk.ui.dialogs.export_summary import ExportSummaryDialog

    dialog = ExportSummaryDialog(services, person_id, parent)
    dialog.exec()
    export = dialog.export
    return export.path if export is not None else None


class ExportsTab(CaseTab):
    kinds = frozenset({Kind.EXPORT})

    def __init__(self, services: Services, person_id: int, parent: QWidget | None = None) -> None:
        super().__init__(services, person_id, parent)
        self.export_button = QPushButton("Export case summary…")
        self.export_button.clicked.connect(self.export_summary)
        self.empty = QLabel("Nothing has been exported from this case yet.")
        self.model = RecordTableModel(EXPORT_COLUMNS, self)
        self.table = RecordTable(self.model, "Exports")
        self.saved = SavedLine(self)
        layout = QVBoxLayout(self)
        layout.addLayout(button_row(self.export_button))
        layout.addWidget(self.saved)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)

    def refresh(self) -> None:
        services, person_id = self.services, self.person_id
        self.load(
            "Loading exports", lambda: services.exports.for_person(person_id), self.show_exports
        )

    def show_exports(self, exports: list[ExportView]) -> None:
        self.model.set_rows(exports)
        self.empty.setVisible(not exports)

    def export_summary(self) -> None:
        """The dialog opens the PDF (or says it could not); the tab keeps the line that says
        where it went, with Open and Show in folder, as every export ends."""
        path = open_export_dialog(self.services, self.person_id, self)
        if path is not None:
            self.saved.show_saved(path)
