"""Telling people what went wrong in words they can act on. No traceback reaches a user."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget

from veru_desk.domain.errors import (
    ConflictError,
    FileError,
    NotFound,
    PermissionDenied,
    StorageError,
    ValidationError,
    VeruError,
)

log = logging.getLogger(__name__)


def error_title(error: BaseException) -> str:
    if isinstance(error, ValidationError):
        return "Please check the form"
    if isinstance(error, PermissionDenied):
        return "Not allowed"
    if isinstance(error, ConflictError):
        return "Changed by someone else"
    if isinstance(error, FileError):
        return "Could not save the file"
    if isinstance(error, StorageError):
        return "Problem with the database"
    if isinstance(error, NotFound):
        return "Not found"
    return "Something went wrong"


def error_text(error: BaseException) -> str:
    if isinstance(error, ValidationError):
        return "\n".join(
            f"• {message}" if not name else f"• {name.replace('_', ' ').capitalize()}: {message}"
            for name, message in error.fields.items()
        )
    if isinstance(error, VeruError):
        return str(error)
    from veru_desk.services.base import explain  # a database error that was not translated

    failure = explain(error)
    if failure is not None:
        return str(failure)
    return (
        "VERU Desk hit an unexpected problem and did not finish this action. Nothing else was "
        "changed. The details are in the log file; please tell your administrator."
    )


def show_error(parent: QWidget | None, error: BaseException) -> None:
    """The standard dialog for an error from a service (typed) or an unexpected one (logged)."""
    if not isinstance(error, VeruError):
        log.error("unexpected error", exc_info=error)
    box = QMessageBox(parent)
    box.setIcon(
        QMessageBox.Icon.Warning if isinstance(error, VeruError) else QMessageBox.Icon.Critical
    )
    box.setWindowTitle(error_title(error))
    box.setText(error_text(error))
    box.exec()


def show_stale(parent: QWidget | None, conflict: ConflictError) -> None:
    """A one-click change (attendance, from a list) refused because someone else changed the
    record after the list was shown. Nothing was overwritten; the caller refreshes the list,
    so the person sees the other change before choosing again."""
    who = conflict.changed_by or "Someone else"
    when = f" at {conflict.changed_at}" if conflict.changed_at else ""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle("Changed by someone else")
    box.setText(
        f"Not saved: {who} changed this{when}, after the list was shown. The list now shows "
        "their change; choose again if yours is still needed."
    )
    box.exec()


_VAGUE_ACTIONS = {"yes", "ok", "okay", "continue", "confirm", "go ahead", "proceed"}


def confirm(
    parent: QWidget | None,
    title: str,
    text: str,
    *,
    action: str,
    keep: str = "Cancel",
    warning: bool = False,
) -> bool:
    """Asks before something that cannot simply be undone. True only when the person clicks
    the button named ``action``, which says what will happen ("Discard this referral",
    "Restore this backup"); the safe choice ``keep`` is the default, so Enter and Escape both
    keep things as they are. A tired person pressing Enter must never lose work."""
    if action.strip().lower() in _VAGUE_ACTIONS:
        raise ValueError(f"name the action on the button, not {action!r}")
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    go = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    safe = box.addButton(keep, QMessageBox.ButtonRole.RejectRole)
    go.setAutoDefault(False)
    box.setDefaultButton(safe)
    box.setEscapeButton(safe)
    box.exec()
    return box.clickedButton() is go


# --- how every export ends -------------------------------------------------------------------

#: what a kind of file is called when no program opens it
FILE_KINDS = {
    ".pdf": "PDF files",
    ".csv": "CSV files",
    ".xlsx": "Excel workbooks",
    ".zip": "ZIP archives",
    ".json": "JSON files",
}


def file_kind(path: Path) -> str:
    """``"PDF files"`` for ``summary.pdf``: how the no-viewer message names the file's kind."""
    suffix = path.suffix.lower()
    return FILE_KINDS.get(suffix, f"{suffix[1:].upper()} files" if suffix else "this file")


def open_file(path: Path) -> bool:
    """Opens ``path`` in the program the system has for it; False when there is none."""
    return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))))


def show_in_folder(path: Path) -> bool:
    """Opens the folder holding ``path`` in the file manager; False when that failed."""
    return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent))))


def saved_text(path: Path) -> str:
    return f"Saved to {path}"


def no_viewer_text(path: Path) -> str:
    return f"No program to open {file_kind(path)} was found; the file is saved at {path}."


def no_folder_text(path: Path) -> str:
    return f"The folder could not be opened; the file is saved at {path}."


class SavedLine(QWidget):
    """How every export ends: "Saved to <path>  [Open] [Show in folder]".

    Hidden until ``show_saved``. The path is selectable, so it can be copied. When the system
    has no program for the file (``QDesktopServices.openUrl`` returns False), the line says so
    in place of "Saved to", so an export is never silent about where its file went. Any page
    or dialog can add one under its export button::

        self.saved = SavedLine(self)
        layout.addWidget(self.saved)
        ...
        self.saved.show_saved(path)                 # or show_saved(path, open_now=True)
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path: Path | None = None
        self.setObjectName("savedLine")
        self.setAccessibleName("Saved file")
        self.text = QLabel()
        self.text.setObjectName("savedText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.text.setAccessibleName("Where the file was saved")
        self.open_button = QPushButton("Open")
        self.open_button.setAccessibleName("Open the saved file")
        self.open_button.clicked.connect(self.open)
        self.folder_button = QPushButton("Show in folder")
        self.folder_button.setAccessibleName("Show the saved file in its folder")
        self.folder_button.clicked.connect(self.show_folder)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.text, 1)
        row.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.folder_button, 0, Qt.AlignmentFlag.AlignTop)
        self.setVisible(False)

    def show_saved(self, path: Path, *, open_now: bool = False) -> bool:
        """Shows where ``path`` was saved; with ``open_now`` also opens it (as "Export and
        open" does). Returns False only when opening was asked for and no program could."""
        self.path = Path(path)
        self.text.setText(saved_text(self.path))
        self.setVisible(True)
        if open_now:
            return self.open()
        return True

    def clear(self) -> None:
        self.path = None
        self.text.clear()
        self.setVisible(False)

    def open(self) -> bool:
        if self.path is None:
            return False
        if open_file(self.path):
            self.text.setText(saved_text(self.path))
            return True
        self.text.setText(no_viewer_text(self.path))
        return False

    def show_folder(self) -> bool:
        if self.path is None:
            return False
        if show_in_folder(self.path):
            return True
        self.text.setText(no_folder_text(self.path))
        return False
