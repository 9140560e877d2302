"""The case's sessions: booked and held, one-offs and series, with attendance at a glance."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from veru_desk.domain.dates import format_time, format_uk_date, format_uk_datetime
from veru_desk.domain.enums import Attendance
from veru_desk.services import Services
from veru_desk.services.changes import Kind
from veru_desk.services.mentoring import AttendanceSummary, SessionView
from veru_desk.ui.case.overview import attendance_text
from veru_desk.ui.case.tab import CaseTab, button_row
from veru_desk.ui.dialogs.mentoring_session import (
    MoveSessionDialog,
    SessionDialog,
    SessionMenu,
    attendance_menu,
)
from veru_desk.ui.dialogs.series import SeriesDialog
from veru_desk.ui.widgets.feedback import confirm
from veru_desk.ui.widgets.record_table import Column, RecordTable, RecordTableModel, ShowMore

PAGE_ROWS = 100  # sessions given to the table at a time: a long case opens at once

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _when(s: SessionView) -> str:
    return f"{_DAYS[s.planned_start.weekday()]} {format_uk_date(s.planned_start.date())}"


def _times(s: SessionView) -> str:
    return f"{format_time(s.planned_start.time())}–{format_time(s.planned_end.time())}"


def _booking(s: SessionView) -> str:
    parts = []
    if s.series_id is not None:
        parts.append("Series")
    if s.moved and s.original_start is not None:
        parts.append(f"moved from {format_uk_datetime(s.original_start)}")
    return ", ".join(parts)


SESSION_COLUMNS = [
    Column("Date", _when),
    Column("Time", _times),
    Column("Type", lambda s: s.group or s.session_type.label),
    Column("Location", lambda s: s.location),
    Column("Mentor", lambda s: s.mentor or ""),
    Column(
        "Attendance",
        lambda s: s.attendance.label,
        warning=lambda s: s.attendance.counts_as_missed,
        quiet=lambda s: s.attendance is Attendance.CANCELLED_BY_SERVICE,
    ),
    Column("Booking", _booking),
    Column(
        "Notes",
        lambda s: ("(confidential) " if s.confidential else "") + " ".join(s.notes.split()),
        tooltip=lambda s: s.notes,
    ),
]


class SessionsTab(CaseTab):
    kinds = frozenset({Kind.SESSION})

    def __init__(self, services: Services, person_id: int, parent: QWidget | None = None) -> None:
        super().__init__(services, person_id, parent)
        self.summary = QLabel()
        self.summary.setAccessibleName("Attendance summary")
        self.book_button = QPushButton("Book session…")
        self.book_button.clicked.connect(self.book_session)
        self.series_button = QPushButton("Book weekly series…")
        self.series_button.clicked.connect(self.book_series)
        self.open_button = QPushButton("Open…")
        self.open_button.clicked.connect(self.open_selected)
        self.attendance_button = QPushButton("Record attendance ▾")
        self.attendance_button.clicked.connect(self.show_attendance_menu)
        self.move_button = QPushButton("Move…")
        self.move_button.clicked.connect(self.move_selected)
        self.skip_button = QPushButton("Skip from series")
        self.skip_button.clicked.connect(self.skip_selected)

        self.model = RecordTableModel(SESSION_COLUMNS, self, page_rows=PAGE_ROWS)
        self.table = RecordTable(self.model, "Sessions")
        self.more = ShowMore(self.model, "sessions")
        self.table.doubleClicked.connect(self.open_selected)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(
            button_row(
                self.book_button,
                self.series_button,
                self.open_button,
                self.attendance_button,
                self.move_button,
                self.skip_button,
            )
        )
        layout.addWidget(self.table, 1)
        layout.addWidget(self.more)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def refresh(self) -> None:
        services, person_id = self.services, self.person_id

        def read() -> tuple[list[SessionView], AttendanceSummary]:
            return (
                services.sessions.for_person(person_id),
                services.sessions.attendance_summary(person_id),
            )

        self.load("Loading sessions", read, self.show_sessions)

    def show_sessions(self, loaded: tuple[list[SessionView], AttendanceSummary]) -> None:
        sessions, summary = loaded
        selected = self.table.selected()
        self.model.set_rows(sessions)
        self.summary.setText(f"Attendance: {attendance_text(summary)}")
        self.select_session(selected.id if selected else None)
        self._update_buttons()

    def select_session(self, session_id: int | None) -> None:
        """Keeps the selection on the same session, or the next one due when there was none."""
        rows = self.model.rows()
        if not rows:
            return
        index = next((i for i, s in enumerate(rows) if s.id == session_id), None)
        if index is None:
            now = dt.datetime.now()
            upcoming = [i for i, s in enumerate(rows) if s.planned_start >= now]
            index = upcoming[-1] if upcoming else 0
        self.model.show_through(index)
        self.table.selectRow(index)

    def _update_buttons(self) -> None:
        session: SessionView | None = self.table.selected()
        planned = session is not None and session.attendance is Attendance.PLANNED
        self.open_button.setEnabled(session is not None)
        self.attendance_button.setEnabled(session is not None)
        self.move_button.setEnabled(planned)
        self.skip_button.setEnabled(
            planned and session is not None and session.series_id is not None
        )

    # --- actions ---------------------------------------------------------------------------

    def book_session(self) -> None:
        SessionDialog(self.services, self.person_id, parent=self).exec()

    def book_series(self) -> None:
        SeriesDialog(self.services, self.person_id, parent=self).exec()

    def open_selected(self) -> None:
        session = self.table.selected()
        if session is not None:
            SessionDialog(self.services, self.person_id, session, parent=self).exec()

    def move_selected(self) -> None:
        session = self.table.selected()
        if session is not None and session.attendance is Attendance.PLANNED:
            MoveSessionDialog(self.services, session, parent=self).exec()

    def skip_selected(self) -> None:
        session: SessionView | None = self.table.selected()
        if session is None or session.series_id is None:
            return
        if not confirm(
            self,
            "Skip this session",
            f"Take the session on {format_uk_datetime(session.planned_start)} out of its "
            "series? The date is remembered as skipped.",
            action="Skip this session",
        ):
            return
        sessions = self.services.sessions
        self.run_write(
            "Skipping the session",
            lambda: sessions.skip_occurrence(session.id),
            Kind.SESSION,
        )

    def show_attendance_menu(self) -> None:
        menu = self.attendance_menu_for_selected()
        if menu is not None:
            menu.open_at(
                self.attendance_button.mapToGlobal(QPoint(0, self.attendance_button.height()))
            )

    def attendance_menu_for_selected(self) -> SessionMenu | None:
        session: SessionView | None = self.table.selected()
        if session is None:
            return None
        return attendance_menu(self, session, lambda a: self.record_attendance(session, a))

    def record_attendance(self, session: SessionView, attendance: Attendance) -> None:
        sessions = self.services.sessions
        self.run_write(
            "Recording attendance",
            lambda: sessions.record_attendance(
                session.id, attendance, expected_version=session.version
            ),
            Kind.SESSION,
        )
