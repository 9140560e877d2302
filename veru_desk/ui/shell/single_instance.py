"""One copy of the desktop app per user and database.

Two copies on one database race on the same key file and audit head, and a caseworker who
double-clicks the icon twice on a slow office PC gets two windows that each think they are
the only one. The first copy listens on a local socket (a named pipe on Windows) whose name
comes from the user and the database; a second copy finds it, asks it to bring its window
forward, and exits (qutebrowser ``misc/ipc.py``, Vorta ``qt_single_application.py``).

Another user on the same PC, or the same user on another database, gets a name of their own.
"""

from __future__ import annotations

import getpass
import hashlib
import logging
import os

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication, QWidget

from veru_desk.config import DatabaseLocation, hide_password

log = logging.getLogger(__name__)

# How long a starting copy waits for a running one to answer: a copy that is busy (an import
# on the GUI thread of an older release) still accepts within this; a name left by a copy
# that crashed refuses at once.
CONNECT_TIMEOUT_MS = 1000
_COME_FORWARD = b"come forward\n"


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in the environment (a service account): one bucket
        return "unknown"


def server_name(location: DatabaseLocation, user: str | None = None) -> str:
    """The socket's name for this user and database: short (a Unix socket's path has a limit
    of about 100 characters) and naming neither, since other users can list the names.

    The path is compared as the system compares it: on Windows ``C:\\VERU\\Cases.db`` and
    ``c:\\veru\\cases.db`` are one file, so one name (``os.path.normcase``).
    """
    if location.path is not None:
        where = os.path.normcase(os.path.abspath(location.path))
    else:
        where = hide_password(location.url)  # the same server whatever the password
    who = (user if user is not None else _user()).lower()
    digest = hashlib.sha256(f"{who}\0{where}".encode()).hexdigest()[:24]
    return f"veru-desk-{digest}"


def bring_forward() -> None:
    """The running copy's window (or the dialog in front of it: sign-in, lock screen) shown,
    raised and given the focus, restored if it was minimised."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    front: QWidget | None = app.activeModalWidget()
    if front is None:
        shown = [w for w in app.topLevelWidgets() if w.isVisible() or w.isMinimized()]
        front = shown[0] if shown else None
    if front is None:
        return
    if front.isMinimized():
        front.setWindowState(front.windowState() & ~Qt.WindowState.WindowMinimized)
    front.show()
    front.raise_()
    front.activateWindow()


class SingleInstance(QObject):
    """The guard: ``claim()`` once at start; keep the object for as long as the app runs."""

    came_forward = Signal()  # another copy was started on this database and told to stop

    def __init__(
        self,
        location: DatabaseLocation,
        *,
        user: str | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.name = server_name(location, user)
        self._server: QLocalServer | None = None

    def claim(self) -> bool:
        """True for the first copy (it now listens); False when a copy is already running,
        which has been asked to bring its window forward: this one should then exit."""
        if self._ask_running_copy():
            return False
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            # A name left behind by a copy that crashed (a socket file, on Linux and macOS):
            # nobody answered on it, so it is taken over.
            QLocalServer.removeServer(self.name)
            if not server.listen(self.name):
                # Never a reason not to start: the app works without the guard.
                log.warning("single-instance guard not listening: %s", server.errorString())
                server.deleteLater()
                return True
        server.newConnection.connect(self._answer)
        self._server = server
        return True

    def release(self) -> None:
        """Stops listening (at exit, and in tests)."""
        if self._server is not None:
            self._server.close()
            self._server.deleteLater()
            self._server = None

    def _ask_running_copy(self) -> bool:
        socket = QLocalSocket(self)
        try:
            socket.connectToServer(self.name)
            if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
                return False
            socket.write(_COME_FORWARD)
            socket.flush()
            socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
            socket.disconnectFromServer()
            return True
        finally:
            socket.abort()
            socket.deleteLater()

    def _answer(self) -> None:
        server = self._server
        if server is None:
            return
        while server.hasPendingConnections():
            connection = server.nextPendingConnection()
            connection.readyRead.connect(lambda c=connection: self._read(c))
            connection.disconnected.connect(connection.deleteLater)
            if connection.bytesAvailable():
                self._read(connection)

    def _read(self, connection: QLocalSocket) -> None:
        while connection.canReadLine():
            if bytes(connection.readLine().data()) == _COME_FORWARD:
                log.info("another copy was started on this database: bringing this one forward")
                bring_forward()
                self.came_forward.emit()


def claim_single_instance(location: DatabaseLocation) -> SingleInstance | None:
    """The guard for this database, or None when a copy is already running on it (it has
    been brought forward, and this copy should exit)."""
    guard = SingleInstance(location)
    return guard if guard.claim() else None
