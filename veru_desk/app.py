"""Starting the desktop app: logging, crash handling, the database, signing in, the window.

``run_app`` is what ``veru-desk`` runs with no subcommand. ``build_main_window`` is the same
window without the dialogs around it, so tests and the benchmark can build it for an actor.

Signing in can be skipped for unattended runs (screenshots, demonstrations) by setting both
``VERU_DESK_USER`` and ``VERU_DESK_PASSWORD``: the password is still checked by
``services.users.sign_in`` and the sign-in audited, so this opens nothing a person could not.
"""

from __future__ import annotations

import faulthandler
import logging
import os
import sys
import threading
import traceback
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType
from typing import IO

from PySide6.QtCore import QSettings
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from veru_desk import __version__, config
from veru_desk.config import DatabaseLocation
from veru_desk.db.engine import Database
from veru_desk.domain.errors import VeruError
from veru_desk.resources import resource_path
from veru_desk.services import Services
from veru_desk.services.actor import Actor
from veru_desk.services.users import SignInError, count_users, sign_in, sign_out
from veru_desk.services.vault import DatabaseKind, kind_of, open_for_user
from veru_desk.ui.feedback import show_error
from veru_desk.ui.main_window import MainWindow

USER_ENV = "VERU_DESK_USER"
PASSWORD_ENV = "VERU_DESK_PASSWORD"
BENCH_EXIT_ENV = "VERU_DESK_BENCH_EXIT_AFTER_PAINT"
LOG_FILE = "veru-desk.log"
CRASH_FILE = "crash.log"
SETTINGS_ORGANISATION = "VERU"
SETTINGS_APPLICATION = "VERU Desk"

log = logging.getLogger("veru_desk")
_CRASH_STREAM: IO[str] | None = None


def setup_logging(directory: Path | None = None) -> Path:
    """A rotating log in the user's log folder: what support asks for after a bad day."""
    directory = directory or config.log_dir()
    path = directory / LOG_FILE
    root = logging.getLogger()
    if not any(
        isinstance(h, RotatingFileHandler) and Path(h.baseFilename) == path for h in root.handlers
    ):
        handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


def enable_crash_log(directory: Path | None = None) -> Path:
    """faulthandler writes the Python stacks here if Qt or a driver crashes the process."""
    global _CRASH_STREAM
    path = (directory or config.log_dir()) / CRASH_FILE
    if _CRASH_STREAM is None:
        _CRASH_STREAM = path.open("a", encoding="utf-8")
        faulthandler.enable(file=_CRASH_STREAM, all_threads=True)
    return path


class ExceptionHandler:
    """Logs an unexpected exception and tells the user calmly; the app carries on.

    An exception escaping a Qt slot reaches ``sys.excepthook``; without this the default hook
    prints to a console nobody sees. Typed errors (``VeruError``) carry their own advice.
    """

    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        self._showing = False

    def install(self) -> None:
        sys.excepthook = self.handle
        threading.excepthook = self._handle_thread

    def handle(
        self,
        kind: type[BaseException],
        error: BaseException,
        tb: TracebackType | None,
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        text = "".join(traceback.format_exception(kind, error, tb))
        log.error("unexpected error\n%s", text)
        if self._showing or QApplication.instance() is None:
            return
        self._showing = True
        try:
            self.show_dialog(error)
        finally:
            self._showing = False

    def _handle_thread(self, args: threading.ExceptHookArgs) -> None:
        text = "".join(
            traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback)
        )
        log.error("unexpected error in a background thread\n%s", text)

    def show_dialog(self, error: BaseException) -> None:
        box = QMessageBox(QApplication.activeWindow())
        if isinstance(error, VeruError):
            box.setIcon(QMessageBox.Icon.Warning)
            box.setWindowTitle("VERU Desk")
            box.setText(str(error))
        else:
            box.setIcon(QMessageBox.Icon.Information)
            box.setWindowTitle("VERU Desk hit a problem")
            box.setText(
                "Something unexpected stopped the last action. Anything you had already "
                "saved is safe, and you can carry on working."
            )
            box.setInformativeText(
                "If it happens again, tell your administrator and give them the log file:\n"
                f"{self.log_path}"
            )
        box.exec()


