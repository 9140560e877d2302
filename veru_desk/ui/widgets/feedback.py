"""Telling people what went wrong in words they can act on. No traceback reaches a user."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

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
