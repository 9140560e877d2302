"""The sessions calendar: a worker's week, and attendance recorded in two clicks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from ui_drivers import DialogDriver, MenuDriver, open_case_for, shown, type_into

from tests.dates import today
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import Attendance, SessionType
from veru_desk.services import Services
from veru_desk.services.mentoring import SessionInput
from veru_desk.ui.pages.calendar import (
    TODAY_COLOUR,
    SessionsCalendarPage,
    WeekModel,
    monday_of,
    usual_start,
)
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


# --- today, and booking from the calendar -------------------------------------------------


def test_today_is_marked_in_words_and_colour_and_no_other_day_is(
    qtbot: QtBot, dariusz_page: SessionsCalendarPage, as_manager: Services, team: Any
) -> None:
    lukasz = open_case_for(as_manager, team.dariusz.user_id)
    other_day = today() - dt.timedelta(days=1) if today().weekday() else today() + dt.timedelta(1)
    Services(as_manager.db, team.dariusz).sessions.book(
        lukasz, SessionInput(planned_start=at(other_day, 9))
    )
    page = dariusz_page
    page.go_to_week(today())
    model = page.model
    column = today().weekday()
    headings = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(7)]
    weekday = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[column]
    assert headings[column] == f"{weekday} {format_uk_date(today())[:5]}\nToday"
    assert [h for h in headings if "Today" in h] == [headings[column]]
    assert model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.FontRole).bold()
    assert "(today)" in model.headerData(
        column, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole
    )
    # Today's empty slot is tinted; another day's empty slot is not.
    assert model.rowCount() == 1
    tint = model.index(0, column).data(Qt.ItemDataRole.BackgroundRole)
    assert tint is not None and tint.name() == TODAY_COLOUR.name()
    elsewhere = next(c for c in range(7) if c not in (column, other_day.weekday()))
    assert model.index(0, elsewhere).data(Qt.ItemDataRole.BackgroundRole) is None


def test_book_session_chooses_one_of_my_open_cases_and_fills_in_the_day(
    qtbot: QtBot,
    dariusz_page: SessionsCalendarPage,
    week: dict[str, int],
    as_dariusz: Services,
    dialogs: DialogDriver,
) -> None:
    page = dariusz_page
    page.go_to_week(this_monday() + dt.timedelta(days=7))  # next week: books on its Monday
    monday = page.monday
    lukasz = as_dariusz.sessions.get(week["lukasz"]).person_id
    offered: list[str] = []

    def choose_lukasz(chooser: Any) -> None:
        offered.extend(chooser.list.item(i).text() for i in range(chooser.list.count()))
        assert chooser.windowTitle() == "Book a session"
        type_into(qtbot, chooser.filter, "łuk")
        visible = [
            chooser.list.item(i).text()
            for i in range(chooser.list.count())
            if not chooser.list.item(i).isHidden()
        ]
        assert len(visible) == 1 and visible[0].startswith("Łukasz Wiśniewski (Łuki) · VERU-")
        qtbot.mouseClick(chooser.next_button, Qt.MouseButton.LeftButton)

    def save_the_session(form: Any) -> None:
        assert form.windowTitle() == "Book a session"
        assert form.date_field.text() == format_uk_date(monday)
        assert form.time_field.text() == "16:00"
        form.location.setText("Marsh Farm youth centre")
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)

    dialogs.then(choose_lukasz).then(save_the_session)
    qtbot.mouseClick(page.book_button, Qt.MouseButton.LeftButton)

    # Only Dariusz's two open cases are offered, not Aisha's Abdirahman.
    assert len(offered) == 2 and not any("Abdirahman" in text for text in offered)
    booked = [s for s in as_dariusz.sessions.for_person(lukasz) if s.planned_start.date() == monday]
    assert [(s.planned_start.time(), s.location) for s in booked] == [
        (dt.time(16, 0), "Marsh Farm youth centre")
    ]
    # The calendar shows it at once.
    assert page.model.index(0, 0).data().startswith("16:00–17:00\nŁukasz Wiśniewski")


def test_double_clicking_an_empty_slot_books_on_its_day(
    qtbot: QtBot, dariusz_page: SessionsCalendarPage, week: dict[str, int], dialogs: DialogDriver
) -> None:
    page = dariusz_page
    page.go_to_week(last_monday())
    asked: list[str] = []

    def cancel(chooser: Any) -> None:
        asked.append(chooser.findChild(QLabel).text())
        chooser.reject()

    dialogs.then(cancel)
    index = page.model.index(1, 4)  # Friday: nothing on Dariusz's calendar
    assert page.model.session_at(index) is None
    rect = page.view.visualRect(index)
    # A double-click is a press, a release, then the double-click, as a mouse sends it.
    qtbot.mouseClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    friday = last_monday() + dt.timedelta(days=4)
    assert asked == [f"Book a session on Friday {format_uk_date(friday)}: for which young person?"]


def test_a_session_booked_for_today_after_four_starts_at_the_next_hour() -> None:
    day = dt.date(2026, 3, 12)
    assert usual_start(day, dt.datetime(2026, 3, 11, 18, 5)) == dt.datetime(2026, 3, 12, 16)
    assert usual_start(day, dt.datetime(2026, 3, 12, 9, 30)) == dt.datetime(2026, 3, 12, 16)
    assert usual_start(day, dt.datetime(2026, 3, 12, 17, 20)) == dt.datetime(2026, 3, 12, 18)
    assert usual_start(day, dt.datetime(2026, 3, 12, 23, 40)) == dt.datetime(2026, 3, 12, 23)
