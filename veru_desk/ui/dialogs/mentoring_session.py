"""One mentoring session: book it, record what happened, or move it to another time.

The same form books a session ahead and records one that already happened (scenario 2's
first home visit is entered afterwards, attended, with notes), so attendance is on the form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPoint
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from veru_desk.domain.dates import format_time, format_uk_datetime, parse_uk_datetime
from veru_desk.domain.enums import Attendance, SessionType
from veru_desk.domain.errors import ValidationError
from veru_desk.services import Services
from veru_desk.services.changes import Kind
from veru_desk.services.mentoring import (
    MAX_DURATION,
    MIN_DURATION,
    SessionInput,
    SessionView,
)
from veru_desk.ui.dialogs.case_dialog import CaseDialog, chosen_enum, enum_combo
from veru_desk.ui.widgets.forms import DateField
from veru_desk.ui.widgets.kit import room_for_placeholder

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def duration_spin(minutes: int = 60) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(MIN_DURATION, MAX_DURATION)
    spin.setSingleStep(15)
    spin.setSuffix(" min")
    spin.setValue(minutes)
    return spin


def mentor_combo(services: Services, current: int | None, current_name: str | None) -> QComboBox:
    """The unit's caseworkers; 'Me / the case's worker' lets the service pick the default."""
    combo = QComboBox()
    combo.addItem("Default (me, or the case's caseworker)", None)
    for worker in services.referrals.workers():
        combo.addItem(worker.display_name, worker.user_id)
    if current is not None:
        select_mentor(combo, current, current_name)
    return combo


def select_mentor(combo: QComboBox, mentor_id: int | None, name: str | None) -> None:
    """Shows a session's mentor, adding one who is no longer in the list (a leaver)."""
    index = combo.findData(mentor_id)
    if index < 0:
        combo.addItem(name or f"User {mentor_id}", mentor_id)
        index = combo.count() - 1
    combo.setCurrentIndex(index)


def describe_start(start: dt.datetime) -> str:
    return f"{_WEEKDAYS[start.weekday()]} {format_uk_datetime(start)}"


class SessionMenu(QMenu):
    """The pop-up of actions on one session; ``open_at`` is the one place it is shown."""

    def open_at(self, position: QPoint) -> None:
        self.exec(position)


ATTENDANCE_CHOICES = (
    Attendance.ATTENDED,
    Attendance.DID_NOT_ATTEND,
    Attendance.CANCELLED_BY_YOUNG_PERSON,
    Attendance.CANCELLED_BY_SERVICE,
    Attendance.PLANNED,
)


def attendance_menu(
    parent: QWidget,
    session: SessionView,
    choose: Callable[[Attendance], None],
    *,
    now: dt.datetime | None = None,
) -> SessionMenu:
    """The second of the 'two clicks': what happened, with the current answer ticked.

    Attended and did-not-attend are offered only once the session has started; before that a
    cancellation is the only thing that can be known.
    """
    menu = SessionMenu(parent)
    menu.setAccessibleName("Record attendance")
    started = session.planned_start <= (now or dt.datetime.now())
    for attendance in ATTENDANCE_CHOICES:
        label = "Back to planned" if attendance is Attendance.PLANNED else attendance.label
        action = QAction(label, menu)
        action.setCheckable(True)
        action.setChecked(attendance is session.attendance)
        action.setData(attendance.value)
        if attendance in (Attendance.ATTENDED, Attendance.DID_NOT_ATTEND) and not started:
            action.setEnabled(False)
            action.setToolTip("The session has not happened yet.")
        action.triggered.connect(lambda _checked=False, a=attendance: choose(a))
        menu.addAction(action)
    return menu


