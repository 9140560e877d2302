"""Administration: the unit's user accounts.

Accounts are never deleted (the audit trail names them): they are disabled. Resetting a
password also unlocks the account and makes the user choose a new one at next sign-in.
Managers may look at the list; only an administrator changes it (the service checks). A line
under the buttons says what the last change did ("Added Oluwaseun Adeyemi (caseworker)").
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.dates import format_uk_datetime
from veru_desk.domain.enums import Role
from veru_desk.domain.errors import ValidationError, VeruError
from veru_desk.services import Services
from veru_desk.services.base import utc_to_local
from veru_desk.services.users import UserView
from veru_desk.ui.widgets.feedback import confirm, show_error
from veru_desk.ui.widgets.forms import FieldErrors
from veru_desk.ui.widgets.kit import grow_to_fit, keep_contents_visible
from veru_desk.ui.widgets.page import page_frame
from veru_desk.ui.widgets.record_table import Column, RecordTable, RecordTableModel


def account_state(user: UserView) -> str:
    if not user.active:
        return "Disabled"
    if user.locked_until is not None and user.locked_until > _utcnow():
        return f"Locked until {format_uk_datetime(utc_to_local(user.locked_until))}"
    return "Active"


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


USER_COLUMNS = (
    Column("Username", lambda u: u.username),
    Column("Full name", lambda u: u.display_name),
    Column("Roles", lambda u: ", ".join(r.label for r in Role if r in u.roles)),
    Column("Account", account_state, warning=lambda u: account_state(u) != "Active"),
    Column(
        "Last signed in",
        lambda u: format_uk_datetime(utc_to_local(u.last_login_at)) if u.last_login_at else "Never",
    ),
    Column("Email", lambda u: u.email or ""),
)


def roles_words(roles: frozenset[Role] | set[Role]) -> str:
    """``caseworker and manager``: a user's roles in the order the app lists them."""
    words = [r.label.lower() for r in Role if r in roles]
    if len(words) > 1:
        return ", ".join(words[:-1]) + " and " + words[-1]
    return "".join(words)


def _password(accessible: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(accessible)
    return field


class UserDialog(QDialog):
    """Adds a user: name, username, roles and a first password."""

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.user_id: int | None = None
        self.added = ""  # "Oluwaseun Adeyemi (caseworker)", once saved
        self.errors = FieldErrors()
        self.setWindowTitle("Add a user")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.display_name = QLineEdit()
        self.username = QLineEdit()
        self.email = QLineEdit()
        self.email.setPlaceholderText("Optional: name@organisation.org.uk")
        roles = QWidget()
        roles_layout = QHBoxLayout(roles)
        roles_layout.setContentsMargins(0, 0, 0, 0)
        self.role_boxes: dict[Role, QCheckBox] = {}
        for role in Role:
            box = QCheckBox(role.label)
            box.setAccessibleName(f"Role: {role.label}")
            self.role_boxes[role] = box
            roles_layout.addWidget(box)
        roles_layout.addStretch(1)
        self.password = _password("Password")
        self.password.setPlaceholderText("At least 12 characters")
        self.confirm_password = _password("Password again")
        self._messages: list[QWidget] = [
            self.errors.add_row(form, "Full name", self.display_name, "display_name"),
            self.errors.add_row(form, "Username", self.username, "username"),
            self.errors.add_row(form, "Email", self.email, "email", accessible="Email address"),
            self.errors.add_row(form, "Roles", roles, "roles", accessible="Roles"),
            self.errors.add_row(form, "First password", self.password, "password"),
            self.errors.add_row(form, "Password again", self.confirm_password, "confirm_password"),
        ]
        layout.addLayout(form)
        self.banner = QLabel()
        self.banner.setObjectName("fieldError")
        self.banner.setWordWrap(True)
        layout.addWidget(self.banner)
        self._messages.append(self.banner)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 34)
        keep_contents_visible(self)  # grows when a message appears instead of squashing

    def save(self) -> None:
        self.errors.clear()
        self.banner.clear()
        if self.password.text() != self.confirm_password.text():
            self.errors.show(
                ValidationError({"confirm_password": "The two passwords are different."})
            )
            grow_to_fit(self, self._messages)
            return
        roles = {role for role, box in self.role_boxes.items() if box.isChecked()}
        try:
            self.user_id = self.services.users.create(
                self.username.text(),
                self.display_name.text(),
                roles,
                self.password.text(),
                self.email.text() or None,
            )
        except ValidationError as error:
            self.banner.setText("\n".join(self.errors.show(error)))
            grow_to_fit(self, self._messages)
            return
        except VeruError as error:
            show_error(self, error)
            return
        self.added = f"{' '.join(self.display_name.text().split())} ({roles_words(roles)})"
        self.accept()


