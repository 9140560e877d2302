"""Starting the desktop app: logging, crash handling, the database, signing in, the window.

``run_app`` is what ``veru-desk`` runs with no subcommand. ``build_main_window`` is the same
window without the dialogs around it, so tests and the benchmark can build it for an actor.

A start is quick when it can be: the first screen is read through a bare connection while the
window is built, and the database layer loads behind the painted window, where the sign-in is
completed and audited (``services.quick_start`` says when, and why that is safe).

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
from dataclasses import dataclass
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType
from typing import IO

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from veru_desk import __version__, config
from veru_desk.config import DatabaseLocation, environment_credentials
from veru_desk.db.driver import DatabaseKind, kind_of
from veru_desk.db.engine import Database
from veru_desk.domain.errors import VeruError
from veru_desk.heap import settle_heap
from veru_desk.resources import resource_path
from veru_desk.services import Services
from veru_desk.services.actor import Actor
from veru_desk.services.quick_start import EarlyRead, FirstScreen, has_users, read_first_screen
from veru_desk.ui.shell.first_paint import when_painted
from veru_desk.ui.shell.main_window import MainWindow
from veru_desk.ui.widgets.feedback import show_error
from veru_desk.ui.widgets.kit import app_stylesheet
from veru_desk.ui.widgets.wheel_guard import install_wheel_guard

# Not imported here: the services' modules, SQLAlchemy and Alembic. A start that can take the
# quick road (services.quick_start) paints its window before any of them has loaded.

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
        from veru_desk.db.failures import explain  # a database error outside any service

        box = QMessageBox(QApplication.activeWindow())
        error = explain(error) or error
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
    install_wheel_guard(app)
    return app


def apply_look(app: QApplication) -> None:
    """The app icon and the stylesheet; both optional so a damaged install still starts.

    Nothing here fights the platform: Qt 6 scales for high-DPI screens by itself (no
    attribute to set, no fixed scale factor) and the stylesheet sizes text in pt and boxes in
    em, so the system font size is honoured."""
    try:
        app.setWindowIcon(QIcon(str(resource_path("icons", "veru-desk.svg"))))
        app.setStyleSheet(app_stylesheet(app.font().pointSizeF()))
        # The stylesheet is one light theme: under a dark system setting Qt would darken what
        # it does not paint (menus, tooltips, message boxes) beneath its dark text.
        app.styleHints().setColorScheme(Qt.ColorScheme.Light)
    except (FileNotFoundError, OSError):
        log.warning("shipped look files missing; starting with the platform style", exc_info=True)


def default_settings() -> QSettings:
    return QSettings(SETTINGS_ORGANISATION, SETTINGS_APPLICATION)


def build_main_window(
    services: Services,
    *,
    settings: QSettings | None = None,
    database_label: str | None = None,
    first_screen: FirstScreen | None = None,
) -> MainWindow:
    """The main window for a signed-in actor, with no dialogs around it."""
    return MainWindow(
        services,
        settings=settings or default_settings(),
        database_label=database_label or services.db.location.display,
        first_screen=first_screen,
    )


def actor_from_environment(
    authenticate: Callable[[str, str], Actor],
) -> Actor | None:
    """Signs in from VERU_DESK_USER and VERU_DESK_PASSWORD when both are set (see module doc)."""
    from veru_desk.services.passwords import SignInError

    credentials = environment_credentials()
    if credentials is None:
        return None
    try:
        return authenticate(*credentials)
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


# The window's first screen, imported while the start-up read is still running.
FIRST_SCREEN_MODULES = ("veru_desk.ui.pages.caseload_model", "veru_desk.ui.pages.caseload")


class _Opener:
    """Opens the database as the person signing in: for an encrypted file their password
    unlocks the key before the database can be read at all (services.vault).

    The plainest sign-in takes the quick road: the first screen read through a bare
    connection, the database layer left to load behind the painted window, where
    ``complete_sign_in`` runs the audited sign-in with the same credentials."""

    def __init__(self, location: DatabaseLocation, early: EarlyRead | None = None) -> None:
        self.location = location
        self.db: Database | None = None
        self.early = early
        self.first_screen: FirstScreen | None = None
        self.pending: tuple[str, str] | None = None  # credentials of a quick sign-in

    def authenticate(self, username: str, password: str) -> Actor:
        from veru_desk.db.driver import server_login_wanted, signed_in_location

        per_user = server_login_wanted(self.location)  # the server checks the password too
        if self.db is not None and not per_user:  # already open (a second attempt)
            from veru_desk.services.users import sign_in

            return sign_in(self.db, username, password)
        if self.db is not None:  # opened as another login: this person signs in as theirs
            self.db.dispose()
            self.db = None
        if self.early is not None and self.early.credentials == (username, password):
            first = self.early.result(meanwhile=FIRST_SCREEN_MODULES)
        else:
            first = read_first_screen(self.location, username, password)
        if first is not None:
            location = signed_in_location(self.location, username, password)
            self.db = Database.deferred(location, key=first.key)
            self.first_screen, self.pending = first, (username, password)
            return first.actor
        from veru_desk.services.vault import open_for_user

        db, actor = open_for_user(self.location, username, password)
        self.db = db
        return actor


@dataclass
class SignedIn:
    """The outcome of signing in; ``pending`` holds the credentials of a quick sign-in whose
    audited half (``complete_sign_in``) runs once the window has painted."""

    db: Database
    actor: Actor
    first_screen: FirstScreen | None = None
    pending: tuple[str, str] | None = None


class CannotStart(Exception):
    """The database could not be opened; the user has been told why."""


def _explain_open_failure(location: DatabaseLocation, error: BaseException) -> None:
    from veru_desk.db.failures import explain  # the one classifier every layer uses

    if isinstance(error, VeruError):
        log.error("cannot open the database %s: %s", location.display, error)
        _fatal(str(error), f"Database: {location.display}")
        return
    log.error("cannot open the database %s", location.display, exc_info=error)
    failure = explain(error)
    _fatal(
        str(failure)
        if failure is not None
        # Not a cause we recognise: say so, rather than guess at damage and advise a restore.
        else "The database could not be opened, for a reason VERU Desk does not recognise. "
        "Nothing was changed: tell your administrator.",
        f"Database: {location.display}\nDetails are in the log file in {config.log_dir()}",
    )


# What the completed sign-in and the first page behind the painted window need first.
DATABASE_LAYER_MODULES = (
    "veru_desk.services.users",  # SQLAlchemy, its ORM and the models
    "veru_desk.services.vault",
    "veru_desk.services.caseload",
)


def load_database_layer_meanwhile() -> None:
    """Loads the database layer on a thread of its own while the sign-in dialog waits for a
    person to type (started once the dialog has painted, so it shows at once).

    A quick start paints its window from a bare read and loads SQLAlchemy, the models and
    the services behind it (``services.quick_start``): over a third of a second in which the
    painted window cannot answer. Typing a name and a password takes longer than that, so it
    is done then. From the press of Enter, four starts at 100,000 people each way: the window
    painted in 157-160 ms and answered input in 532-549 ms; with the layer loaded while the
    person typed, 151-156 ms and 215-223 ms."""

    def load() -> None:
        import importlib

        try:
            for module in DATABASE_LAYER_MODULES:
                importlib.import_module(module)
            from sqlalchemy.orm import configure_mappers

            configure_mappers()
            settle_heap()  # the layer lives as long as the app, unwalked by the collector
        except Exception:  # the sign-in loads it again and reports whatever this was
            log.warning("the database layer did not load ahead of the sign-in", exc_info=True)

    threading.Thread(target=load, name="veru-load-database-layer", daemon=True).start()


def sign_in_to(location: DatabaseLocation, early: EarlyRead | None = None) -> SignedIn | None:
    """First start or sign-in: the open database and who is using it, or None if the user
    chose to quit; raises ``CannotStart`` (after saying why) if the database cannot be used."""
    try:
        kind = kind_of(location)
        # A server with no users yet is a first start. A start-up read that found the user
        # has answered that already, without a second connection on this thread.
        quick = early is not None and early.result(meanwhile=FIRST_SCREEN_MODULES) is not None
        if kind is DatabaseKind.SERVER and not quick and not has_users(location):
            kind = DatabaseKind.NEW
    except Exception as error:
        _explain_open_failure(location, error)
        raise CannotStart from error
    opener = _Opener(location, early)
    suggested_username = hint = ""
    if kind is DatabaseKind.NEW:
        from veru_desk.ui.shell.sign_in import FirstStartDialog

        first = FirstStartDialog(location)
        if first.exec() != FirstStartDialog.DialogCode.Accepted or first.created is None:
            return None
        opener.db = first.created.db
        if first.actor is not None:
            return SignedIn(first.created.db, first.actor)
        suggested_username, hint = first.suggested_username, first.sign_in_hint()
    try:
        actor = actor_from_environment(opener.authenticate)
    except Exception as error:
        _explain_open_failure(location, error)
        raise CannotStart from error
    if actor is None:
        from veru_desk.ui.shell.sign_in import SignInDialog

        dialog = SignInDialog(
            opener.authenticate, location.display, username=suggested_username, hint=hint
        )
        when_painted(dialog, load_database_layer_meanwhile)
        if dialog.exec() != SignInDialog.DialogCode.Accepted or dialog.actor is None:
            if opener.db is not None:
                opener.db.dispose()
            return None
        actor = dialog.actor
    assert opener.db is not None
    return SignedIn(opener.db, actor, opener.first_screen, opener.pending)


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
    from veru_desk.db.opening import start_of_day_checks
    from veru_desk.ui.shell.tasks import Progress, run_task

    db = window.services.db

    def work(_progress: Progress) -> tuple[Path | None, list[str]]:
        from veru_desk.db.health import audit_problems

        backup = start_of_day_checks(db)
        # The audit trail's triggers and hash chain, against the heads kept outside it.
        return backup, audit_problems(db.engine, window.services.health.chain_heads())

    def done(result: tuple[Path | None, list[str]]) -> None:
        backup, tampered = result
        if backup is not None:
            log.info("the day's first backup: %s", backup)
        for problem in tampered:
            log.error("start-of-day audit check: %s", problem)
        from veru_desk.domain.enums import Role

        actor = window.services.actor
        if tampered and (actor.is_manager or actor.has(Role.ADMIN)):
            from veru_desk.domain.errors import StorageError

            show_error(window, StorageError(" ".join(tampered)))

    def failed(error: Exception) -> None:
        if isinstance(error, DamagedDatabase):
            log.error("start-of-day check failed: %s", error)
            from veru_desk.ui.shell.damaged_database import offer_restore

            if offer_restore(window, error, window.services):
                run_start_of_day_checks(window)  # the restored file, and today's backup
            else:
                window.close()  # never carry on with a damaged database
            return
        log.error("start-of-day checks did not finish", exc_info=error)
        show_error(window, error)

    run_task(window, "Checking the database…", work, done, failed, show_progress=False)


def complete_sign_in(window: MainWindow, signed_in: SignedIn) -> bool:
    """The audited half of a quick sign-in, once the window has painted: ``sign_in`` checks
    the password again through the services, records the LOGIN and resets the failure count.
    Whatever refuses it now (an account disabled a moment ago) closes the window."""
    if signed_in.pending is None:
        return True
    from veru_desk.services.users import sign_in

    username, password = signed_in.pending
    signed_in.pending = None
    # The start-up read proved this password moments ago, or found nothing: it unwrapped the
    # user's key slot with it (an encrypted file) or checked it against the hash itself (a
    # plain file, a server). Either is an argon2 run as costly as the hash's, so the hash is
    # not checked a second time (46 MiB more, just when the app holds the most memory).
    proven = signed_in.first_screen is not None
    try:
        actor = sign_in(signed_in.db, username, password, password_proven=proven)
    except Exception as error:
        from veru_desk.db.failures import explain  # locked, unreachable...: say which

        log.error("the sign-in could not be completed: %s", error)
        show_error(window, explain(error) or error)
        window.close()
        return False
    if actor != signed_in.actor:  # roles changed in between: start again as they are now
        from veru_desk.services.passwords import SignInError

        log.warning("%s's account changed while signing in; closing", actor.username)
        show_error(
            window,
            SignInError(
                "Your account was changed (a role or name) while VERU Desk was opening. "
                "Start VERU Desk again to work with the account as it is now."
            ),
        )
        window.close()
        return False
    from veru_desk.services.vault import refresh_key_slot

    try:
        refresh_key_slot(signed_in.db, username, password)
    except OSError:  # the key file could not be rewritten; the old slot still opens it
        log.warning("could not rewrap %s's key slot", username, exc_info=True)
    window.refresh_current_page()
    return True


def run_app(database: str | None = None, *, early: EarlyRead | None = None) -> int:
    """Runs the desktop app until the main window closes; returns the process exit status.
    ``early`` is the start-up read, begun before Qt was imported (``cli``)."""
    location = config.resolve_database(database)
    app = create_application()
    log_path = setup_logging()
    enable_crash_log()
    ExceptionHandler(log_path).install()
    log.info("VERU Desk %s starting", __version__)
    from veru_desk.ui.shell.single_instance import claim_single_instance

    guard = claim_single_instance(location)  # held until the app closes
    if guard is None:  # already running on this database: that copy has come forward
        log.info("VERU Desk is already open on %s: brought it forward", location.display)
        return 0
    from veru_desk.db.opened_files import clear_own_opened_files, sweep_opened_files

    sweep_opened_files()  # copies of case files a crashed run left for a viewer

    try:
        signed_in = sign_in_to(location, early)
    except CannotStart:
        return 2
    if signed_in is None:
        return 1
    db, actor = signed_in.db, signed_in.actor
    services = Services(db, actor)

    if signed_in.pending is None:
        from veru_desk.ui.dialogs.password import ensure_password_changed

        if not ensure_password_changed(services):  # an administrator reset it: choose anew
            from veru_desk.services.users import sign_out

            sign_out(db, actor, "Quit instead of choosing a new password")
            db.dispose()
            return 1
    window = build_main_window(
        services, database_label=database_label(db), first_screen=signed_in.first_screen
    )
    session: dict[str, object] = {}

    def carry_on() -> None:
        """Behind the painted window: the rest of signing in, the day's checks, auto-lock."""
        if not complete_sign_in(window, signed_in):
            return
        window.after_sign_in()
        settle_heap()  # the start's objects live as long as the app: see heap.py
        from veru_desk.ui.shell.lock_screen import install_auto_lock

        if os.environ.get(BENCH_EXIT_ENV) != "1":
            run_start_of_day_checks(window)
        # After a different user signs in at the lock screen, the controller holds their
        # window and services; the first user's session was ended there (with its LOGOUT).
        session["watcher"] = install_auto_lock(app, window, services)

    window.show()
    window.raise_()
    window.activateWindow()
    if os.environ.get(BENCH_EXIT_ENV) == "1":  # `veru-desk bench` timing a start: see bench.probe
        from veru_desk.bench.probe import exit_after_first_paint

        exit_after_first_paint(window, carry_on)
    else:
        when_painted(window, carry_on)
    status = app.exec()
    guard.release()  # its socket goes with it (a crash leaves one, taken over next start)
    clear_own_opened_files()  # the copies of case files opened for a viewer
    watcher = session.get("watcher")
    if watcher is not None:
        from veru_desk.services.users import sign_out

        # After a takeover at the lock screen, the last user's own database, not the first's.
        last: Services = watcher.controller.services  # type: ignore[attr-defined]  # set by install_auto_lock
        sign_out(last.db, last.actor, "Closed VERU Desk")
        last.db.dispose()
    db.dispose()
    log.info("VERU Desk closed with status %s", status)
    return status