def create_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv)
    app.setOrganizationName(SETTINGS_ORGANISATION)
    app.setApplicationName(SETTINGS_APPLICATION)
    app.setApplicationDisplayName(SETTINGS_APPLICATION)
    app.setApplicationVersion(__version__)
    apply_look(app)
    return app


def apply_look(app: QApplication) -> None:
    """The app icon and the stylesheet; both optional so a damaged install still starts."""
    try:
        app.setWindowIcon(QIcon(str(resource_path("icons", "veru-desk.svg"))))
        app.setStyleSheet(resource_path("style.qss").read_text(encoding="utf-8"))
    except (FileNotFoundError, OSError):
        log.warning("shipped look files missing; starting with the platform style", exc_info=True)


def default_settings() -> QSettings:
    return QSettings(SETTINGS_ORGANISATION, SETTINGS_APPLICATION)


def build_main_window(
    services: Services,
    *,
    settings: QSettings | None = None,
    database_label: str | None = None,
) -> MainWindow:
    """The main window for a signed-in actor, with no dialogs around it."""
    return MainWindow(
        services,
        settings=settings or default_settings(),
        database_label=database_label or services.db.location.display,
    )


def actor_from_environment(
    authenticate: Callable[[str, str], Actor],
) -> Actor | None:
    """Signs in from VERU_DESK_USER and VERU_DESK_PASSWORD when both are set (see module doc)."""
    username = os.environ.get(USER_ENV)
    password = os.environ.get(PASSWORD_ENV)
    if not username or not password:
        return None
    try:
        return authenticate(username, password)
    except SignInError as error:
        log.warning("sign-in from the environment refused: %s", error)
        return None


def _fatal(message: str, detail: str = "") -> None:
    box = QMessageBox()
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("VERU Desk cannot start")
    box.setText(message)
    if detail:
        box.setInformativeText(detail)
    box.exec()


class _Opener:
    """Opens the database as the person signing in: for an encrypted file their password
    unlocks the key before the database can be read at all (services.vault)."""

    def __init__(self, location: DatabaseLocation) -> None:
        self.location = location
        self.db: Database | None = None

    def authenticate(self, username: str, password: str) -> Actor:
        if self.db is not None:  # already open (a plain file or server, a second attempt)
            return sign_in(self.db, username, password)
        db, actor = open_for_user(self.location, username, password)
        self.db = db
        return actor


class CannotStart(Exception):
    """The database could not be opened; the user has been told why."""


def _explain_open_failure(location: DatabaseLocation, error: BaseException) -> None:
    if isinstance(error, VeruError):
        log.error("cannot open the database %s: %s", location.display, error)
        _fatal(str(error), f"Database: {location.display}")
        return
    log.error("cannot open the database %s", location.display, exc_info=error)
    _fatal(
        "The database could not be opened. Check that the file or server is reachable, "
        "or restore the latest backup.",
        f"Database: {location.display}\nDetails are in the log file in {config.log_dir()}",
    )


