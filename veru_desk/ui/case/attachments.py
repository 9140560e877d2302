"""A case's Documents tab: the files kept on the case (signed consent forms, letters, photos),
who added each and when; Add (or drop files on the tab), Open, Save a copy and Remove.

Opening asks the service for a private temporary copy (audited as a view) and hands it to
the system's viewer; where the computer has no program for that kind of file, the tab says
so and where the copy is, rather than failing silently. The copies go when the app closes.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QResizeEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.attachments import format_size
from veru_desk.domain.dates import format_uk_datetime
from veru_desk.services import Services
from veru_desk.services.attachments import AttachmentView
from veru_desk.services.base import utc_to_local
from veru_desk.services.changes import Kind
from veru_desk.ui.case.tab import CaseTab, button_row
from veru_desk.ui.dialogs.attachment import (
    AddAttachmentDialog,
    RemoveAttachmentDialog,
    choose_files,
)
from veru_desk.ui.shell.tasks import run_task
from veru_desk.ui.widgets.feedback import SavedLine, open_file, show_error
from veru_desk.ui.widgets.record_table import Column, RecordTable, RecordTableModel


def added_on(view: AttachmentView) -> str:
    return format_uk_datetime(utc_to_local(view.added_at))


ATTACHMENT_COLUMNS = [
    Column("Name", lambda a: a.file_name, tooltip=lambda a: a.file_name),
    Column("Kind", lambda a: a.kind),
    Column("Size", lambda a: a.size, numeric=True),
    Column("Added by", lambda a: a.added_by or "A former user"),
    Column("Added on", added_on),
    Column("Description", lambda a: a.description, tooltip=lambda a: a.description),
]
DESCRIPTION_COLUMN = 5


def no_viewer_message(path: Path) -> str:
    return (
        f"No program on this computer opens {path.suffix.upper().lstrip('.') or 'this kind of'} "
        f"files, so {path.name} could not be shown. A copy is at {path} (it is removed when "
        "VERU Desk closes); or use Save a copy… to keep one where you choose."
    )


class AttachmentsTab(CaseTab):
    kinds: ClassVar[frozenset[Kind]] = frozenset({Kind.ATTACHMENT})

    def __init__(self, services: Services, person_id: int, parent: QWidget | None = None) -> None:
        super().__init__(services, person_id, parent)
        self.setAcceptDrops(True)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Documents summary")
        self.add_button = QPushButton("Add files…")
        self.add_button.setToolTip("Add files from this computer (or drop them on this tab)")
        self.add_button.clicked.connect(self.add_files)
        self.open_button = QPushButton("Open")
        self.open_button.clicked.connect(self.open_selected)
        self.save_button = QPushButton("Save a copy…")
        self.save_button.clicked.connect(self.save_copy)
        self.remove_button = QPushButton("Remove…")
        self.remove_button.clicked.connect(self.remove_selected)
        self.model = RecordTableModel(ATTACHMENT_COLUMNS, self)
        self.table = RecordTable(
            self.model, "Documents kept on the case", stretch_column=DESCRIPTION_COLUMN
        )
        self.table.doubleClicked.connect(self.open_selected)
        self.model.modelReset.connect(self._fit_description)  # after the table's own fitting
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setAccessibleName("Document details")
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setObjectName("formError")
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice.setAccessibleName("Opening the document")
        self.notice.setVisible(False)
        self.saved = SavedLine(self)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(
            button_row(self.add_button, self.open_button, self.save_button, self.remove_button)
        )
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        layout.addWidget(self.notice)
        layout.addWidget(self.saved)
        self.table.selectionModel().selectionChanged.connect(self._show_selected)
        self._show_selected()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # Once the layout has given the table its new width.
        QTimer.singleShot(0, self, self._fit_description)

    def _fit_description(self) -> None:
        """The description takes the room the other columns leave, but never less than its
        heading: on a narrow screen at large text the table scrolls sideways instead of
        squeezing "Description" to a few letters."""
        header = self.table.horizontalHeader()
        column = DESCRIPTION_COLUMN
        others = sum(header.sectionSize(i) for i in range(header.count()) if i != column)
        need = max(
            header.sectionSizeFromContents(column).width(),
            self.fontMetrics().horizontalAdvance("M") * 12,
        )
        if self.table.viewport().width() - others >= need:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        else:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, need)

    def refresh(self) -> None:
        service, person_id = self.services.attachments, self.person_id
        self.load("Loading documents", lambda: service.for_case(person_id), self.show_files)

    def show_files(self, files: list[AttachmentView]) -> None:
        self.model.set_rows(files)
        if not files:
            self.summary.setText(
                "No documents kept on this case yet. Add a signed consent form, a letter or "
                "a photo with Add files…, or drop files on this tab."
            )
        else:
            total = format_size(sum(f.size_bytes for f in files))
            count = len(files)
            self.summary.setText(
                f"{count} document{'s' if count != 1 else ''} ({total}), kept encrypted in the "
                "database. Opening one is recorded in the audit trail."
            )
        self.table.select_first()
        self._show_selected()

    def selected(self) -> AttachmentView | None:
        return self.table.selected()

    def _show_selected(self) -> None:
        chosen = self.selected()
        for button in (self.open_button, self.save_button):
            button.setEnabled(chosen is not None)
        self.remove_button.setEnabled(chosen is not None and chosen.removable)
        if chosen is not None and not chosen.removable:
            self.remove_button.setToolTip(
                "A manager removes files; whoever added a file may remove it within a day"
            )
        else:
            self.remove_button.setToolTip("")
        if chosen is None:
            self.details.clear()
            return
        lines = [
            f"{chosen.file_name}: {chosen.kind}, {chosen.size}",
            f"Added by {chosen.added_by or 'a former user'} on {added_on(chosen)}",
        ]
        if chosen.description:
            lines.append(chosen.description)
        lines.append(f"SHA-256 {chosen.sha256}")
        self.details.setText("\n".join(lines))

    # --- adding ------------------------------------------------------------------------------

    def add_files(self) -> None:
        paths = choose_files(self)
        if paths:
            self.add_paths(paths)

    def add_paths(self, paths: list[Path]) -> None:
        AddAttachmentDialog(self.services, self.person_id, paths, parent=self).exec()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _local_files(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = _local_files(event)
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.add_paths(paths)

    # --- opening and saving ----------------------------------------------------------------

    def open_selected(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        service = self.services.attachments
        self.notice.setVisible(False)

        def opened(path: Path) -> None:
            if not shiboken6.isValid(self):
                return
            if not open_file(path):
                self.notice.setText(no_viewer_message(path))
                self.notice.setVisible(True)

        def failed(error: Exception) -> None:
            if shiboken6.isValid(self):
                show_error(self, error)

        run_task(
            self,
            f"Opening {chosen.file_name}",
            lambda _progress: service.open(chosen.id),
            opened,
            failed,
            cancellable=False,
        )

    def save_copy(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        suffix = Path(chosen.file_name).suffix
        name, _filter = QFileDialog.getSaveFileName(
            self,
            "Save a copy of the document",
            str(Path.home() / chosen.file_name),
            f"{chosen.kind} (*{suffix});;All files (*)" if suffix else "All files (*)",
        )
        if not name:
            return
        service, target = self.services.attachments, Path(name)

        def saved(path: Path) -> None:
            if shiboken6.isValid(self):
                self.saved.show_saved(path)

        def failed(error: Exception) -> None:
            if shiboken6.isValid(self):
                show_error(self, error)

        run_task(
            self,
            f"Saving a copy of {chosen.file_name}",
            lambda _progress: service.export(chosen.id, target),
            saved,
            failed,
            cancellable=False,
        )

    def remove_selected(self) -> None:
        chosen = self.selected()
        if chosen is not None and chosen.removable:
            RemoveAttachmentDialog(self.services, self.person_id, chosen, parent=self).exec()


def _local_files(event: QDragEnterEvent | QDropEvent) -> list[Path]:
    data = event.mimeData()
    if data is None or not data.hasUrls():
        return []
    paths = [Path(url.toLocalFile()) for url in data.urls() if url.isLocalFile()]
    return [path for path in paths if path.is_file()]
