"""A worker's week of sessions, Monday to Sunday, where attendance takes two clicks.

Click a session, then what happened (attended, did not attend, cancelled). The menu also
opens the case. Managers choose whose week to see, or the whole unit's. Today's column is
marked in words and colour. "Book session…" (or a double-click on a day) books a session
on that day for one of the open cases the person may book on.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.dates import format_time, format_uk_date
from veru_desk.domain.enums import Attendance
from veru_desk.domain.errors import ConflictError
from veru_desk.services import Services
from veru_desk.services.caseload_view import CaseloadFilter, CaseloadRow
from veru_desk.services.changes import Changes, Kind
from veru_desk.services.mentoring import SessionView
from veru_desk.ui.dialogs.case_chooser import CaseChooser
from veru_desk.ui.dialogs.mentoring_session import SessionDialog, SessionMenu, attendance_menu
from veru_desk.ui.shell.events import data_events, seen_elsewhere
from veru_desk.ui.shell.tasks import run_task
from veru_desk.ui.widgets.feedback import show_error, show_stale
from veru_desk.ui.widgets.page import page_layout, page_subtitle, page_title
from veru_desk.ui.widgets.record_table import RECORD_ROLE

ModelIndex = QModelIndex | QPersistentModelIndex

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ATTENDANCE_COLOURS: dict[Attendance, QColor] = {
    Attendance.PLANNED: QColor("#e6f2f6"),
    Attendance.ATTENDED: QColor("#e3f1e6"),
    Attendance.DID_NOT_ATTEND: QColor("#fde8e8"),
    Attendance.CANCELLED_BY_YOUNG_PERSON: QColor("#fff4dc"),
    Attendance.CANCELLED_BY_SERVICE: QColor("#eef2f5"),
}
#: today's empty cells; today's heading also says "Today" (colour is never the only signal)
TODAY_COLOUR = QColor("#fff8d6")
#: the hour a session booked from the calendar starts at, unless that has passed today
USUAL_START_HOUR = 16


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def session_block(s: SessionView, *, with_mentor: bool) -> str:
    end = format_time(s.planned_end.time())
    lines = [
        f"{format_time(s.planned_start.time())}–{end}",
        s.person_name,
        (s.group or s.session_type.label) + (f" · {s.location}" if s.location else ""),
        s.attendance.label + (" (moved)" if s.moved else ""),
    ]
    if with_mentor and s.mentor:
        lines.insert(3, s.mentor)
    return "\n".join(lines)


class WeekModel(QAbstractTableModel):
    """Seven columns (Monday to Sunday); row n of a column is that day's nth session."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.monday = monday_of(dt.date.today())
        self.with_mentor = False
        self._days: list[list[SessionView]] = [[] for _ in range(7)]

    def set_week(
        self, monday: dt.date, sessions: list[SessionView], *, with_mentor: bool = False
    ) -> None:
        self.beginResetModel()
        self.monday = monday
        self.with_mentor = with_mentor
        self._days = [[] for _ in range(7)]
        for session in sorted(sessions, key=lambda s: (s.planned_start, s.id)):
            offset = (session.planned_start.date() - monday).days
            if 0 <= offset < 7:
                self._days[offset].append(session)
        self.endResetModel()

    def sessions(self) -> list[SessionView]:
        return [s for day in self._days for s in day]

    def session_at(self, index: ModelIndex) -> SessionView | None:
        if not index.isValid():
            return None
        day = self._days[index.column()] if 0 <= index.column() < 7 else []
        return day[index.row()] if 0 <= index.row() < len(day) else None

    def index_of(self, session_id: int) -> QModelIndex:
        for column, day in enumerate(self._days):
            for row, session in enumerate(day):
                if session.id == session_id:
                    return self.index(row, column)
        return QModelIndex()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else max((len(day) for day in self._days), default=0)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 7

    def day_of(self, column: int) -> dt.date:
        return self.monday + dt.timedelta(days=column)

    def is_today(self, column: int) -> bool:
        return 0 <= column < 7 and self.day_of(column) == dt.date.today()

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        session = self.session_at(index)
        if session is None:
            if not index.isValid():
                return None
            if role == Qt.ItemDataRole.BackgroundRole and self.is_today(index.column()):
                return TODAY_COLOUR
            if role == Qt.ItemDataRole.ToolTipRole:
                return (
                    f"Double-click to book a session on {_day_words(self.day_of(index.column()))}"
                )
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return session_block(session, with_mentor=self.with_mentor)
        if role == Qt.ItemDataRole.BackgroundRole:
            return ATTENDANCE_COLOURS[session.attendance]
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor("#1d2a33")
        if role == Qt.ItemDataRole.ToolTipRole:
            return (
                f"{session.person_name} ({session.case_ref})\n"
                f"{session.session_type.label}, {session.duration_minutes} min"
                + (f", {session.location}" if session.location else "")
                + (f"\nMentor: {session.mentor}" if session.mentor else "")
                + f"\n{session.attendance.label}. Click to record attendance."
            )
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return " ".join(session_block(session, with_mentor=True).split("\n"))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        if role == RECORD_ROLE:
            return session
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < 7:
            return None
        day = self.day_of(section)
        today = self.is_today(section)
        if role == Qt.ItemDataRole.DisplayRole:
            # Today says so in words on a line of its own (a narrow day would cut it short).
            shown = f"{_DAY_NAMES[section][:3]} {format_uk_date(day)[:5]}"
            return f"{shown}\nToday" if today else shown
        if role == Qt.ItemDataRole.ToolTipRole:
            return (
                f"{_DAY_NAMES[section]} {format_uk_date(day)}"
                + (" (today)" if today else "")
                + ". Double-click to book a session on this day."
            )
        if role == Qt.ItemDataRole.FontRole and today:
            bold = QFont()
            bold.setBold(True)
            return bold
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{_DAY_NAMES[section]} {format_uk_date(day)}" + (", today" if today else "")
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self.session_at(index) is None:
            # An empty slot: reachable, and double-click (or Enter) books on its day.
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def _day_words(day: dt.date) -> str:
    return f"{_DAY_NAMES[day.weekday()]} {format_uk_date(day)}"


