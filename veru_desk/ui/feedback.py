"""Telling people what went wrong in words they can act on. No traceback reaches a user."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

from veru_desk.domain.errors import (
    ConflictError,
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


def confirm(parent: QWidget | None, title: str, text: str, yes: str = "Yes") -> bool:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is yes_button
