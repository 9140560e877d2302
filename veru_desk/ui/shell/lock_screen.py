"""Locking the app when it is left alone, and who may carry on.

A laptop left open in a school office must not show a child's record to whoever walks past.
After ``lock_after_minutes`` without a key press, click or scroll (an organisation setting,
10 by default), or at once with File > Lock (Ctrl+L), the window's contents are hidden and a
lock dialog asks for the password:

- the same user's password unlocks, and everything is as it was: a half-typed referral form,
  an open session dialog and every case workspace keep their text, because nothing is closed,
  only hidden;
- another user may sign in instead (a shared office computer). The first user's session then
  ends cleanly: their open dialogs and cases are closed *without saving* (the lock dialog says
  so before anyone signs in), a LOGOUT event says why, and a fresh main window opens for the
  second user, who sees only what their roles allow.

Hiding, not closing, is what keeps unsaved work; the curtains (opaque widgets laid over the
main window and over every dialog) and the hidden central widget are what keep it unreadable.
The lock dialog itself is application-modal, so nothing behind it takes input.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from veru_desk.db.engine import Database
from veru_desk.domain.errors import VeruError
from veru_desk.heap import unsettle_heap
from veru_desk.services import Services
from veru_desk.services.actor import Actor
from veru_desk.services.users import SignInError, sign_in, sign_out
from veru_desk.ui.widgets.feedback import error_text
from veru_desk.ui.widgets.forms import Credentials
from veru_desk.ui.widgets.kit import grow_to_fit, keep_contents_visible

if TYPE_CHECKING:  # the window calls this module; this one only names its type
    from veru_desk.ui.shell.main_window import MainWindow

log = logging.getLogger(__name__)

MINUTE_MS = 60_000

# What counts as someone at the keyboard. Paint, timer and focus events do not: a window
# repainting itself or a background task finishing must not keep the app unlocked.
_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)


class IdleWatcher(QObject):
    """Emits ``idle`` after ``timeout_ms`` without user input anywhere in the application.

    An event filter on the QApplication sees every event before its widget does; it only
    restarts a timer and never swallows anything.
    """

    idle = Signal()

    def __init__(self, app: QApplication, timeout_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self._paused = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(max(1, timeout_ms))
        self._timer.timeout.connect(self.idle)
        app.installEventFilter(self)
        self._timer.start()
        self.controller: LockController | None = None

    @property
    def timeout_ms(self) -> int:
        return self._timer.interval()

    def set_timeout_ms(self, timeout_ms: int) -> None:
        self._timer.setInterval(max(1, timeout_ms))
        if not self._paused:
            self._timer.start()

    def pause(self) -> None:
        """While locked: the lock dialog's own typing must not count as activity."""
        self._paused = True
        self._timer.stop()

    def resume(self) -> None:
        self._paused = False
        self._timer.start()

    @property
    def paused(self) -> bool:
        return self._paused

    def uninstall(self) -> None:
        self._timer.stop()
        self._app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self._paused and event.type() in _INPUT_EVENTS:
            self._timer.start()
        return False


