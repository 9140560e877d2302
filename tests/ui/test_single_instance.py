"""A second copy of the app on the same database, simulated by a second guard in this process:
it is told a copy is running (so it exits), and the running copy's window comes forward."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from veru_desk.config import resolve_database
from veru_desk.ui.shell.single_instance import SingleInstance, server_name


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
