"""Signing in, and the first start of a new database.

A database with no users cannot be signed in to, so the first start offers two ways on:
create the first administrator (who then adds everyone else), or explore the app with
demonstration data (invented people, and demo users who all share one published password).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.enums import Role
from veru_desk.domain.errors import ValidationError, VeruError
from veru_desk.services.actor import SYSTEM, Actor
from veru_desk.services.users import SignInError, UserService, count_users, sign_in
from veru_desk.ui.feedback import error_text, show_error
from veru_desk.ui.forms import FieldErrors
from veru_desk.ui.tasks import Progress, run_task

if TYPE_CHECKING:
    from veru_desk.db.engine import Database

log = logging.getLogger(__name__)

DEMO_PEOPLE = 500
DEMO_SEED = 2025
DEMO_MANAGER = "priya"
DEMO_PASSWORD = "demo-password-1"


def _password_field(accessible: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(accessible)
    return field


class SignInDialog(QDialog):
    def __init__(
        self,
        db: Database,
        parent: QWidget | None = None,
        *,
        username: str = "",
        hint: str = "",
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.actor: Actor | None = None
        self.setWindowTitle("Sign in to VERU Desk")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(10)
        title = QLabel("Sign in")
        title.setObjectName("pageTitle")
        where = QLabel(f"Database: {db.location.display}")
        where.setObjectName("hint")
        where.setWordWrap(True)
        layout.addWidget(title)
        layout.addWidget(where)
        self.hint = QLabel(hint)
        self.hint.setObjectName("notice")
        self.hint.setWordWrap(True)
        self.hint.setVisible(bool(hint))
        layout.addWidget(self.hint)
        form = QFormLayout()
        self.username = QLineEdit(username)
        self.username.setAccessibleName("Username")
        self.password = _password_field("Password")
        form.addRow("Username", self.username)
        form.addRow("Password", self.password)
        layout.addLayout(form)
        self.message = QLabel()
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Sign-in problem")
        self.message.setVisible(False)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.sign_in_button = QPushButton("Sign in")
        self.sign_in_button.setObjectName("primary")
        self.sign_in_button.setDefault(True)
        buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Quit", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.try_sign_in)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 28)
        (self.password if username else self.username).setFocus()

    def try_sign_in(self) -> None:
        username = self.username.text()
        if not username.strip():
            self._problem("Enter your username.")
            self.username.setFocus()
            return
        try:
            self.actor = sign_in(self.db, username, self.password.text())
        except SignInError as error:
            self.password.clear()
            self.password.setFocus()
            self._problem(str(error))
            return
        except VeruError as error:
            self._problem(error_text(error))
            return
        self.accept()

    def _problem(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(True)


class FirstStartDialog(QDialog):
    """A new database: create the first administrator, or load demonstration data."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor: Actor | None = None
        self.suggested_username = ""
        self.demo_loaded = False
        self.errors = FieldErrors()
        self.setWindowTitle("Welcome to VERU Desk")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        self.stack = QStackedWidget()
        layout.addWidget(self.stack)
        self.stack.addWidget(self._choice_page())
        self.stack.addWidget(self._admin_page())
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 36)

    def _choice_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setSpacing(10)
        title = QLabel("Welcome to VERU Desk")
        title.setObjectName("pageTitle")
        text = QLabel(
            f"This database is new and has no users yet.\nDatabase: {self.db.location.display}"
        )
        text.setWordWrap(True)
        self.admin_choice = QPushButton("Create the first administrator")
        self.admin_choice.setObjectName("primary")
        self.admin_choice.clicked.connect(lambda: self.stack.setCurrentIndex(1))
        admin_hint = QLabel("For real use: you then add the unit's managers and caseworkers.")
        admin_hint.setObjectName("hint")
        admin_hint.setWordWrap(True)
        self.demo_choice = QPushButton("Explore with demonstration data")
        self.demo_choice.clicked.connect(self.load_demo_data)
        demo_hint = QLabel(
            f"Adds {DEMO_PEOPLE} invented young people and a demonstration team. Every demo "
            f"user's password is {DEMO_PASSWORD}. Never put real cases in a demonstration "
            "database."
        )
        demo_hint.setObjectName("hint")
        demo_hint.setWordWrap(True)
        quit_button = QPushButton("Quit")
        quit_button.clicked.connect(self.reject)
        for widget in (title, text, self.admin_choice, admin_hint, self.demo_choice, demo_hint):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(quit_button, 0, Qt.AlignmentFlag.AlignRight)
        return page

    def _admin_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        title = QLabel("Create the first administrator")
        title.setObjectName("pageTitle")
        layout.addWidget(title)
        form = QFormLayout()
        self.display_name = QLineEdit()
        self.new_username = QLineEdit()
        self.new_username.setPlaceholderText("e.g. sokonkwo")
        self.new_password = _password_field("Password")
        self.new_password.setPlaceholderText("At least 12 characters; a short phrase works well")
        self.confirm_password = _password_field("Password again")
        self.also_manager = QCheckBox("Also a manager (triages, allocates and sees every case)")
        self.errors.add_row(form, "Full name", self.display_name, "display_name")
        self.errors.add_row(form, "Username", self.new_username, "username")
        self.errors.add_row(form, "Password", self.new_password, "password")
        self.errors.add_row(form, "Password again", self.confirm_password, "confirm_password")
        form.addRow("", self.also_manager)
        layout.addLayout(form)
        self.admin_message = QLabel()
        self.admin_message.setObjectName("fieldError")
        self.admin_message.setWordWrap(True)
        layout.addWidget(self.admin_message)
        buttons = QDialogButtonBox()
        create = QPushButton("Create and sign in")
        create.setObjectName("primary")
        create.setDefault(True)
        buttons.addButton(create, QDialogButtonBox.ButtonRole.AcceptRole)
        back = buttons.addButton("Back", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.create_administrator)
        back.clicked.connect(lambda: self.stack.setCurrentIndex(0))
        layout.addStretch(1)
        layout.addWidget(buttons)
        return page

    def create_administrator(self) -> None:
        self.errors.clear()
        self.admin_message.clear()
        password = self.new_password.text()
        if password != self.confirm_password.text():
            self.errors.show(
                ValidationError({"confirm_password": "The two passwords are different."})
            )
            return
        if count_users(self.db) != 0:
            self.admin_message.setText(
                "Someone has already created a user in this database: sign in instead."
            )
            return
        roles = {Role.ADMIN} | ({Role.MANAGER} if self.also_manager.isChecked() else set())
        try:
            # Before any user exists only the installer's system actor can add one (see
            # services.actor.SYSTEM); the count check above keeps this to the very first.
            UserService(self.db, SYSTEM).create(
                self.new_username.text(), self.display_name.text(), roles, password
            )
            self.actor = sign_in(self.db, self.new_username.text(), password)
        except ValidationError as error:
            unplaced = self.errors.show(error)
            self.admin_message.setText("\n".join(unplaced))
            return
        except VeruError as error:
            show_error(self, error)
            return
        self.suggested_username = self.actor.username
        self.accept()

    def load_demo_data(self) -> None:
        from veru_desk.services.demo import add_demo_team, generate_demo_data

        db = self.db
        self.demo_choice.setEnabled(False)
        self.admin_choice.setEnabled(False)

        def work(progress: Progress) -> None:
            add_demo_team(db)  # refused if anyone added a user meanwhile
            generate_demo_data(db, people=DEMO_PEOPLE, seed=DEMO_SEED, progress=progress.keep_going)

        def done(_result: None) -> None:
            self.demo_loaded = True
            self.suggested_username = DEMO_MANAGER
            self.accept()

        def failed(error: Exception) -> None:
            self.demo_choice.setEnabled(True)
            self.admin_choice.setEnabled(True)
            show_error(self, error)

        def cancelled() -> None:
            self.demo_choice.setEnabled(True)
            self.admin_choice.setEnabled(True)

        run_task(
            self,
            "Creating demonstration data…",
            work,
            done,
            failed,
            on_cancelled=cancelled,
        )

    def sign_in_hint(self) -> str:
        if self.demo_loaded:
            return (
                f"Demonstration data is ready. Sign in as {DEMO_MANAGER} (a manager) or any "
                f"demo user, with the password {DEMO_PASSWORD}."
            )
        return ""
