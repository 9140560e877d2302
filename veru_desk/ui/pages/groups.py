"""Groups: the group sessions coming up and those of the last weeks, a new group set up, and a
session's register opened to add young people or record who came.

Groups are the unit's, so every caseworker and manager sees the list; the counts are of the
whole register (numbers only). Who is on a register, and what is written about them, is the
register's business (``ui.dialogs.group_register``).
"""

from __future__ import annotations

import datetime as dt

import shiboken6
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from veru_desk.domain.dates import format_uk_datetime
from veru_desk.services import Services
from veru_desk.services.changes import Changes, Kind
from veru_desk.services.groups import GroupSummary
from veru_desk.ui.dialogs.group_register import GroupRegisterDialog
from veru_desk.ui.dialogs.group_session import GroupSessionDialog
from veru_desk.ui.shell.events import data_events
from veru_desk.ui.shell.tasks import run_task
from veru_desk.ui.widgets.feedback import show_error
from veru_desk.ui.widgets.kit import empty_state, primary_button, secondary_button
from veru_desk.ui.widgets.page import page_frame
from veru_desk.ui.widgets.record_table import Column, RecordTable, RecordTableModel

#: How far ahead and back the two lists look.
UPCOMING_DAYS = 28
RECENT_DAYS = 56
#: A change to these may change a number shown.
GROUP_KINDS = (Kind.GROUP, Kind.SESSION)


def register_state(group: GroupSummary, now: dt.datetime | None = None) -> str:
    """What the register needs: taken, to take (the session is over), or nothing yet."""
    now = now or dt.datetime.now()
    if group.registered == 0:
        return "Nobody registered"
    if group.taken:
        return "Taken"
    if group.planned_start <= now:
        return "To take"
    return "Planned"


def _weekly(group: GroupSummary) -> str:
    return "Weekly" if group.series_id is not None else "Once"


GROUP_COLUMNS = [
    Column("Date and time", lambda g: format_uk_datetime(g.planned_start)),
    Column("Group", lambda g: g.title),
    Column("Kind", lambda g: g.session_type.label),
    Column("Runs", _weekly),
    Column("Location", lambda g: g.location),
    Column("Facilitator", lambda g: g.facilitator or "Not set"),
    Column("Registered", lambda g: str(g.registered), numeric=True),
    Column(
        "Attended",
        lambda g: str(g.attended) if g.recorded else "",
        numeric=True,
    ),
    Column(
        "Register",
        register_state,
        warning=lambda g: register_state(g) == "To take",
        tooltip=lambda g: (
            "The session is over: record who came" if register_state(g) == "To take" else ""
        ),
    ),
]


class _GroupList(QWidget):
    """One list (coming up, or recent) with its empty state."""

    def __init__(self, noun: str, empty: str, page: GroupsPage) -> None:
        super().__init__()
        self.model = RecordTableModel(GROUP_COLUMNS, self)
        self.table = RecordTable(self.model, noun, stretch_column=1)
        self.table.doubleClicked.connect(lambda _index: page.open_register())
        self.table.fit_columns()
        self.stack = QStackedWidget()
        self.stack.addWidget(empty_state(empty, ("New group…", page.new_group)))
        self.stack.addWidget(self.table)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    def show_rows(self, rows: list[GroupSummary]) -> None:
        self.model.set_rows(rows)
        self.stack.setCurrentIndex(1 if rows else 0)
        self.table.select_first()


class GroupsPage(QWidget):
    help_topic = "group-sessions"

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self._stale = False
        self._generation = 0
        layout = page_frame(
            self,
            "Groups",
            subtitle="Group sessions (football, workshops, activities) and their registers. "
            "Each young person's place counts in their own attendance and chronology.",
        ).layout
        self.new_button = primary_button("New group…", self.new_group)
        self.open_button = secondary_button("Open register…", self.open_register)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        self.recent = _GroupList(
            "Recent group sessions",
            "No group sessions in the last eight weeks. Set up a group to take its register.",
            self,
        )
        self.upcoming = _GroupList(
            "Group sessions coming up",
            "No group sessions in the next four weeks. Set up a group (once or weekly).",
            self,
        )
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setAccessibleName("Group sessions")
        self.tabs.addTab(self.upcoming, "&Coming up")
        self.tabs.addTab(self.recent, "&Recent")
        self.tabs.currentChanged.connect(lambda _i: self._fit_buttons())
        layout.addWidget(self.tabs, 1)
        self.summary = QLabel()
        self.summary.setObjectName("hint")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        for listing in (self.upcoming, self.recent):
            listing.table.selectionModel().selectionChanged.connect(lambda *_: self._fit_buttons())
        self._fit_buttons()
        data_events().changed.connect(self._data_changed)
        self.refresh()

    def _data_changed(self, changes: Changes) -> None:
        if not shiboken6.isValid(self) or not changes.touches(GROUP_KINDS):
            return
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.refresh()

    def refresh(self) -> None:
        self._generation += 1
        generation = self._generation
        groups = self.services.groups

        def read(_progress: object) -> tuple[list[GroupSummary], list[GroupSummary]]:
            return groups.upcoming(UPCOMING_DAYS), groups.recent(RECENT_DAYS)

        def shown(found: tuple[list[GroupSummary], list[GroupSummary]]) -> None:
            if shiboken6.isValid(self) and generation == self._generation:
                self.show_groups(*found)

        run_task(
            self,
            "Reading the groups",
            read,
            shown,
            lambda error: show_error(self, error),
            cancellable=False,
            show_progress=False,
        )

    def show_groups(self, upcoming: list[GroupSummary], recent: list[GroupSummary]) -> None:
        self.upcoming.show_rows(upcoming)
        self.recent.show_rows(recent)
        to_take = sum(1 for g in recent if register_state(g) == "To take")
        parts = []
        if upcoming:
            parts.append(
                f"Next: {upcoming[0].title}, {format_uk_datetime(upcoming[0].planned_start)}."
            )
        if to_take:
            parts.append(
                f"{to_take} register{'s' if to_take != 1 else ''} still to take (Recent tab)."
            )
        self.summary.setText(" ".join(parts) or "No group sessions in the coming weeks.")
        self._fit_buttons()

    def _current(self) -> _GroupList:
        return self.upcoming if self.tabs.currentIndex() == 0 else self.recent

    def _fit_buttons(self) -> None:
        self.open_button.setEnabled(self._current().table.selected() is not None)

    def new_group(self) -> None:
        dialog = GroupSessionDialog(self.services, self)
        if dialog.exec() and dialog.result_value is not None and dialog.result_value.session_ids:
            self.refresh()
            self._open(dialog.result_value.session_ids[0])

    def open_register(self) -> None:
        chosen: GroupSummary | None = self._current().table.selected()
        if chosen is not None:
            self._open(chosen.id)

    def _open(self, group_session_id: int) -> None:
        try:
            dialog = GroupRegisterDialog(self.services, group_session_id, self)
        except Exception as error:
            show_error(self, error)
            return
        dialog.exec()
        self.refresh()
