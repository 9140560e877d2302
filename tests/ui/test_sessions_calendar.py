"""The sessions calendar: a worker's week, and attendance recorded in two clicks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QSignalBlocker, Qt
from pytestqt.qtbot import QtBot
from ui_drivers import DialogDriver, MenuDriver, open_case_for, shown

from tests.dates import today
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import Attendance, SessionType
from veru_desk.services import Services
from veru_desk.services.mentoring import SessionInput
from veru_desk.ui.pages.calendar import SessionsCalendarPage, WeekModel, monday_of
from veru_desk.ui.shell.events import data_events


def this_monday() -> dt.date:
    """The Monday of the current week, asked at each use (see tests/dates.py)."""
    return monday_of(today())


def last_monday() -> dt.date:
    return this_monday() - dt.timedelta(days=7)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


def click_cell(qtbot: QtBot, page: SessionsCalendarPage, row: int, column: int) -> None:
    index = page.model.index(row, column)
    rect = page.view.visualRect(index)
    assert rect.isValid(), (row, column)
    qtbot.mouseClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


@pytest.fixture
def week(as_manager: Services, as_dariusz: Services, team: Any) -> dict[str, int]:
    """Last week: Łukasz on Wednesday at 16:00 (Dariusz), Ayşe on Wednesday at 10:00 and
    Tuesday (Dariusz), Abdirahman on Friday (Aisha)."""
    dariusz, aisha = team.dariusz.user_id, team.aisha.user_id
    lukasz = open_case_for(as_manager, dariusz)
    ayse = open_case_for(as_manager, dariusz, first_name="Ayşe", last_name="Yılmaz")
    abdi = open_case_for(as_manager, aisha, first_name="Abdirahman", last_name="Warsame")
    as_aisha = Services(as_manager.db, team.aisha)
    wednesday = last_monday() + dt.timedelta(days=2)
    return {
        "lukasz": as_dariusz.sessions.book(
            lukasz,
            SessionInput(
                planned_start=at(wednesday, 16),
                session_type=SessionType.ONE_TO_ONE,
                location="Marsh Farm youth centre",
            ),
        ),
        "ayse_wed": as_dariusz.sessions.book(
            ayse, SessionInput(planned_start=at(wednesday, 10), session_type=SessionType.FAMILY)
        ),
        "ayse_tue": as_dariusz.sessions.book(
            ayse, SessionInput(planned_start=at(wednesday - dt.timedelta(days=1), 15))
        ),
        "abdi": as_aisha.sessions.book(
            abdi, SessionInput(planned_start=at(wednesday + dt.timedelta(days=2), 11))
        ),
    }


@pytest.fixture
def dariusz_page(qtbot: QtBot, as_dariusz: Services) -> Iterator[SessionsCalendarPage]:
    page = shown(qtbot, SessionsCalendarPage(as_dariusz))
    page.resize(1200, 700)
    yield page


def test_week_view_puts_each_session_under_its_day_in_time_order(
    qtbot: QtBot, dariusz_page: SessionsCalendarPage, week: dict[str, int]
) -> None:
    page = dariusz_page
    click = qtbot.mouseClick
    click(page.previous_button, Qt.MouseButton.LeftButton)

    assert page.monday == last_monday()
    assert page.week_label.text().startswith(f"Monday {format_uk_date(last_monday())}")
    model = page.model
    header = model.headerData(2, Qt.Orientation.Horizontal)
    assert header == f"Wed {format_uk_date(last_monday() + dt.timedelta(days=2))[:5]}"
    wednesday = [model.index(row, 2).data() for row in range(model.rowCount())]
    assert wednesday[0].startswith("10:00–11:00\nAyşe Yılmaz\nFamily")
    assert wednesday[1].splitlines() == [
        "16:00–17:00",
        "Łukasz Wiśniewski (Łuki)",
        "One-to-one · Marsh Farm youth centre",
        "Planned",
    ]
    assert model.index(0, 1).data().startswith("15:00")
    # Aisha's Friday session is not on Dariusz's calendar
    assert model.index(0, 4).data() is None
    assert page.summary.text() == "3 sessions this week: 3 planned"


def test_attendance_in_two_clicks_reaches_the_database_and_the_calendar(
    qtbot: QtBot,
    dariusz_page: SessionsCalendarPage,
    week: dict[str, int],
    as_dariusz: Services,
    menus: MenuDriver,
) -> None:
    page = dariusz_page
    page.go_to_week(last_monday())
    menus.choose("Attended")
    click_cell(qtbot, page, 1, 2)  # Łukasz, Wednesday 16:00

    assert as_dariusz.sessions.get(week["lukasz"]).attendance is Attendance.ATTENDED
    assert page.model.index(1, 2).data().endswith("\nAttended")
    assert page.model.index(1, 2).data(Qt.ItemDataRole.BackgroundRole).name() == "#e3f1e6"
    assert "Attended" in menus.shown[0] and "Open case: Łukasz Wiśniewski (Łuki)" in menus.shown[0]

    menus.choose("Did not attend")
    click_cell(qtbot, page, 0, 1)  # Ayşe, Tuesday
    assert as_dariusz.sessions.get(week["ayse_tue"]).attendance is Attendance.DID_NOT_ATTEND
    assert page.summary.text() == "3 sessions this week: 1 planned, 1 attended, 1 did not attend"


def test_a_future_session_offers_only_cancellations(
    qtbot: QtBot,
    dariusz_page: SessionsCalendarPage,
    as_manager: Services,
    as_dariusz: Services,
    team: Any,
    menus: MenuDriver,
) -> None:
    person = open_case_for(
        as_manager, team.dariusz.user_id, first_name="Nguyễn", last_name="Văn An"
    )
    next_monday = this_monday() + dt.timedelta(days=7)
    session_id = as_dariusz.sessions.book(person, SessionInput(planned_start=at(next_monday, 17)))
    page = dariusz_page
    qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)

    menu = page.menu_for(page.model.index(0, 0))
    assert menu is not None
    enabled = {a.text(): a.isEnabled() for a in menu.actions() if not a.isSeparator()}
    assert not enabled["Attended"] and not enabled["Did not attend"]
    assert enabled["Cancelled by service"]
    menus.choose("Cancelled by young person")
    click_cell(qtbot, page, 0, 0)
    assert as_dariusz.sessions.get(session_id).attendance is Attendance.CANCELLED_BY_YOUNG_PERSON


def test_open_case_from_the_menu_asks_the_window_to_open_it(
    qtbot: QtBot, dariusz_page: SessionsCalendarPage, week: dict[str, int], menus: MenuDriver
) -> None:
    page = dariusz_page
    page.go_to_week(last_monday())
    menus.choose("Open case: Ayşe Yılmaz")
    with qtbot.waitSignal(page.open_case) as opened:
        click_cell(qtbot, page, 0, 2)
    assert opened.args == [page.model.index(0, 2).data(Qt.ItemDataRole.UserRole + 1).person_id]


def test_manager_chooses_whose_week_to_see(
    qtbot: QtBot, as_manager: Services, week: dict[str, int]
) -> None:
    page = shown(qtbot, SessionsCalendarPage(as_manager))
    page.go_to_week(last_monday())
    assert page.worker.isVisible()
    assert len(page.model.sessions()) == 4  # the whole unit
    assert "Dariusz Wójcik" in page.model.index(0, 1).data()  # mentor shown for the unit

    page.worker.setCurrentIndex(page.worker.findText("Aisha Mohamed"))
    assert [s.person_name for s in page.model.sessions()] == ["Abdirahman Warsame"]


def test_caseworker_has_no_worker_chooser_and_this_week_comes_back(
    qtbot: QtBot, dariusz_page: SessionsCalendarPage
) -> None:
    page = dariusz_page
    assert not page.worker.isVisible()
    page.go_to_week(this_monday() + dt.timedelta(days=21))
    qtbot.mouseClick(page.this_week_button, Qt.MouseButton.LeftButton)
    assert page.monday == this_monday()
    assert page.week_label.text().endswith("(this week)")
    assert page.empty.isVisible()


def test_week_model_passes_the_model_tester(
    qtmodeltester: Any, as_dariusz: Services, week: dict[str, int]
) -> None:
    model = WeekModel()
    model.set_week(last_monday(), as_dariusz.sessions.week(last_monday()))
    assert (model.rowCount(), model.columnCount()) == (2, 7)
    assert model.index(1, 1).data() is None  # Tuesday has one session only
    qtmodeltester.check(model, force_py=True)


def test_attendance_clicked_on_a_stale_week_is_refused_and_the_week_shows_the_change(
    qtbot: QtBot,
    dariusz_page: SessionsCalendarPage,
    week: dict[str, int],
    as_dariusz: Services,
    as_manager: Services,
    menus: MenuDriver,
    dialogs: DialogDriver,
) -> None:
    page = dariusz_page
    page.go_to_week(last_monday())
    with QSignalBlocker(data_events()):  # on Priya's PC: this window does not hear of it
        as_manager.sessions.record_attendance(week["lukasz"], Attendance.CANCELLED_BY_SERVICE)

    menus.choose("Attended")
    click_cell(qtbot, page, 1, 2)  # Łukasz, Wednesday 16:00, as the stale week shows it

    [message] = dialogs.messages
    assert message.startswith("Not saved: Priya Raghunathan changed this at ")
    lukasz = as_dariusz.sessions.get(week["lukasz"])
    assert lukasz.attendance is Attendance.CANCELLED_BY_SERVICE
    assert page.model.index(1, 2).data().endswith(f"\n{Attendance.CANCELLED_BY_SERVICE.label}")
