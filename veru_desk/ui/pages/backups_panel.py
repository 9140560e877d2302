"""The administrator's backups: what is kept, a backup now, and a restore that cannot be done
by accident.

Restoring replaces everyone's data with the backup's, so the confirmation names the backup's
date, says that the database as it is now is kept first (a mistaken restore can be undone)
and that everyone else must close VERU Desk. Afterwards every open screen re-reads its data
and the administrator is told where the safety copy is.

For an encrypted file the panel also says what the database key needs: backups taken before
the key was changed (they open with the passwords of their day, a disabled account's
included) with a button to re-encrypt them, a key change still owed after an account was
disabled, and a missing recovery key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.dates import format_uk_datetime
from veru_desk.services import Services, vault
from veru_desk.services.backups import BackupFile
from veru_desk.services.vault import KeyStatus
from veru_desk.ui.shell.tasks import run_task
from veru_desk.ui.widgets.feedback import confirm, show_error
from veru_desk.ui.widgets.kit import empty_state
from veru_desk.ui.widgets.page import page_subtitle
from veru_desk.ui.widgets.record_table import Column, RecordTable, RecordTableModel

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


@dataclass(frozen=True)
class KeyState:
    status: KeyStatus | None  # None: not an encrypted file
    old_backups: int  # kept backups taken under a key since changed


def read_key_state(services: Services) -> KeyState:
    status = vault.key_status(services.db, services.actor)
    old = len(services.backups.under_earlier_keys()) if status is not None else 0
    return KeyState(status, old)


def key_state_words(state: KeyState) -> str:
    """What the administrator should know about the database key, in plain words."""
    status = state.status
    if status is None:
        return ""
    parts = []
    if state.old_backups:
        many = state.old_backups != 1
        parts.append(
            f"{state.old_backups} kept backup{'s were' if many else ' was'} taken before the "
            f"database key was last changed: {'they' if many else 'it'} still open"
            f"{'' if many else 's'} with the passwords of that day, including those of "
            "accounts disabled since. Re-encrypt them with the current key."
        )
    if status.change_owed and status.waiting_for:
        parts.append(
            "An account was disabled but the database key has not been changed yet: "
            + ", ".join(status.waiting_for)
            + " must sign in once first (or have their passwords reset)."
        )
    elif status.change_owed:
        parts.append(
            "An account was disabled but the database key has not been changed since: "
            "change it now."
        )
    if not status.has_recovery_key:
        parts.append(
            "There is no recovery key that opens the database as it is now: make a new one "
            "and keep it somewhere safe."
        )
    elif status.recovery_key_dated:
        parts.append(
            "The recovery key was made by an earlier release: the next change of the database "
            "key (when an account is disabled) could not include it. Make a new one now and "
            "keep it somewhere safe."
        )
    return " ".join(parts)


class BackupsPanel(QWidget):
    """Shown to administrators on the Administration page (the service checks the role)."""

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 0)
        title = QLabel("Backups")
        title.setObjectName("sectionTitle")
        title.setAccessibleName("Backups")
        layout.addWidget(title)
        note = page_subtitle(
            "A backup is taken on the first start of each day, before every upgrade and "
            "before every restore. Dailies are kept for a week, then one a week for a month "
            "and one a month for a year."
        )
        layout.addWidget(note)
        self.model = RecordTableModel(BACKUP_COLUMNS, self)
        self.table = RecordTable(self.model, "Backups", self, stretch_column=3)
        layout.addWidget(self.table, 1)
        self.empty = empty_state(
            "No backups kept yet. Press “Back up now” to take the first one; VERU Desk also "
            "takes one on the first start of each day."
        )
        self.empty.setVisible(False)
        layout.addWidget(self.empty, 1)
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
        self.key_note = QLabel()
        self.key_note.setAccessibleName("Database key")
        self.key_note.setWordWrap(True)
        self.key_note.setVisible(False)
        layout.addWidget(self.key_note)
        key_row = QHBoxLayout()
        key_row.addStretch(1)
        self.reencrypt_button = QPushButton("Re-encrypt old backups")
        self.reencrypt_button.clicked.connect(self.reencrypt_old_backups)
        self.change_key_button = QPushButton("Change the database key now")
        self.change_key_button.clicked.connect(self.change_key_now)
        self.recovery_button = QPushButton("Make a new recovery key…")
        self.recovery_button.clicked.connect(self.make_recovery_key)
        for button in (self.reencrypt_button, self.change_key_button, self.recovery_button):
            button.setVisible(False)
            key_row.addWidget(button)
        layout.addLayout(key_row)
        self.key_state: KeyState | None = None
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.model.modelReset.connect(self._update_buttons)
        self.model.modelReset.connect(self._show_empty)
        self._update_buttons()
        self.refresh()

    def _show_empty(self) -> None:
        empty = self.model.rowCount() == 0
        self.table.setVisible(not empty)
        self.empty.setVisible(empty)

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
        self.refresh_key_state()

    def refresh_key_state(self) -> None:
        services = self.services

        def shown(state: KeyState) -> None:
            if shiboken6.isValid(self):
                self.show_key_state(state)

        run_task(
            self,
            "Reading the key file",
            lambda _progress: read_key_state(services),
            shown,
            lambda error: self._failed(error),
            cancellable=False,
            show_progress=False,
        )

    def show_key_state(self, state: KeyState) -> None:
        self.key_state = state
        words = key_state_words(state)
        self.key_note.setText(words)
        self.key_note.setVisible(bool(words))
        status = state.status
        self.reencrypt_button.setVisible(state.old_backups > 0)
        self.change_key_button.setVisible(bool(status and status.change_owed))
        self.change_key_button.setEnabled(bool(status and not status.waiting_for))
        self.recovery_button.setVisible(
            bool(status and (not status.has_recovery_key or status.recovery_key_dated))
        )

    def reencrypt_old_backups(self) -> None:
        backups = self.services.backups
        self.reencrypt_button.setEnabled(False)

        def done(count: int) -> None:
            if not shiboken6.isValid(self):
                return
            self.reencrypt_button.setEnabled(True)
            self.status.setText(
                f"{count} backup{'s' if count != 1 else ''} re-encrypted with the current key."
            )
            self.refresh()

        def failed(error: Exception) -> None:
            self._failed(error)
            if shiboken6.isValid(self):
                self.reencrypt_button.setEnabled(True)
                self.refresh()

        run_task(
            self,
            "Re-encrypting the backups…",
            lambda _progress: backups.reencrypt_old_backups(),
            done,
            failed,
            cancellable=False,
        )

    def change_key_now(self) -> None:
        if not confirm(
            self,
            "Change the database key?",
            "The database is re-encrypted with a new key, given to every active account and "
            "the recovery key. Everyone else must close VERU Desk before you go on.",
            action="Change the key",
        ):
            return
        services = self.services

        def done(change: vault.KeyChange | None) -> None:
            if shiboken6.isValid(self):
                self.status.setText(change.message if change is not None else "")
                self.refresh()

        run_task(
            self,
            "Changing the database key…",
            lambda _progress: vault.change_key_now(services.db, services.actor),
            done,
            self._failed,
            cancellable=False,
        )

    def make_recovery_key(self) -> QMessageBox | None:
        try:
            recovery = vault.make_new_recovery_key(self.services.db, self.services.actor)
        except Exception as error:  # a typed error, shown calmly
            show_error(self, error)
            return None
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle("New recovery key")
        box.setText(
            "Write this recovery key down or print it, and keep it somewhere safe away from "
            f"this PC. It is shown only now.\n\n{recovery}\n\nIt opens the database if "
            "every administrator's password is lost; the earlier recovery key no longer does."
        )
        box.setTextInteractionFlags(
            box.textInteractionFlags() | Qt.TextInteractionFlag.TextSelectableByMouse
        )
        box.exec()
        self.refresh_key_state()
        return box

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
