"""The administrator's backups: what is kept, a backup now, and a restore that cannot be done
by accident.

Restoring replaces everyone's data with the backup's, so the confirmation names the backup's
date, says that the database as it is now is kept first (a mistaken restore can be undone)
and that everyone else must close VERU Desk. Afterwards every open screen re-reads its data
and the administrator is told where the safety copy is.
"""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.dates import format_uk_datetime
from veru_desk.services import Services
from veru_desk.services.backups import BackupFile
from veru_desk.ui.events import announce
from veru_desk.ui.feedback import confirm, show_error
from veru_desk.ui.record_table import Column, RecordTable, RecordTableModel
from veru_desk.ui.tasks import run_task

MEGABYTE = 1024 * 1024
KIND_WORDS = {
    "daily": "Daily",
    "before-migration": "Before migration",
    "before-restore": "Before restore",
    "manual": "Manual",
}


def kind_words(kind: str) -> str:
    return KIND_WORDS.get(kind, kind.replace("-", " ").capitalize())


def size_words(size_bytes: int) -> str:
    return f"{size_bytes / MEGABYTE:.1f} MB"


BACKUP_COLUMNS = (
    Column("Taken", lambda b: format_uk_datetime(b.taken_at)),
    Column("Kind", lambda b: kind_words(b.kind)),
    Column("Size", lambda b: size_words(b.size_bytes), numeric=True),
    Column("File", lambda b: b.path.name, tooltip=lambda b: str(b.path)),
)


class BackupsPanel(QWidget):
    """Shown to administrators on the Administration page (the service checks the role)."""

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 0)
        title = QLabel("Backups")
        title.setObjectName("sectionTitle")
        layout.addWidget(title)
        note = QLabel(
            "A backup is taken on the first start of each day, before every upgrade and "
            "before every restore. Dailies are kept for a week, then one a week for a month "
            "and one a month for a year."
        )
        note.setObjectName("pageSubtitle")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.model = RecordTableModel(BACKUP_COLUMNS, self)
        self.table = RecordTable(self.model, "Backups", self, stretch_column=3)
        layout.addWidget(self.table, 1)
        self.status = QLabel()
        self.status.setAccessibleName("Backup status")
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        self.restore_button = QPushButton("Restore…")
        self.restore_button.setToolTip("Replace the database with the chosen backup")
        self.restore_button.clicked.connect(self.restore_selected)
        self.backup_button = QPushButton("Back up now")
        self.backup_button.clicked.connect(self.back_up_now)
        row.addWidget(self.restore_button)
        row.addWidget(self.backup_button)
        layout.addLayout(row)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.model.modelReset.connect(self._update_buttons)
        self._update_buttons()
        self.refresh()

    def refresh(self) -> None:
        backups = self.services.backups

        def shown(rows: list[BackupFile]) -> None:
            if shiboken6.isValid(self):
                self.model.set_rows(rows)

        run_task(
            self,
            "Reading the backup folder",
            lambda _progress: backups.list(),
            shown,
            lambda error: self._failed(error),
            cancellable=False,
            show_progress=False,
        )

    def selected(self) -> BackupFile | None:
        backup = self.table.selected()
        return backup if isinstance(backup, BackupFile) else None

    def select_path(self, path: Path) -> None:
        for row, backup in enumerate(self.model.rows()):
            if backup.path == path:
                self.table.selectRow(row)
                return

    def _update_buttons(self) -> None:
        self.restore_button.setEnabled(self.selected() is not None)

    def _failed(self, error: Exception) -> None:
        if shiboken6.isValid(self):
            self.backup_button.setEnabled(True)
            self._update_buttons()
            show_error(self, error)

    def back_up_now(self) -> None:
        backups = self.services.backups
        self.backup_button.setEnabled(False)

        def done(path: Path) -> None:
            if not shiboken6.isValid(self):
                return
            self.backup_button.setEnabled(True)
            self.status.setText(f"Backup written: {path.name} ({size_words(path.stat().st_size)}).")
            self.refresh()

        run_task(
            self,
            "Backing up the database…",
            lambda _progress: backups.backup_now(),
            done,
            self._failed,
            cancellable=False,
        )

    def restore_selected(self) -> None:
        backup = self.selected()
        if backup is None:
            return
        taken = format_uk_datetime(backup.taken_at)
        if not confirm(
            self,
            "Restore this backup?",
            f"Restore the backup taken on {taken} ({kind_words(backup.kind).lower()})?\n\n"
            f"Everything saved since {taken} will be replaced by what the backup holds. The "
            "current database is backed up first, so this can be undone.\n\n"
            "Everyone else must close VERU Desk before you go on.",
            action="Restore this backup",
        ):
            return
        backups = self.services.backups
        self.restore_button.setEnabled(False)
        self.backup_button.setEnabled(False)

        def done(safety: Path) -> None:
            announce("restore")
            if not shiboken6.isValid(self):
                return
            self.backup_button.setEnabled(True)
            self.status.setText(f"Restored the backup of {taken}.")
            box = QMessageBox(self)
            box.setIcon(QMessageBox.Icon.Information)
            box.setWindowTitle("Backup restored")
            box.setText(
                f"The backup of {taken} is restored. The database as it was just before is "
                f"kept as {safety.name} in {safety.parent}."
            )
            box.exec()
            self.refresh()

        run_task(
            self,
            f"Restoring the backup of {taken}…",
            lambda _progress: backups.restore(backup.path),
            done,
            self._failed,
            cancellable=False,
        )