class SessionDialog(CaseDialog):
    """Books a session (``session`` None) or edits one, attendance and notes included."""

    def __init__(
        self,
        services: Services,
        person_id: int,
        session: SessionView | None = None,
        parent: QWidget | None = None,
        *,
        start: dt.datetime | None = None,
    ) -> None:
        title = "Book a session" if session is None else "Session"
        super().__init__(title, person_id, Kind.SESSION, parent)
        self.services = services
        self.session = session

        self.date_field = DateField(accessible_name="Session date")
        self.time_field = QLineEdit()
        self.time_field.setPlaceholderText("hh:mm, e.g. 16:00")
        self.time_field.setMaxLength(12)
        self.duration = duration_spin()
        self.session_type = enum_combo(SessionType, current=SessionType.ONE_TO_ONE)
        self.location = QLineEdit()
        self.location.setPlaceholderText("e.g. Home visit, Marsh Farm youth centre")
        self.mentor = mentor_combo(
            services,
            session.mentor_id if session else None,
            session.mentor if session else None,
        )
        self.attendance = enum_combo(Attendance, current=Attendance.PLANNED)
        self.topics = QLineEdit()
        self.topics.setPlaceholderText("e.g. school, football, staying safe on the way home")
        room_for_placeholder(self.topics)
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setMinimumHeight(self.fontMetrics().lineSpacing() * 5)
        self.confidential = QCheckBox("Confidential: leave out of partner exports")

        self.add_row("Date", self.date_field, "planned_start", accessible="Session date")
        self.add_row("Time", self.time_field, "start_time", accessible="Start time")
        self.add_row("Duration", self.duration, "duration_minutes")
        self.add_row("Type", self.session_type, "session_type", accessible="Session type")
        self.add_row("Location", self.location, "location")
        self.add_row("Mentor", self.mentor, "mentor_id")
        self.add_row("Attendance", self.attendance, "attendance")
        self.add_row("Topics", self.topics, "topics")
        self.add_row("Notes", self.notes, "notes", accessible="Session notes")
        self.add_row("", self.confidential, "confidential", accessible="Confidential")

        if session is not None:
            self.load(session)
        else:
            when = start or dt.datetime.now().replace(minute=0, second=0, microsecond=0)
            self.date_field.set_date(when.date())
            self.time_field.setText(format_time(when.time()))
        self.resize(self.sizeHint().expandedTo(self.minimumSizeHint()))

    def fill(self, session: SessionView) -> None:
        self.date_field.set_date(session.planned_start.date())
        self.time_field.setText(format_time(session.planned_start.time()))
        self.duration.setValue(session.duration_minutes)
        self.session_type.setCurrentIndex(self.session_type.findData(session.session_type.value))
        self.location.setText(session.location)
        select_mentor(self.mentor, session.mentor_id, session.mentor)
        self.attendance.setCurrentIndex(self.attendance.findData(session.attendance.value))
        self.topics.setText(session.topics)
        self.notes.setPlainText(session.notes)
        self.confidential.setChecked(session.confidential)

    def prepare(self) -> Callable[[], Any]:
        start = parse_uk_datetime(
            self.date_field.text(),
            self.time_field.text(),
            date_field="planned_start",
            time_field="start_time",
        )
        session_type = chosen_enum(self.session_type, SessionType)
        attendance = chosen_enum(self.attendance, Attendance)
        assert session_type is not None and attendance is not None
        data = SessionInput(
            planned_start=start,
            duration_minutes=self.duration.value(),
            session_type=session_type,
            location=self.location.text(),
            mentor_id=self.mentor.currentData(),
            attendance=attendance,
            notes=self.notes.toPlainText(),
            topics=self.topics.text(),
            confidential=self.confidential.isChecked(),
        )
        sessions = self.services.sessions
        if self.session is None:
            return lambda: sessions.book(self.person_id, data)
        session_id, version = self.session.id, self.session.version
        return lambda: sessions.update(session_id, data, version)

    def reread(self) -> SessionView | None:
        return self.services.sessions.get(self.session.id) if self.session is not None else None

    def build_on(self, saved: SessionView) -> None:
        self.session = saved


class MoveSessionDialog(CaseDialog):
    """Moves a planned session (a series keeps knowing when it was first planned)."""

    def __init__(
        self, services: Services, session: SessionView, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            "Move a session", session.person_id, Kind.SESSION, parent, save_text="Move"
        )
        self.services = services
        self.session = session
        current = QLabel(
            f"{session.session_type.label} with {session.person_name}, "
            f"now {describe_start(session.planned_start)}"
        )
        current.setWordWrap(True)
        self.form.addRow(current)
        self.date_field = DateField(accessible_name="New date")
        self.time_field = QLineEdit()
        self.time_field.setPlaceholderText("hh:mm, e.g. 16:00")
        self.time_field.setMaxLength(12)
        self.add_row("New date", self.date_field, "planned_start", accessible="New date")
        self.add_row("New time", self.time_field, "start_time", accessible="New time")
        self.load(session)

    def fill(self, session: SessionView) -> None:
        self.date_field.set_date(session.planned_start.date())
        self.time_field.setText(format_time(session.planned_start.time()))

    def reread(self) -> SessionView:
        return self.services.sessions.get(self.session.id)

    def build_on(self, saved: SessionView) -> None:
        self.session = saved

    def prepare(self) -> Callable[[], Any]:
        start = parse_uk_datetime(
            self.date_field.text(),
            self.time_field.text(),
            date_field="planned_start",
            time_field="start_time",
        )
        if start == self.session.planned_start:
            raise ValidationError(
                {
                    "planned_start": "That is when the session is already: "
                    "choose another day or time."
                }
            )
        session_id, version = self.session.id, self.session.version
        return lambda: self.services.sessions.move(session_id, start, version)
