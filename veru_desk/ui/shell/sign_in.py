"""Signing in, and the first start of a new database.

A database with no users cannot be signed in to, so the first start offers two ways on:
create the first administrator (who then adds everyone else), or explore the app with
demonstration data (invented people, and demo users who all share one published password).
Both create an encrypted database unless the administrator explicitly chooses otherwise; the
recovery key is then shown once, to write down or print.

Signing in goes through a callable (``authenticate(username, password) -> Actor``) so the
same dialog serves an encrypted file (the password unlocks the key first), a plain file and
a server, without knowing which.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPalette, QShowEvent, QTextDocument
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

from veru_desk.config import DatabaseLocation
from veru_desk.db.engine import Database
from veru_desk.demo import DEMO_PASSWORD
from veru_desk.domain.enums import Role
from veru_desk.domain.errors import ValidationError, VeruError
from veru_desk.services.actor import Actor
from veru_desk.services.passwords import MIN_PASSWORD_LENGTH, SignInError, check_password_rules
from veru_desk.ui.shell.tasks import Cancelled, Progress, run_task
from veru_desk.ui.widgets.feedback import confirm, error_text, show_error
from veru_desk.ui.widgets.forms import Credentials, FieldErrors, password_field
from veru_desk.ui.widgets.kit import (
    grow_to_fit,
    keep_contents_visible,
    room_for_placeholder,
)

if TYPE_CHECKING:  # the vault loads SQLAlchemy: imported when a database is created
    from veru_desk.services.vault import NewDatabase

log = logging.getLogger(__name__)

DEMO_PEOPLE = 500
DEMO_SEED = 2025
DEMO_MANAGER = "priya"


class SignInDialog(QDialog):
    def __init__(
        self,
        authenticate: Callable[[str, str], Actor],
        where: str,
        parent: QWidget | None = None,
        *,
        username: str = "",
        hint: str = "",
    ) -> None:
        super().__init__(parent)
        self.authenticate = authenticate
        self.actor: Actor | None = None
        self.setWindowTitle("Sign in to VERU Desk")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(10)
        title = QLabel("Sign in")
        title.setObjectName("pageTitle")
        location = QLabel(f"Database: {where}")
        location.setObjectName("hint")
        location.setWordWrap(True)
        layout.addWidget(title)
        layout.addWidget(location)
        self.hint = QLabel(hint)
        self.hint.setObjectName("notice")
        self.hint.setWordWrap(True)
        self.hint.setVisible(bool(hint))
        layout.addWidget(self.hint)
        self.credentials = Credentials(username)
        self.credentials.add_to(layout)
        self.username = self.credentials.username
        self.password = self.credentials.password
        self.message = self.credentials.message
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
        keep_contents_visible(self)
        (self.password if username else self.username).setFocus()

    def try_sign_in(self) -> None:
        username = self.username.text()
        if not username.strip():
            self._problem("Enter your username.")
            self.username.setFocus()
            return
        try:
            self.actor = self.authenticate(username, self.password.text())
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
        self.credentials.show_problem(text)
        grow_to_fit(self)


class FirstStartDialog(QDialog):
    """A new database: create the first administrator, or load demonstration data.

    On acceptance ``created`` holds the open database and the signed-in administrator (or,
    after demonstration data, the database with nobody signed in yet).
    """

    def __init__(self, location: DatabaseLocation, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.location = location
        self.created: NewDatabase | None = None
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
        keep_contents_visible(self)
        self.show_choice()

    @property
    def db(self) -> Database | None:
        return self.created.db if self.created else None

    def _choice_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setSpacing(10)
        title = QLabel("Welcome to VERU Desk")
        title.setObjectName("pageTitle")
        text = QLabel(
            f"This database is new and has no users yet.\nDatabase: {self.location.display}"
        )
        text.setWordWrap(True)
        self.admin_choice = QPushButton("Create the first administrator")
        self.admin_choice.setObjectName("primary")
        self.admin_choice.clicked.connect(self.show_admin_form)
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
        quit_button.setAutoDefault(False)
        quit_button.clicked.connect(self.reject)
        self.demo_choice.setAutoDefault(False)
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
        self.new_password = password_field("Password")
        self.new_password.setPlaceholderText("At least 12 characters; a short phrase works well")
        room_for_placeholder(self.new_password)
        self.confirm_password = password_field("Password again")
        self.also_manager = QCheckBox("Also a manager (triages, allocates and sees every case)")
        self.encrypt = QCheckBox("Encrypt the database file (strongly recommended)")
        self.encrypt.setChecked(True)
        self.encrypt.setAccessibleName("Encrypt the database file")
        self.encrypt.setVisible(self.location.is_sqlite_file)
        for label, field, name in (
            ("Full name", self.display_name, "display_name"),
            ("Username", self.new_username, "username"),
            ("Password", self.new_password, "password"),
            ("Password again", self.confirm_password, "confirm_password"),
        ):
            # One line each (these messages are short): a wrapping label in a form asks for
            # the height of its narrowest width, which spreads the rows apart.
            self.errors.add_row(form, label, field, name).setWordWrap(False)
        form.addRow("", self.also_manager)
        form.addRow("", self.encrypt)
        layout.addLayout(form)
        self.admin_message = QLabel()
        self.admin_message.setObjectName("fieldError")
        self.admin_message.setWordWrap(True)
        layout.addWidget(self.admin_message)
        buttons = QDialogButtonBox()
        self.create_button = QPushButton("Create and sign in")
        self.create_button.setObjectName("primary")
        buttons.addButton(self.create_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.back_button = buttons.addButton("Back", QDialogButtonBox.ButtonRole.RejectRole)
        self.back_button.setAutoDefault(False)
        buttons.accepted.connect(self.create_administrator)
        self.back_button.clicked.connect(self.show_choice)
        layout.addStretch(1)
        layout.addWidget(buttons)
        return page

    def show_choice(self) -> None:
        """The first page; Enter takes the first choice (create the first administrator)."""
        self.stack.setCurrentIndex(0)
        self.create_button.setDefault(False)
        self.admin_choice.setDefault(True)
        self.admin_choice.setFocus()

    def show_admin_form(self) -> None:
        """The administrator's form; Enter in any field submits it."""
        self.stack.setCurrentIndex(1)
        self.admin_choice.setDefault(False)
        self.create_button.setDefault(True)
        self.display_name.setFocus()

    def _blank_fields(self) -> dict[str, str]:
        """A message for every required field left empty, each under its own field."""
        required = {
            "display_name": (self.display_name, "Enter the administrator's full name."),
            "username": (self.new_username, "Choose a username to sign in with."),
            "password": (
                self.new_password,
                f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters.",
            ),
            "confirm_password": (self.confirm_password, "Type the password again."),
        }
        return {
            field: message
            for field, (widget, message) in required.items()
            if not widget.text().strip()
        }

    def _show_form_errors(self, error: ValidationError) -> None:
        unplaced = self.errors.show(error)
        self.admin_message.setText("\n".join(unplaced))
        first = next(
            (
                widget
                for field, widget in (
                    ("display_name", self.display_name),
                    ("username", self.new_username),
                    ("password", self.new_password),
                    ("confirm_password", self.confirm_password),
                )
                if field in error.fields
            ),
            None,
        )
        if first is not None:
            first.setFocus()
        grow_to_fit(self)

    def create_administrator(self) -> None:
        self.errors.clear()
        self.admin_message.clear()
        blank = self._blank_fields()
        if blank:
            self._show_form_errors(ValidationError(blank))
            return
        password = self.new_password.text()
        if password != self.confirm_password.text():
            self._show_form_errors(
                ValidationError({"confirm_password": "The two passwords are different."})
            )
            return
        if not self._encryption_confirmed():
            return
        roles = frozenset(
            {Role.ADMIN} | ({Role.MANAGER} if self.also_manager.isChecked() else set())
        )
        from veru_desk.services.new_database import build_complete
        from veru_desk.services.vault import create_database

        username, name = self.new_username.text(), self.display_name.text()
        encrypted = self.encrypt.isChecked()
        try:
            check_password_rules(password)
            # Built aside and moved into place when finished (a first start killed half-way
            # leaves nothing the next start could take for a database).
            self.created = build_complete(
                self.location,
                lambda staged: create_database(
                    staged, username, name, password, encrypted=encrypted, admin_roles=roles
                ),
            )
        except ValidationError as error:
            self._show_form_errors(error)
            return
        except VeruError as error:
            show_error(self, error)
            return
        self.actor = self.created.actor
        self.suggested_username = self.actor.username
        if self.created.recovery_key:
            RecoveryKeyDialog(self.created.recovery_key, self.location.display, self).exec()
        self.accept()

    def _encryption_confirmed(self) -> bool:
        if not self.location.is_sqlite_file or self.encrypt.isChecked():
            return True
        return confirm(
            self,
            "Store records unencrypted?",
            "Without encryption, anyone who copies this file (a stolen laptop, a lost backup) "
            "can read every young person's record. Use an unencrypted file only for training "
            "or testing.",
            action="Store the records unencrypted",
            keep="Go back",
            warning=True,
        )

    def load_demo_data(self) -> None:
        from veru_desk.demo import Stopped, build_demo_database

        location = self.location
        self.demo_choice.setEnabled(False)
        self.admin_choice.setEnabled(False)

        def work(progress: Progress) -> NewDatabase:
            # Built aside and moved into place when finished: cancelled, or killed, it leaves
            # no database, so the next start offers the same choice again.
            try:
                created, _summary = build_demo_database(
                    location, DEMO_PEOPLE, DEMO_SEED, progress.keep_going
                )
            except Stopped:
                raise Cancelled from None
            return created

        def done(created: NewDatabase) -> None:
            self.created = created
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