class ResetPasswordDialog(QDialog):
    def __init__(self, services: Services, user: UserView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.user = user
        self.errors = FieldErrors()
        self.setWindowTitle(f"Reset the password of {user.display_name}")
        layout = QVBoxLayout(self)
        explain = QLabel(
            "The account is unlocked, and they must choose a new password when they next sign "
            "in. Give them this one in person or by phone, never by email."
        )
        explain.setWordWrap(True)
        layout.addWidget(explain)
        form = QFormLayout()
        self.password = _password("New password")
        self.confirm_password = _password("New password again")
        self.errors.add_row(form, "New password", self.password, "password")
        self.errors.add_row(
            form,
            "Again",
            self.confirm_password,
            "confirm_password",
            accessible="New password again",
        )
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 30)
        keep_contents_visible(self)

    def save(self) -> None:
        self.errors.clear()
        if self.password.text() != self.confirm_password.text():
            self.errors.show(
                ValidationError({"confirm_password": "The two passwords are different."})
            )
            return
        try:
            self.services.users.reset_password(self.user.id, self.password.text())
        except ValidationError as error:
            unplaced = self.errors.show(error)
            if unplaced:
                show_error(self, ValidationError({"": "\n".join(unplaced)}))
            return
        except VeruError as error:
            show_error(self, error)
            return
        self.accept()


