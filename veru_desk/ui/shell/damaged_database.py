"""What the app says when the start-of-day check finds the database damaged.

Carrying on would build every later save on a damaged file, so the app never does: it says
what happened and either restores the newest backup that passed its own check (an
administrator's decision, since everything saved after that backup must be typed in again)
or explains who can and closes. The damaged file is set aside byte for byte before the
restore (``BackupService.restore``), so IT can still recover what it held.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QMessageBox, QWidget

from veru_desk.domain.dates import format_uk_datetime
from veru_desk.domain.enums import Role
from veru_desk.services import Services
from veru_desk.ui.shell.tasks import run_task
from veru_desk.ui.widgets.feedback import show_error

if TYPE_CHECKING:  # raised by db.session.start_of_day_checks; only its fields are read here
    from veru_desk.db.integrity import DamagedDatabase

TITLE = "The database is damaged"


def _message(parent: QWidget | None, icon: QMessageBox.Icon, text: str, more: str) -> None:
    box = QMessageBox(parent)
    box.setIcon(icon)
    box.setWindowTitle(TITLE)
    box.setText(text)
    box.setInformativeText(more)
    box.exec()


def backup_taken(services: Services, backup: Path) -> str:
    """When the backup was taken, in words; its file name if the folder cannot say."""
    for found in services.backups.list():
        if found.path == backup:
            return f"the backup taken on {format_uk_datetime(found.taken_at)}"
    return f"the backup {backup.name}"


def offer_restore(parent: QWidget | None, error: DamagedDatabase, services: Services) -> bool:
    """Explains the damage and offers the latest good backup. True when the backup has been
    restored and work can go on; False when the app must close (no good backup, not an
    administrator, or the administrator chose not to restore)."""
    problem = (
        "VERU Desk checks the database each day before anyone works on it, and today's check "
        "found it damaged (a failing disk, a power cut or a copy taken mid-save can do this). "
        "Nothing more will be saved to it."
    )
    if error.backup is None:
        _message(
            parent,
            QMessageBox.Icon.Critical,
            problem,
            # The folder may hold backups an earlier release named, which may be another
            # database's: the advice names them rather than saying there is nothing at all.
            f"{error.advice} VERU Desk will close now: call your administrator or IT support, "
            "who can try to recover the file. The details are in the log file.",
        )
        return False
    if not services.actor.has(Role.ADMIN):
        _message(
            parent,
            QMessageBox.Icon.Critical,
            problem,
            f"An administrator can restore the latest good backup ({error.backup.name}). "
            "VERU Desk will close now: ask your administrator to start it and restore the "
            "backup, and do not use the database until they have.",
        )
        return False
    taken = backup_taken(services, error.backup)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(TITLE)
    box.setText(problem)
    box.setInformativeText(
        f"The latest good backup is {taken}. Restoring it brings the database back as it was "
        "then: anything saved after that must be entered again. The damaged file is kept "
        "beside the backups for IT.\n\nEveryone else must close VERU Desk first."
    )
    # Restoring replaces the database: it happens only on a click of the button that says so.
    # Enter and Escape close VERU Desk, which changes nothing and can be undone by starting it.
    restore = box.addButton("Restore this backup", QMessageBox.ButtonRole.DestructiveRole)
    close = box.addButton("Close VERU Desk", QMessageBox.ButtonRole.RejectRole)
    restore.setAutoDefault(False)
    box.setDefaultButton(close)
    box.setEscapeButton(close)
    box.exec()
    if box.clickedButton() is not restore:
        return False
    return _restore(parent, services, error.backup, taken)


def _restore(parent: QWidget | None, services: Services, backup: Path, taken: str) -> bool:
    """Runs the restore off the GUI thread and waits for it: nothing else may happen first."""
    outcome: dict[str, Path | Exception] = {}
    loop = QEventLoop()

    def finished(key: str, value: Path | Exception) -> None:
        outcome[key] = value
        loop.quit()

    backups = services.backups
    run_task(
        parent,
        f"Restoring {taken}…",
        lambda _progress: backups.restore(backup),
        lambda safety: finished("safety", safety),
        lambda failure: finished("error", failure),
        cancellable=False,
    )
    if not outcome:
        loop.exec()
    failure = outcome.get("error")
    if isinstance(failure, Exception):
        show_error(parent, failure)
        return False
    safety = outcome["safety"]
    assert isinstance(safety, Path)
    _message(
        parent,
        QMessageBox.Icon.Information,
        f"Restored {taken}. VERU Desk can be used again.",
        f"The damaged database is kept as {safety.name} in {safety.parent} for IT.",
    )
    return True
