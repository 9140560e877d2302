"""One copy of the desktop app per user and database.

Two copies on one database race on the same key file and audit head, and a caseworker who
double-clicks the icon twice on a slow office PC gets two windows that each think they are
the only one. The first copy listens on a local socket (a named pipe on Windows) whose name
comes from the user and the database; a second copy finds it, asks it to bring its window
forward, and exits (qutebrowser ``misc/ipc.py``, Vorta ``qt_single_application.py``).

Another user on the same PC, or the same user on another database, gets a name of their own.

On Linux and macOS the socket is the standard library's Unix socket, at the path Qt's
``QLocalServer`` used for the same name (so a copy of an earlier release and this one still
find each other), watched by a ``QSocketNotifier``. QtNetwork, which would do the same, cost
every start 9 ms and 3.4 MiB (its libraries and the Kerberos stack under them) and the Linux
bundle 3.4 MB. On Windows the named pipe stays with ``QLocalServer``: Python's standard
library has no public named-pipe server.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import logging
import os
import socket
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSocketNotifier, Qt, Signal
from PySide6.QtWidgets import QApplication, QWidget

from veru_desk.config import DatabaseLocation, hide_password

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

# How long a starting copy waits for a running one to answer: a copy that is busy (an import
# on the GUI thread of an older release) still accepts within this; a name left by a copy
# that crashed refuses at once.
CONNECT_TIMEOUT_MS = 1000
_COME_FORWARD = b"come forward\n"
_LONGEST_MESSAGE = 64  # anything longer on the socket is not a copy of VERU Desk


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


def socket_path(name: str) -> str:
    """Where ``QLocalServer`` put ``name`` on Linux and macOS (``QDir::tempPath()``: $TMPDIR,
    else /tmp), so copies of earlier releases, which listened there, are found."""
    return os.path.join(os.environ.get("TMPDIR") or "/tmp", name)


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
        self._listener: _UnixListener | _PipeListener | None = None

    def claim(self) -> bool:
        """True for the first copy (it now listens); False when a copy is already running,
        which has been asked to bring its window forward: this one should then exit."""
        kind = _PipeListener if sys.platform == "win32" else _UnixListener
        if kind.ask_running_copy(self.name):
            return False
        listener = kind(self.name, self._heard, self)
        if listener.listen():
            self._listener = listener
        return True  # never a reason not to start: the app works without the guard

    def release(self) -> None:
        """Stops listening (at exit, and in tests)."""
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def _heard(self, message: bytes) -> None:
        if message == _COME_FORWARD:
            log.info("another copy was started on this database: bringing this one forward")
            bring_forward()
            self.came_forward.emit()


class _UnixListener(QObject):
    """The guard's Unix socket (Linux, macOS): accepted and read as the event loop finds them
    ready, so a client that connects and says nothing never blocks the window."""

    def __init__(self, name: str, heard: Callable[[bytes], None], parent: QObject) -> None:
        super().__init__(parent)
        self._path = socket_path(name)
        self._heard = heard
        self._server: socket.socket | None = None
        self._notifier: QSocketNotifier | None = None
        self._inode: int | None = None
        self._clients: dict[int, tuple[socket.socket, QSocketNotifier, bytearray]] = {}

    @staticmethod
    def ask_running_copy(name: str) -> bool:
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        client.settimeout(CONNECT_TIMEOUT_MS / 1000)
        try:
            client.connect(socket_path(name))
            client.sendall(_COME_FORWARD)
            return True
        except OSError:  # no socket there, or nobody listening on it (a crashed copy's)
            return False
        finally:
            client.close()

    def listen(self) -> bool:
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            try:
                server.bind(self._path)
            except OSError:
                # A name left behind by a copy that crashed: nobody answered on it, so it is
                # taken over.
                with contextlib.suppress(OSError):
                    os.unlink(self._path)
                server.bind(self._path)
            os.chmod(self._path, 0o600)  # only this user may connect (and so be obeyed)
            server.listen(8)
            server.setblocking(False)
            self._inode = os.stat(self._path).st_ino
        except OSError as error:
            server.close()
            log.warning("single-instance guard not listening on %s: %s", self._path, error)
            return False
        self._server = server
        self._notifier = QSocketNotifier(server.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(lambda *_signal: self._accept())
        return True

    def close(self) -> None:
        for fd in list(self._clients):
            self._drop(fd)
        if self._server is None:
            return
        if self._notifier is not None:  # before the descriptor closes and may be reused
            self._notifier.setEnabled(False)
        self._server.close()
        self._server = None
        # Only this copy's own socket: another copy may have taken the name over since.
        with contextlib.suppress(OSError):
            if os.stat(self._path).st_ino == self._inode:
                os.unlink(self._path)
        self.deleteLater()

    def _accept(self) -> None:
        while self._server is not None:
            try:
                connection, _address = self._server.accept()
            except OSError:  # nothing more waiting (BlockingIOError), or the socket closed
                return
            connection.setblocking(False)
            notifier = QSocketNotifier(connection.fileno(), QSocketNotifier.Type.Read, self)
            fd = connection.fileno()
            self._clients[fd] = (connection, notifier, bytearray())
            notifier.activated.connect(lambda *_signal, fd=fd: self._read(fd))

    def _read(self, fd: int) -> None:
        connection, _notifier, buffer = self._clients[fd]
        try:
            chunk = connection.recv(_LONGEST_MESSAGE)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        buffer += chunk
        if b"\n" in buffer:
            self._heard(bytes(buffer[: buffer.index(b"\n") + 1]))
        if not chunk or b"\n" in buffer or len(buffer) >= _LONGEST_MESSAGE:
            self._drop(fd)

    def _drop(self, fd: int) -> None:
        connection, notifier, _buffer = self._clients.pop(fd)
        notifier.setEnabled(False)
        notifier.deleteLater()
        connection.close()


class _PipeListener(QObject):
    """The guard's named pipe (Windows), through QtNetwork's ``QLocalServer``."""

    def __init__(self, name: str, heard: Callable[[bytes], None], parent: QObject) -> None:
        super().__init__(parent)
        self._name = name
        self._heard = heard
        self._server: QLocalServer | None = None

    @staticmethod
    def ask_running_copy(name: str) -> bool:
        from PySide6.QtNetwork import QLocalSocket

        pipe = QLocalSocket()
        try:
            pipe.connectToServer(name)
            if not pipe.waitForConnected(CONNECT_TIMEOUT_MS):
                return False
            pipe.write(_COME_FORWARD)
            pipe.flush()
            pipe.waitForBytesWritten(CONNECT_TIMEOUT_MS)
            pipe.disconnectFromServer()
            return True
        finally:
            pipe.abort()
            pipe.deleteLater()

    def listen(self) -> bool:
        from PySide6.QtNetwork import QLocalServer

        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self._name):
            # A name left behind by a copy that crashed: nobody answered on it.
            QLocalServer.removeServer(self._name)
            if not server.listen(self._name):
                log.warning("single-instance guard not listening: %s", server.errorString())
                server.deleteLater()
                return False
        server.newConnection.connect(self._answer)
        self._server = server
        return True

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server.deleteLater()
            self._server = None
        self.deleteLater()

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
            self._heard(bytes(connection.readLine().data()))


def claim_single_instance(location: DatabaseLocation) -> SingleInstance | None:
    """The guard for this database, or None when a copy is already running on it (it has
    been brought forward, and this copy should exit)."""
    guard = SingleInstance(location)
    return guard if guard.claim() else None
