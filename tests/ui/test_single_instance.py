"""A second copy of the app on the same database, simulated by a second guard in this process:
it is told a copy is running (so it exits), and the running copy's window comes forward."""

from __future__ import annotations

import os
import socket
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from veru_desk.config import resolve_database
from veru_desk.ui.shell.single_instance import SingleInstance, server_name, socket_path


@pytest.fixture
def guards() -> Iterator[list[SingleInstance]]:
    made: list[SingleInstance] = []
    yield made
    for guard in made:
        guard.release()


def _guard(guards: list[SingleInstance], database: Path, user: str) -> SingleInstance:
    guard = SingleInstance(resolve_database(str(database)), user=user)
    guards.append(guard)
    return guard


def test_a_second_copy_on_the_same_database_brings_the_first_forward_and_stops(
    qtbot: QtBot, tmp_path: Path, guards: list[SingleInstance]
) -> None:
    window = QLabel("VERU Desk: Zoë Ó Briain's caseload")
    qtbot.addWidget(window)
    window.show()
    window.setWindowState(Qt.WindowState.WindowMinimized)
    database = tmp_path / "Ngozi's office" / "veru.db"
    first = _guard(guards, database, "ngozi")
    assert first.claim()
    second = _guard(guards, database, "ngozi")
    with qtbot.waitSignal(first.came_forward, timeout=5000):
        assert not second.claim()
    assert not window.isMinimized() and window.isVisible()


def test_another_database_or_another_user_runs_its_own_copy(
    tmp_path: Path, guards: list[SingleInstance]
) -> None:
    database = tmp_path / "veru.db"
    assert _guard(guards, database, "ngozi").claim()
    assert _guard(guards, tmp_path / "training.db", "ngozi").claim()
    assert _guard(guards, database, "dariusz").claim()


def test_a_copy_that_has_closed_leaves_the_database_free(
    tmp_path: Path, guards: list[SingleInstance]
) -> None:
    database = tmp_path / "veru.db"
    first = _guard(guards, database, "tomasz")
    assert first.claim()
    first.release()
    assert _guard(guards, database, "tomasz").claim()


def test_the_name_is_the_same_for_one_file_however_it_is_spelled(tmp_path: Path) -> None:
    """``--database veru.db`` from the folder and the full path are one database; on Windows
    so are two spellings differing in case only."""
    (tmp_path / "sub").mkdir()
    plain = resolve_database(str(tmp_path / "veru.db"))
    roundabout = resolve_database(str(tmp_path / "sub" / ".." / "veru.db"))
    assert server_name(plain, "siobhan") == server_name(roundabout, "siobhan")
    assert server_name(plain, "siobhan") != server_name(plain, "zoe")
    name = server_name(plain, "siobhan")
    assert len(name) < 40 and "siobhan" not in name and "veru.db" not in name
    if sys.platform == "win32":
        upper = resolve_database(str(tmp_path / "VERU.DB"))
        assert server_name(upper, "siobhan") == name


unix_only = pytest.mark.skipif(sys.platform == "win32", reason="the Unix socket guard")


@unix_only
def test_a_copy_of_an_earlier_release_and_this_one_find_each_other(
    qtbot: QtBot, tmp_path: Path, guards: list[SingleInstance]
) -> None:
    """Earlier releases listened and asked with QtNetwork's QLocalServer and QLocalSocket: a
    copy of one still running when this release starts (or the other way round) is found."""
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

    database = resolve_database(str(tmp_path / "veru.db"))
    name = server_name(database, "amara")
    earlier = QLocalServer()
    earlier.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
    assert earlier.listen(name)
    try:
        assert earlier.fullServerName() == socket_path(name)
        assert not _guard(guards, tmp_path / "veru.db", "amara").claim()
        assert earlier.waitForNewConnection(5000)
        heard = earlier.nextPendingConnection()
        qtbot.waitUntil(lambda: heard.canReadLine(), timeout=5000)
        assert bytes(heard.readLine().data()) == b"come forward\n"
    finally:
        earlier.close()

    running = _guard(guards, tmp_path / "veru.db", "amara")
    assert running.claim()
    asking = QLocalSocket()
    with qtbot.waitSignal(running.came_forward, timeout=5000):
        asking.connectToServer(name)
        assert asking.waitForConnected(5000)
        asking.write(b"come forward\n")
        asking.flush()
    asking.abort()


@unix_only
def test_the_socket_is_its_users_alone_and_goes_when_the_copy_closes(
    tmp_path: Path, guards: list[SingleInstance]
) -> None:
    guard = _guard(guards, tmp_path / "veru.db", "dariusz")
    assert guard.claim()
    path = Path(socket_path(guard.name))
    assert path.is_socket() and stat.S_IMODE(path.stat().st_mode) == 0o600
    guard.release()
    assert not path.exists()


@unix_only
def test_a_crashed_copys_socket_is_taken_over_and_not_removed_by_a_copy_it_replaced(
    qtbot: QtBot, tmp_path: Path, guards: list[SingleInstance]
) -> None:
    """A copy that crashed leaves its socket file with nobody listening: the next start takes
    the name. A copy whose name was taken over must not remove the new owner's socket."""
    database = resolve_database(str(tmp_path / "veru.db"))
    path = socket_path(server_name(database, "wiktoria"))
    crashed = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    crashed.bind(path)
    crashed.close()  # the file stays, as after a crash
    first = _guard(guards, tmp_path / "veru.db", "wiktoria")
    assert first.claim()
    os.unlink(path)  # someone cleared /tmp; a second copy then starts and takes the name
    second = _guard(guards, tmp_path / "veru.db", "wiktoria")
    assert second.claim()
    first.release()
    assert Path(path).is_socket()
    with qtbot.waitSignal(second.came_forward, timeout=5000):
        assert not _guard(guards, tmp_path / "veru.db", "wiktoria").claim()


@unix_only
def test_a_client_that_says_nothing_blocks_neither_the_window_nor_the_next_copy(
    qtbot: QtBot, tmp_path: Path, guards: list[SingleInstance]
) -> None:
    running = _guard(guards, tmp_path / "veru.db", "oluwaseun")
    assert running.claim()
    silent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    silent.connect(socket_path(running.name))
    noisy = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    noisy.connect(socket_path(running.name))
    noisy.sendall(b"x" * 200)  # not a copy of VERU Desk: dropped unheard
    try:
        with qtbot.waitSignal(running.came_forward, timeout=5000):
            assert not _guard(guards, tmp_path / "veru.db", "oluwaseun").claim()
    finally:
        silent.close()
        noisy.close()