def usual_start(day: dt.date, now: dt.datetime | None = None) -> dt.datetime:
    """When a session booked on ``day`` from the calendar starts: 16:00 (after school), or
    the next whole hour if that has gone by today."""
    now = now or dt.datetime.now()
    start = dt.datetime.combine(day, dt.time(USUAL_START_HOUR))
    if day == now.date() and now >= start:
        start = (now + dt.timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
        if start.date() != day:  # late in the evening: the last hour of the day
            start = dt.datetime.combine(day, dt.time(23, 0))
    return start


class SessionsCalendarPage(QWidget):
    open_case = Signal(int)

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.monday = monday_of(dt.date.today())

        title = page_title("Sessions calendar")
        self.week_label = page_subtitle(wrap=False)
        self.week_label.setAccessibleName("Week shown")
        self.previous_button = QPushButton("◀ Previous week")
        self.previous_button.clicked.connect(lambda: self.go_to_week(self.monday - dt.timedelta(7)))
        self.this_week_button = QPushButton("This week")
        self.this_week_button.clicked.connect(lambda: self.go_to_week(dt.date.today()))
        self.next_button = QPushButton("Next week ▶")
        self.next_button.clicked.connect(lambda: self.go_to_week(self.monday + dt.timedelta(7)))
        self.book_button = QPushButton("&Book session…")
        self.book_button.setAccessibleName("Book a session")
        self.book_button.setToolTip(
            "Book a session on the day selected (today, or the Monday of another week); "
            "double-click a day to book on it."
        )
        self.book_button.clicked.connect(lambda: self.book_on(self.chosen_day()))

        self.worker = QComboBox()
        self.worker.setAccessibleName("Whose sessions")
        self.worker_label = QLabel("&Worker:")
        self.worker_label.setBuddy(self.worker)
        is_manager = services.actor.is_manager
        if is_manager:
            self.worker.addItem("All workers", None)
            for worker in services.referrals.workers():
                self.worker.addItem(worker.display_name, worker.user_id)
            self.worker.currentIndexChanged.connect(self.refresh)
        self.worker.setVisible(is_manager)
        self.worker_label.setVisible(is_manager)

        self.summary = QLabel()
        self.summary.setAccessibleName("Week summary")
        self.summary.setWordWrap(True)  # a week of every kind of attendance runs long at 150%
        self.empty = QLabel("No sessions this week.")
        self.empty.setObjectName("hint")

        self.model = WeekModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName("Sessions this week")
        self.view.setWordWrap(True)
        self.view.setStyleSheet("QTableView::item { padding: 0.25em 0.4em; }")
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setTabKeyNavigation(False)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.view.horizontalHeader().setHighlightSections(False)
        # Wider or narrower days wrap the sessions anew: their rows are measured again.
        self.view.horizontalHeader().sectionResized.connect(lambda *_a: self.fit_rows())
        self.view.clicked.connect(self.show_menu_for)
        self.view.doubleClicked.connect(self._double_clicked)
        self.view.horizontalHeader().sectionDoubleClicked.connect(
            lambda column: self.book_on(self.model.day_of(column))
        )
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            QShortcut(  # type: ignore[call-overload]  # PySide6 takes signal keywords; its stubs do not
                QKeySequence(key),
                self.view,
                activated=lambda: self.activate(self.view.currentIndex()),
                context=Qt.ShortcutContext.WidgetShortcut,
            )

        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.worker_label)
        top.addWidget(self.worker)
        top.addWidget(self.previous_button)
        top.addWidget(self.this_week_button)
        top.addWidget(self.next_button)
        layout = page_layout(self)
        layout.addLayout(top)
        # The second row: which week, what it holds, and booking. Beside the title and the
        # week's buttons the dates were cut off a 1280-pixel screen with large text.
        week_text = QVBoxLayout()
        week_text.addWidget(self.week_label)
        week_text.addWidget(self.summary)
        week_text.addWidget(self.empty)
        second = QHBoxLayout()
        second.addLayout(week_text, 1)
        second.addWidget(self.book_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(second)
        layout.addWidget(self.view, 1)

        data_events().changed.connect(self._data_changed)
        self._show_week_label()

    # --- the week --------------------------------------------------------------------------

    def go_to_week(self, day: dt.date) -> None:
        self.monday = monday_of(day)
        self._show_week_label()
        self.refresh()

    def _show_week_label(self) -> None:
        sunday = self.monday + dt.timedelta(days=6)
        this_week = " (this week)" if self.monday == monday_of(dt.date.today()) else ""
        self.week_label.setText(
            f"Monday {format_uk_date(self.monday)} to Sunday {format_uk_date(sunday)}{this_week}"
        )

    def mentor_id(self) -> int | None:
        return self.worker.currentData() if self.services.actor.is_manager else None

    def refresh(self) -> None:
        sessions, monday, mentor_id = self.services.sessions, self.monday, self.mentor_id()
        run_task(
            self,
            "Loading the week",
            lambda _progress: sessions.week(monday, mentor_id),
            lambda rows: self.show_week(monday, rows),
            lambda error: show_error(self, error),
            cancellable=False,
            show_progress=False,
        )

    def show_week(self, monday: dt.date, sessions: list[SessionView]) -> None:
        if monday != self.monday:
            return  # the user has moved on to another week meanwhile
        with_mentor = self.services.actor.is_manager and self.mentor_id() is None
        self.model.set_week(monday, sessions, with_mentor=with_mentor)
        self.fit_rows()
        counts = Counter(s.attendance for s in sessions)
        if sessions:
            parts = [f"{counts[a]} {a.label.lower()}" for a in Attendance if counts[a]]
            plural = "s" if len(sessions) != 1 else ""
            self.summary.setText(f"{len(sessions)} session{plural} this week: {', '.join(parts)}")
        else:
            self.summary.setText("")
        self.summary.setVisible(bool(sessions))
        self.empty.setVisible(not sessions)

    def fit_rows(self) -> None:
        """Each row as tall as its longest session once wrapped to its day's width (Qt's own
        measure leaves out the stylesheet's cell padding, cutting the last line)."""
        metrics = self.view.fontMetrics()
        em = metrics.horizontalAdvance("M")
        # the stylesheet's padding (0.4em a side), the item's text margins and the grid line,
        # measured generously: a row a little tall is better than a last line cut off
        pad_x, pad_y = em * 2 + 8, em + 6
        flags = int(Qt.TextFlag.TextWordWrap)
        for row in range(self.model.rowCount()):
            height = metrics.lineSpacing() + pad_y
            for column in range(7):
                text = self.model.index(row, column).data()
                if not text:
                    continue
                width = max(self.view.columnWidth(column) - pad_x, em)
                box = metrics.boundingRect(QRect(0, 0, width, 100_000), flags, text)
                height = max(height, box.height() + pad_y)
            self.view.setRowHeight(row, height)

    def _data_changed(self, changes: Changes) -> None:
        """Attendance recorded here or anywhere else shows at once; other changes when seen."""
        if changes.touches(Kind.SESSION) or (
            changes.touches((Kind.REFERRAL, Kind.CASE, Kind.PERSON, Kind.USER)) and self.isVisible()
        ):
            self.refresh()

    # --- two clicks ------------------------------------------------------------------------

    def menu_for(self, index: QModelIndex) -> SessionMenu | None:
        session = self.model.session_at(index)
        if session is None:
            return None
        menu = attendance_menu(self, session, lambda a: self.record_attendance(session, a))
        menu.addSeparator()
        open_session = QAction("Session details…", menu)
        open_session.triggered.connect(lambda: self.open_session(session))
        menu.addAction(open_session)
        open_case = QAction(f"Open case: {session.person_name}", menu)
        open_case.triggered.connect(lambda: self.open_case.emit(session.person_id))
        menu.addAction(open_case)
        return menu

    def show_menu_for(self, index: QModelIndex) -> None:
        menu = self.menu_for(index)
        if menu is None:
            return
        rect = self.view.visualRect(index)
        menu.open_at(self.view.viewport().mapToGlobal(QPoint(rect.left(), rect.bottom())))

    def record_attendance(self, session: SessionView, attendance: Attendance) -> None:
        sessions = self.services.sessions

        run_task(
            self,
            "Recording attendance",
            lambda _progress: sessions.record_attendance(
                session.id, attendance, expected_version=session.version
            ),
            lambda _result: None,
            lambda error: self._attendance_failed(session, error),
            cancellable=False,
            show_progress=False,
        )

    def _attendance_failed(self, session: SessionView, error: Exception) -> None:
        if isinstance(error, ConflictError) and error.changed_by is not None:
            seen_elsewhere(Changes.of(Kind.SESSION, session.person_id))  # shows theirs
            show_stale(self, error)
        else:
            show_error(self, error)

    def open_session(self, session: SessionView) -> None:
        SessionDialog(self.services, session.person_id, session, parent=self).exec()

    # --- booking -----------------------------------------------------------------------------

    def chosen_day(self) -> dt.date:
        """The day "Book session…" books on: the selected day's, else today if it is in the
        week shown, else the week's Monday."""
        index = self.view.currentIndex()
        if index.isValid():
            return self.model.day_of(index.column())
        today = dt.date.today()
        return today if self.monday <= today < self.monday + dt.timedelta(days=7) else self.monday

    def activate(self, index: QModelIndex) -> None:
        """Enter or Space: a session's menu, or booking on an empty slot's day."""
        if self.model.session_at(index) is not None:
            self.show_menu_for(index)
        elif index.isValid():
            self.book_on(self.model.day_of(index.column()))

    def _double_clicked(self, index: QModelIndex) -> None:
        if index.isValid() and self.model.session_at(index) is None:
            self.book_on(self.model.day_of(index.column()))

    def bookable_cases(self) -> list[CaseloadRow]:
        """The open cases the person may book on: a caseworker's own, a manager's choice of
        worker's, or every open case for a manager viewing the whole unit."""
        caseload = self.services.caseload
        chosen = CaseloadFilter(open_only=True, worker_id=self.mentor_id())
        return caseload.rows(caseload.ids(chosen))

    def book_on(self, day: dt.date) -> None:
        """Asks which young person, then opens the session form with ``day`` filled in."""
        try:
            cases = self.bookable_cases()
        except Exception as error:  # a closed database, a refusal: said calmly
            show_error(self, error)
            return
        chooser = CaseChooser(
            cases, f"Book a session on {_day_words(day)}: for which young person?", self
        )
        if not chooser.exec() or chooser.chosen is None:
            return
        SessionDialog(self.services, chooser.chosen, parent=self, start=usual_start(day)).exec()