class Curtain(QWidget):
    """An opaque cover over a window's contents, following its size."""

    def __init__(self, covered: QWidget) -> None:
        super().__init__(covered)
        self.setObjectName("lockCurtain")
        self.setAutoFillBackground(True)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setAccessibleName("VERU Desk is locked")
        layout = QVBoxLayout(self)
        label = QLabel("VERU Desk is locked")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(label)
        self.setGeometry(covered.rect())
        covered.installEventFilter(self)
        self.show()
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and isinstance(watched, QWidget):
            self.setGeometry(watched.rect())
        elif event.type() == QEvent.Type.ChildAdded:
            self.raise_()
        return False

    def lift(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            parent.removeEventFilter(self)
        self.hide()
        self.deleteLater()


class LockDialog(QDialog):
    """Asks for a password over the locked app; Esc and the close button do nothing."""

    def __init__(self, actor: Actor, unsaved: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("VERU Desk is locked")
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        title = QLabel("VERU Desk is locked")
        title.setObjectName("pageTitle")
        layout.addWidget(title)
        who = QLabel(
            f"{actor.display_name} is signed in. Enter your password to carry on where you "
            "left off."
        )
        who.setWordWrap(True)
        layout.addWidget(who)
        other = QLabel(
            "Someone else can sign in here instead: "
            + (
                f"{actor.display_name}'s unsaved work ({', '.join(unsaved)}) will then be "
                "lost, and their session ended."
                if unsaved
                else f"{actor.display_name}'s session will then be ended."
            )
        )
        other.setObjectName("hint")
        other.setWordWrap(True)
        layout.addWidget(other)
        self.credentials = Credentials(actor.username)
        self.credentials.add_to(layout)
        self.username = self.credentials.username
        self.password = self.credentials.password
        self.message = self.credentials.message
        buttons = QDialogButtonBox()
        self.unlock_button = QPushButton("Unlock")
        self.unlock_button.setObjectName("primary")
        self.unlock_button.setDefault(True)
        buttons.addButton(self.unlock_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.quit_button = buttons.addButton(
            "Quit VERU Desk", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 30)
        keep_contents_visible(self)
        self.password.setFocus()

    def problem(self, text: str) -> None:
        self.credentials.show_problem(text)
        grow_to_fit(self)
        self.password.clear()
        self.password.setFocus()

    def reject(self) -> None:
        """Esc must not unlock."""

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()


WindowFactory = Callable[[Services], "MainWindow"]


class LockController(QObject):
    """Locks and unlocks one main window, and hands the app to another user.

    ``window`` changes when another user signs in at the lock screen (``session_changed``
    carries the new window), so keep the controller, not the first window.
    """

    locked_changed = Signal(bool)
    session_changed = Signal(object)  # the new MainWindow

    def __init__(
        self,
        window: MainWindow,
        services: Services,
        *,
        watcher: IdleWatcher | None = None,
        window_factory: WindowFactory | None = None,
    ) -> None:
        super().__init__()
        self.window = window
        self.services = services
        self.watcher = watcher
        self._factory = window_factory
        self.dialog: LockDialog | None = None
        self._curtains: list[Curtain] = []
        self._focus: QWidget | None = None
        self._central_was_visible = True
        self._attach(window)
        if watcher is not None:
            watcher.idle.connect(self.lock)

    @property
    def locked(self) -> bool:
        return self.dialog is not None

    def _attach(self, window: MainWindow) -> None:
        window.lock_controller = self  # type: ignore[attr-defined]  # lock_window() finds it there

    # --- locking ---------------------------------------------------------------------------

    def lock(self) -> None:
        if self.locked or not shiboken6.isValid(self.window):
            return
        if self.watcher is not None:
            self.watcher.pause()
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        popup = app.activePopupWidget()
        while popup is not None:  # an open menu or completer list would float above
            popup.close()
            popup = app.activePopupWidget()
        self._focus = app.focusWidget()
        central = self.window.centralWidget()
        self._central_was_visible = central is not None and central.isVisible()
        if central is not None:
            central.setVisible(False)
        self._curtains = [Curtain(self.window)]
        self._curtains += [Curtain(dialog) for dialog in self._other_windows()]
        self.dialog = LockDialog(self.services.actor, self._unsaved_work(), self.window)
        self.dialog.unlock_button.clicked.connect(self._try_unlock)
        self.dialog.password.returnPressed.connect(self._try_unlock)
        self.dialog.quit_button.clicked.connect(self.quit)
        self.dialog.open()
        self.locked_changed.emit(True)
        log.info("locked for %s", self.services.actor.username)

    def _other_windows(self) -> list[QWidget]:
        """Visible top-level windows besides the main one (dialogs, progress, messages)."""
        return [
            widget
            for widget in QApplication.topLevelWidgets()
            if widget.isVisible()
            and widget is not self.window
            and not isinstance(widget, LockDialog)
            and widget.isWindow()
            and widget.windowType() != Qt.WindowType.Popup
        ]

    def _unsaved_work(self) -> list[str]:
        titles = list(self.window.unsaved_cases())
        for widget in self._other_windows():
            check = getattr(widget, "has_unsaved_changes", None)
            if callable(check) and check():
                titles.append(widget.windowTitle())
        return titles

    # --- unlocking -------------------------------------------------------------------------

    def _try_unlock(self) -> None:
        dialog = self.dialog
        if dialog is None:
            return
        username = dialog.username.text().strip().lower()
        if not username:
            dialog.problem("Enter a username.")
            return
        current = self.services.actor
        password = dialog.password.text()
        db: Database | None = None
        try:
            if username == current.username:
                actor = sign_in(self.services.db, username, password)
            else:
                # Another person: the database opened as them (their key slot, their server
                # login), never their work done on the first person's connection.
                from veru_desk.services.vault import open_for_another

                db, actor = open_for_another(self.services.db, current, username, password)
        except SignInError as error:
            dialog.problem(str(error))
            return
        except VeruError as error:
            dialog.problem(error_text(error))
            return
        except Exception as error:  # a server out of reach, a key file unreadable...
            from veru_desk.services.base import explain  # the UI asks the services

            log.warning("sign-in at the lock screen failed", exc_info=True)
            dialog.problem(error_text(explain(error) or error))
            return
        if db is None and actor.user_id == current.user_id:
            self.unlock()
        else:
            self.switch_user(actor, db)

    def unlock(self) -> None:
        """Back to work for the same user: curtains lifted, everything as it was."""
        if self.dialog is None:
            return
        self._lift()
        central = self.window.centralWidget()
        if central is not None and self._central_was_visible:
            central.setVisible(True)
        if self._focus is not None:
            self._focus.setFocus(Qt.FocusReason.OtherFocusReason)
        self._focus = None
        if self.watcher is not None:
            self.watcher.resume()
        self.locked_changed.emit(False)

    def _lift(self) -> None:
        for curtain in self._curtains:
            curtain.lift()
        self._curtains = []
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            QDialog.done(dialog, QDialog.DialogCode.Accepted)
            dialog.deleteLater()

    def switch_user(self, actor: Actor, db: Database | None = None) -> MainWindow:
        """Ends the first user's session without saving and opens the app for ``actor`` on
        ``db``, the database opened as them (``vault.open_for_another``). The first user's
        database, services and window are thrown away, caches and open cases with them."""
        old_window, old_actor, old_db = self.window, self.services.actor, self.services.db
        new_db = db if db is not None else old_db
        self._end_session(
            f"Session ended at the lock screen: {actor.username} signed in",
            # On a file, one connection is as good as another (and the old one may hold a key
            # this sign-in just changed); on a server, the first user's own login says it.
            record_with=new_db if new_db.location.path is not None else old_db,
        )
        self._lift()
        self.services = Services(new_db, actor)
        if new_db is not old_db:
            old_db.dispose()
        old_window.save_settings()
        new_window = (
            self._factory(self.services)
            if self._factory is not None
            else old_window.successor(self.services)
        )
        self.window = new_window
        self._attach(new_window)
        new_window.show()
        new_window.raise_()
        new_window.activateWindow()
        new_window.after_sign_in()  # their sign-in is complete and audited: their reminders
        old_window.close()
        old_window.deleteLater()
        unsettle_heap()  # the first user's session, frozen at its sign-in, must be freed
        self._focus = None
        if self.watcher is not None:
            self.watcher.resume()
        log.info("%s took over from %s at the lock screen", actor.username, old_actor.username)
        self.locked_changed.emit(False)
        self.session_changed.emit(new_window)
        return new_window

    def _end_session(self, summary: str, record_with: Database | None = None) -> None:
        """Closes the signed-in user's dialogs and cases without saving or asking."""
        for widget in self._other_windows():
            if isinstance(widget, QDialog):
                QDialog.done(widget, QDialog.DialogCode.Rejected)  # not reject(): it may ask
            else:
                widget.close()
        for person_id in self.window.open_case_ids():
            self.window.close_case(person_id, ask=False)
        try:
            sign_out(record_with or self.services.db, self.services.actor, summary)
        except Exception:  # the session still ends; the log says the trail missed it
            log.exception("could not record the end of %s's session", self.services.actor)

    def end_refused_session(self, message: str) -> None:
        """The signed-in account was disabled: its open work is closed without saving (it may
        no longer save anything), the end of its session is recorded, and the lock screen
        says why. Its password no longer signs in; someone else's does."""
        if self.dialog is None:
            self._end_session("Session ended: the account was disabled by an administrator")
            self.lock()
        if self.dialog is not None:
            self.dialog.problem(message)

    def quit(self) -> None:
        """Quit from the lock screen: nobody proved who they are, so nothing is saved."""
        self._end_session("Quit at the lock screen; unsaved work discarded")
        self._lift()
        if self.watcher is not None:
            self.watcher.uninstall()
        self.window.close()
        app = QApplication.instance()
        if app is not None:
            app.quit()


def install_auto_lock(
    app: QApplication,
    window: MainWindow,
    services: Services,
    *,
    timeout_ms: int | None = None,
    window_factory: WindowFactory | None = None,
) -> IdleWatcher:
    """Locks ``window`` after the organisation's ``lock_after_minutes`` without input.

    ``timeout_ms`` overrides the setting (tests); ``window_factory`` builds the window for a
    user who signs in at the lock screen (default: the same kind of window, same settings).
    The returned watcher's ``controller`` follows the current window.
    """
    if timeout_ms is None:
        try:
            timeout_ms = services.settings.lock_after_minutes() * MINUTE_MS
        except VeruError:
            log.warning("lock setting unreadable; using the default", exc_info=True)
            from veru_desk.services.settings import DEFAULT_LOCK_MINUTES

            timeout_ms = DEFAULT_LOCK_MINUTES * MINUTE_MS
    watcher = IdleWatcher(app, timeout_ms, app)
    watcher.controller = LockController(
        window, services, watcher=watcher, window_factory=window_factory
    )
    return watcher


def lock_window(window: MainWindow) -> LockController:
    """Locks now (File > Lock, Ctrl+L), with the auto-lock's controller when there is one."""
    controller = getattr(window, "lock_controller", None)
    if not isinstance(controller, LockController):
        controller = LockController(window, window.services)
    controller.lock()
    return controller


def end_refused_session(window: MainWindow, message: str) -> LockController:
    """Ends ``window``'s session because its account was disabled (see ``MainWindow``)."""
    controller = getattr(window, "lock_controller", None)
    if not isinstance(controller, LockController):
        controller = LockController(window, window.services)
    controller.end_refused_session(message)
    return controller