class AdminPage(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.can_edit = services.actor.has(Role.ADMIN)
        layout = page_frame(
            self,
            "Administration: users",
            subtitle="Accounts are never deleted, so the audit trail always names who did "
            "what: disable an account when someone leaves."
            if self.can_edit
            else "Only an administrator can add users, disable accounts or reset passwords.",
        ).layout
        self.model = RecordTableModel(USER_COLUMNS, self)
        self.table = RecordTable(self.model, "User accounts", self, stretch_column=1)
        layout.addWidget(self.table, 3)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add user…")
        self.add_button.setObjectName("primary")
        self.add_button.clicked.connect(self.add_user)
        self.toggle_button = QPushButton("Disable account")
        self.toggle_button.clicked.connect(self.toggle_active)
        self.reset_button = QPushButton("Reset password…")
        self.reset_button.clicked.connect(self.reset_password)
        self.roles_button = QPushButton("Roles…")
        self.roles_button.clicked.connect(self.edit_roles)
        buttons.addStretch(1)
        for button in (self.roles_button, self.reset_button, self.toggle_button, self.add_button):
            button.setVisible(self.can_edit)
            buttons.addWidget(button)
        layout.addLayout(buttons)
        # what the last change did, until the next one
        self.confirmation = QLabel()
        self.confirmation.setObjectName("notice")
        self.confirmation.setWordWrap(True)
        self.confirmation.setAccessibleName("Last change")
        self.confirmation.setVisible(False)
        layout.addWidget(self.confirmation)
        self.key_message = QLabel()  # what disabling or enabling did to the database key
        self.key_message.setAccessibleName("Database key message")
        self.key_message.setWordWrap(True)
        self.key_message.setVisible(False)
        layout.addWidget(self.key_message)
        if self.can_edit:  # how soon an unattended app locks (an organisation setting)
            from veru_desk.ui.pages.lock_setting import LockSettingRow

            self.lock_setting = LockSettingRow(services, self)
            layout.addWidget(self.lock_setting)
        if self.can_edit or services.actor.is_manager:  # files kept on cases: their size limit
            from veru_desk.ui.pages.attachment_limit import AttachmentLimitRow

            self.attachment_limit = AttachmentLimitRow(services, self)
            layout.addWidget(self.attachment_limit)
        if self.can_edit:  # backups and restore are for administrators only
            from veru_desk.ui.pages.backups_panel import BackupsPanel

            self.backups_panel = BackupsPanel(services, self)
            layout.addWidget(self.backups_panel, 2)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.model.modelReset.connect(self._update_buttons)
        self._update_buttons()

    def refresh(self) -> None:
        selected = self.selected()
        try:
            users = self.services.users.list()
        except VeruError as error:
            show_error(self, error)
            return
        self.model.set_rows(users)
        if selected is not None:
            for row, user in enumerate(users):
                if user.id == selected.id:
                    self.table.selectRow(row)
                    break

    def selected(self) -> UserView | None:
        user = self.table.selected()
        return user if isinstance(user, UserView) else None

    def select_username(self, username: str) -> None:
        for row, user in enumerate(self.model.rows()):
            if user.username == username:
                self.table.selectRow(row)
                return

    def _update_buttons(self) -> None:
        user = self.selected()
        self.toggle_button.setEnabled(user is not None and user.id != self.services.actor.user_id)
        self.reset_button.setEnabled(user is not None)
        self.roles_button.setEnabled(user is not None)
        self.toggle_button.setText(
            "Enable account" if user is not None and not user.active else "Disable account"
        )

    def confirm_change(self, text: str) -> None:
        self.confirmation.setText(text)
        self.confirmation.setVisible(bool(text))

    def add_user(self) -> UserDialog:
        dialog = UserDialog(self.services, self)
        dialog.accepted.connect(lambda: self._user_added(dialog))
        dialog.open()
        return dialog

    def _user_added(self, dialog: UserDialog) -> None:
        self.refresh()
        self.confirm_change(
            f"Added {dialog.added}. They sign in as {dialog.username.text().strip().lower()} "
            "with the first password you gave them."
        )
        self.select_username(dialog.username.text().strip().lower())

    def toggle_active(self) -> None:
        user = self.selected()
        if user is None:
            return
        if user.active and not confirm(
            self,
            "Disable this account?",
            f"{user.display_name} will not be able to sign in. Their records and the audit "
            "trail are kept, and the account can be enabled again. On an encrypted database "
            "their key is removed and the database key is changed: everyone else must close "
            "VERU Desk first.",
            action="Disable this account",
        ):
            return
        try:
            change = self.services.users.set_active(user.id, not user.active)
        except VeruError as error:
            show_error(self, error)
            return
        message = change.message if change is not None else ""
        self.confirm_change(
            f"Disabled the account of {user.display_name}: they can no longer sign in."
            if user.active
            else f"Enabled the account of {user.display_name} again."
        )
        self.key_message.setText(message)
        self.key_message.setVisible(bool(message))
        self.refresh()
        if hasattr(self, "backups_panel"):
            self.backups_panel.refresh_key_state()

    def edit_roles(self) -> QDialog | None:
        from veru_desk.ui.dialogs.roles import RolesDialog

        user = self.selected()
        if user is None:
            return None
        dialog = RolesDialog(self.services, user, self)
        dialog.accepted.connect(self.refresh)
        dialog.accepted.connect(
            lambda: self.confirm_change(f"Saved the roles of {user.display_name}.")
        )
        dialog.open()
        return dialog

    def reset_password(self) -> ResetPasswordDialog | None:
        user = self.selected()
        if user is None:
            return None
        dialog = ResetPasswordDialog(self.services, user, self)
        dialog.accepted.connect(self.refresh)
        dialog.accepted.connect(
            lambda: self.confirm_change(
                f"Reset the password of {user.display_name}: they choose a new one when they "
                "next sign in."
            )
        )
        dialog.open()
        return dialog