class RecoveryKeyDialog(QDialog):
    """The recovery key, shown once: it opens the database if every password is lost.

    It is never stored by the app, so the administrator must copy, print or write it down
    before going on; the Continue button says so.
    """

    def __init__(self, recovery_key: str, where: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.recovery_key = recovery_key
        self.where = where
        self.setWindowTitle("Your recovery key")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        title = QLabel("Keep this recovery key safe")
        title.setObjectName("pageTitle")
        text = QLabel(
            "The database is encrypted. If every administrator forgets their password, this "
            "key is the only way to open it. It is shown this once: print it or write it down, "
            "and keep it locked away from the computer (not in a file beside the database)."
        )
        text.setWordWrap(True)
        self.key_label = QLabel(recovery_key)
        self.key_label.setObjectName("recoveryKey")
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_label.setAccessibleName("Recovery key")
        font = self.key_label.font()
        font.setFamily("monospace")
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.key_label.setFont(font)
        self.confirmed = QCheckBox("I have printed or written down the recovery key")
        buttons = QDialogButtonBox()
        copy = buttons.addButton("Copy", QDialogButtonBox.ButtonRole.ActionRole)
        print_button = buttons.addButton("Print…", QDialogButtonBox.ButtonRole.ActionRole)
        self.continue_button = buttons.addButton("Continue", QDialogButtonBox.ButtonRole.AcceptRole)
        self.continue_button.setObjectName("recoveryContinue")
        self.continue_button.setToolTip(
            "Tick the box above once the key is printed or written down"
        )
        self._grey_when_disabled(self.continue_button)
        self._allow_continue(False)
        self.confirmed.toggled.connect(self._allow_continue)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(recovery_key))
        print_button.clicked.connect(self.print_key)
        buttons.accepted.connect(self.accept)
        for widget in (title, text, self.key_label, self.confirmed, buttons):
            layout.addWidget(widget)
        keep_contents_visible(self)

    @staticmethod
    def _grey_when_disabled(button: QPushButton) -> None:
        palette = button.palette()
        for role, colour in (
            (QPalette.ColorRole.ButtonText, "#93a1ab"),
            (QPalette.ColorRole.Button, "#f2f4f6"),
        ):
            palette.setColor(QPalette.ColorGroup.Disabled, role, colour)
        button.setPalette(palette)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # the button box makes its accept button the default as it shows: undo that while
        # Continue is not yet allowed
        self._allow_continue(self.confirmed.isChecked())

    def _allow_continue(self, allowed: bool) -> None:
        """Continue is the default button only once it may be used: the stylesheet paints a
        default button filled, which would make the disabled one look ready."""
        self.continue_button.setEnabled(allowed)
        self.continue_button.setAutoDefault(allowed)
        self.continue_button.setDefault(allowed)
        self.continue_button.setProperty("ready", allowed)
        style = self.continue_button.style()
        style.unpolish(self.continue_button)
        style.polish(self.continue_button)
        self.continue_button.update()

    def print_key(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter()
        if QPrintDialog(printer, self).exec() != QDialog.DialogCode.Accepted:
            return
        document = QTextDocument()
        document.setPlainText(
            "VERU Desk recovery key\n\n"
            f"Database: {self.where}\n\n{self.recovery_key}\n\n"
            "Keep this locked away. Anyone with it and a copy of the database can read it."
        )
        document.print_(printer)

    def reject(self) -> None:
        """Esc must not skip the one chance to keep the key."""
        if self.confirmed.isChecked():
            super().reject()
