"""Changing your own password: the current one, the new one, and the new one again.

Reached from File > Change my password…, and shown at sign-in when an administrator has reset
the password (``must_change_password``): then it cannot be skipped, only the app quit, since
a password an administrator chose (and told someone by phone) must not stay in use. On an
encrypted database the service also re-wraps the user's key slot with the new password.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.errors import ValidationError, VeruError
from veru_desk.services import Services
from veru_desk.services.passwords import MIN_PASSWORD_LENGTH
from veru_desk.ui.widgets.feedback import show_error
from veru_desk.ui.widgets.forms import FieldErrors, password_field
from veru_desk.ui.widgets.kit import (
    grow_to_fit,
    keep_contents_visible,
    room_for_placeholder,
)


class PasswordDialog(QDialog):
    def __init__(
        self, services: Services, parent: QWidget | None = None, *, forced: bool = False
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.forced = forced
        self.errors = FieldErrors()
        self.setWindowTitle("Choose a new password" if forced else "Change my password")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        explain = QLabel(
            "An administrator reset your password. Choose your own now: you cannot carry on "
            "with the one they gave you."
            if forced
            else f"Signed in as {services.actor.display_name}."
        )
        explain.setObjectName("notice" if forced else "hint")
        explain.setWordWrap(True)
        layout.addWidget(explain)
        form = QFormLayout()
        self.current = password_field()
        self.new = password_field()
        self.new.setPlaceholderText(
            f"At least {MIN_PASSWORD_LENGTH} characters; a short phrase works well"
        )
        room_for_placeholder(self.new)
        self.confirm = password_field()
        for label, field, name in (
            ("Current password", self.current, "current_password"),
            ("New password", self.new, "new_password"),
            ("New password again", self.confirm, "confirm_password"),
        ):
            # one line each: a wrapping message in a form spreads the rows apart
            self.errors.add_row(form, label, field, name).setWordWrap(False)
        layout.addLayout(form)
        buttons = QDialogButtonBox()
        self.save_button = QPushButton("Change password")
        self.save_button.setObjectName("primary")
        self.save_button.setDefault(True)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(
            "Quit VERU Desk" if forced else "Cancel", QDialogButtonBox.ButtonRole.RejectRole
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 30)
        keep_contents_visible(self)
        self.current.setFocus()

    def _show_errors(self, error: ValidationError) -> list[str]:
        unplaced = self.errors.show(error)
        grow_to_fit(self)
        return unplaced

    def save(self) -> None:
        self.errors.clear()
        if self.new.text() != self.confirm.text():
            self._show_errors(
                ValidationError(
                    {"confirm_password": "The two new passwords are different: type it again."}
                )
            )
            self.confirm.clear()
            self.confirm.setFocus()
            return
        if self.new.text() == self.current.text():
            self._show_errors(
                ValidationError({"new_password": "Choose a password different from the old one."})
            )
            return
        try:
            self.services.users.change_own_password(self.current.text(), self.new.text())
        except ValidationError as error:
            unplaced = self._show_errors(error)
            if unplaced:
                show_error(self, ValidationError({"": "\n".join(unplaced)}))
            if "current_password" in error.fields:
                self.current.clear()
                self.current.setFocus()
            return
        except VeruError as error:
            show_error(self, error)
            return
        self.accept()


def ensure_password_changed(services: Services, parent: QWidget | None = None) -> bool:
    """At sign-in: asks for a new password when an administrator reset it.

    Returns True when the user may carry on (nothing was needed, or they changed it), False
    when they chose to quit instead.
    """
    if not services.users.must_change_password():
        return True
    dialog = PasswordDialog(services, parent, forced=True)
    return dialog.exec() == QDialog.DialogCode.Accepted
