"""A one-click change from a list (attendance in two clicks) made after a colleague changed
the same session: refused without overwriting, told truthfully, and the list refreshed so the
next click is made on what is saved now, not refused again and again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSignalBlocker, Qt
from pytestqt.qtbot import QtBot
from test_case_workspace import cells, past, show_tab, workspace
from ui_drivers import DialogDriver, MenuDriver

from veru_desk.config import resolve_database
from veru_desk.db.engine import Database
from veru_desk.domain.enums import Attendance
from veru_desk.services import Services
from veru_desk.services.mentoring import SessionInput
from veru_desk.ui.shell.events import data_events


@pytest.fixture
def priya_elsewhere(db_path: Path, team: object) -> Iterator[Services]:
    other = Database.open(resolve_database(str(db_path)))
    yield Services(other, team.manager)  # type: ignore[attr-defined]
    other.dispose()


def test_attendance_clicked_on_a_stale_list_is_refused_truthfully_and_the_list_refreshes(
    qtbot: QtBot,
    as_dariusz: Services,
    priya_elsewhere: Services,
    lukasz_case: int,
    menus: MenuDriver,
    dialogs: DialogDriver,
) -> None:
    session_id = as_dariusz.sessions.book(lukasz_case, SessionInput(planned_start=past(1)))
    ws = workspace(qtbot, as_dariusz, lukasz_case)
    show_tab(ws, ws.sessions_tab)
    ws.sessions_tab.table.selectRow(0)
    with QSignalBlocker(data_events()):  # on her PC: this window does not hear of it
        priya_elsewhere.sessions.record_attendance(session_id, Attendance.CANCELLED_BY_YOUNG_PERSON)

    menus.choose("Attended")
    qtbot.mouseClick(ws.sessions_tab.attendance_button, Qt.MouseButton.LeftButton)

    [message] = dialogs.messages
    assert message.startswith("Not saved: Priya Raghunathan changed this at ")
    assert "kept" not in message  # nothing of a form is kept: there was no form
    assert as_dariusz.sessions.get(session_id).attendance is Attendance.CANCELLED_BY_YOUNG_PERSON
    assert cells(ws.sessions_tab.table, 5) == [Attendance.CANCELLED_BY_YOUNG_PERSON.label]

    ws.sessions_tab.table.selectRow(0)
    menus.choose("Attended")
    qtbot.mouseClick(ws.sessions_tab.attendance_button, Qt.MouseButton.LeftButton)
    assert as_dariusz.sessions.get(session_id).attendance is Attendance.ATTENDED