def sign_in_to(location: DatabaseLocation) -> tuple[Database, Actor] | None:
    """First start or sign-in: the open database and who is using it, or None if the user
    chose to quit; raises ``CannotStart`` (after saying why) if the database cannot be used."""
    from veru_desk.ui.sign_in import FirstStartDialog, SignInDialog

    try:
        kind = kind_of(location)
        if kind is DatabaseKind.SERVER and not _server_has_users(location):
            kind = DatabaseKind.NEW
    except Exception as error:
        _explain_open_failure(location, error)
        raise CannotStart from error
    opener = _Opener(location)
    suggested_username = hint = ""
    if kind is DatabaseKind.NEW:
        first = FirstStartDialog(location)
        if first.exec() != FirstStartDialog.DialogCode.Accepted or first.created is None:
            return None
        opener.db = first.created.db
        if first.actor is not None:
            return first.created.db, first.actor
        suggested_username, hint = first.suggested_username, first.sign_in_hint()
    try:
        actor = actor_from_environment(opener.authenticate)
    except Exception as error:
        _explain_open_failure(location, error)
        raise CannotStart from error
    if actor is None:
        dialog = SignInDialog(
            opener.authenticate, location.display, username=suggested_username, hint=hint
        )
        if dialog.exec() != SignInDialog.DialogCode.Accepted or dialog.actor is None:
            if opener.db is not None:
                opener.db.dispose()
            return None
        actor = dialog.actor
    assert opener.db is not None
    return opener.db, actor


def _server_has_users(location: DatabaseLocation) -> bool:
    from veru_desk.db.session import open_database

    db = open_database(location)
    try:
        return count_users(db) > 0
    finally:
        db.dispose()


def database_label(db: Database) -> str:
    """What the status bar says about the database, including whether it is encrypted."""
    if db.location.path is None:
        return f"{db.location.display} (server)"
    protection = "encrypted" if db.key is not None else "NOT ENCRYPTED"
    return f"{db.location.display} ({protection})"


def run_start_of_day_checks(window: MainWindow) -> None:
    """The whole-file checks, off the GUI thread once the window is up: a damaged database
    is reported (offering the latest good backup); a backup taken is noted in the log."""
    from veru_desk.db.integrity import DamagedDatabase
    from veru_desk.db.session import start_of_day_checks
    from veru_desk.ui.tasks import Progress, run_task

    db = window.services.db

    def work(_progress: Progress) -> Path | None:
        return start_of_day_checks(db)

    def done(backup: Path | None) -> None:
        if backup is not None:
            log.info("the day's first backup: %s", backup)

    def failed(error: Exception) -> None:
        if isinstance(error, DamagedDatabase):
            log.error("start-of-day check failed: %s", error)
            from veru_desk.ui.damaged_database_dialog import offer_restore

            if offer_restore(window, error, window.services):
                run_start_of_day_checks(window)  # the restored file, and today's backup
            else:
                window.close()  # never carry on with a damaged database
            return
        log.error("start-of-day checks did not finish", exc_info=error)
        show_error(window, error)

    run_task(window, "Checking the database…", work, done, failed, show_progress=False)


def run_app(database: str | None = None) -> int:
    """Runs the desktop app until the main window closes; returns the process exit status."""
    app = create_application()
    log_path = setup_logging()
    enable_crash_log()
    ExceptionHandler(log_path).install()
    log.info("VERU Desk %s starting", __version__)

    try:
        signed_in = sign_in_to(config.resolve_database(database))
    except CannotStart:
        return 2
    if signed_in is None:
        return 1
    db, actor = signed_in
    services = Services(db, actor)

    from veru_desk.ui.lock_screen import install_auto_lock
    from veru_desk.ui.password_dialog import ensure_password_changed

    if not ensure_password_changed(services):  # an administrator reset it: choose a new one
        sign_out(db, actor, "Quit instead of choosing a new password")
        db.dispose()
        return 1
    window = build_main_window(services, database_label=database_label(db))
    window.show()
    window.raise_()
    window.activateWindow()
    if os.environ.get(BENCH_EXIT_ENV) == "1":  # `veru-desk bench` timing a start: see bench.probe
        from veru_desk.bench.probe import exit_after_first_paint

        exit_after_first_paint(window)
    else:
        run_start_of_day_checks(window)
    # After a different user signs in at the lock screen, the controller holds their window
    # and services; the first user's session was ended there (with its LOGOUT event).
    watcher = install_auto_lock(app, window, services)
    status = app.exec()
    sign_out(db, watcher.controller.services.actor, "Closed VERU Desk")
    db.dispose()
    log.info("VERU Desk closed with status %s", status)
    return status
