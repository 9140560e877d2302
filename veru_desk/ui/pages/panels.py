"""Panel meetings: the multi-agency panels coming up and those held, a new one set up, one
opened to record who came, the cases discussed, the decisions and the actions, and its pack.

Anyone with a case role sees the meetings; the number of cases shown for each is the reader's
own (a caseworker sees only their cases on an agenda, ``services.panels``).
"""

from __future__ import annotations

import shiboken6
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.dates import format_uk_date, format_uk_datetime
from veru_desk.services import Services
from veru_desk.services.changes import Changes, Kind
from veru_desk.services.panels import MeetingRow
from veru_desk.ui.dialogs.panel_meeting import PanelMeetingDialog
from veru_desk.ui.shell.events import data_events
from veru_desk.ui.shell.tasks import run_task
from veru_desk.ui.widgets.feedback import show_error
from veru_desk.ui.widgets.kit import empty_state, primary_button, secondary_button
from veru_desk.ui.widgets.page import page_frame
from veru_desk.ui.widgets.record_table import Column, RecordTable, RecordTableModel


def _cases(row: MeetingRow) -> str:
    return str(row.cases) if row.cases else "None"


MEETING_COLUMNS = [
    Column("Date and time", lambda r: format_uk_datetime(r.held_at)),
    Column(
        "Meeting",
        lambda r: r.title,
        tooltip=lambda r: f"{r.attendees} attendee{'s' if r.attendees != 1 else ''}",
    ),
    Column("Kind", lambda r: r.panel_type.label),
    Column("Chair", lambda r: r.chair),
    Column(
        "Your cases",
        _cases,
        tooltip=lambda r: "Cases on the agenda that you may open",
        numeric=True,
    ),
    Column(
        "Next meeting",
        lambda r: format_uk_date(r.next_meeting_on) if r.next_meeting_on else "Not set",
    ),
]


class _MeetingList(QWidget):
    """One list (upcoming or held) with its empty state."""

    def __init__(self, noun: str, empty: str, page: PanelsPage) -> None:
        super().__init__()
        self.model = RecordTableModel(MEETING_COLUMNS, self)
        self.table = RecordTable(self.model, noun, stretch_column=1)
        self.table.doubleClicked.connect(page.open_meeting)
        self.table.fit_columns()
        self.stack = QStackedWidget()
        self.stack.addWidget(empty_state(empty, ("New meeting…", page.new_meeting)))
        self.stack.addWidget(self.table)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    def show_rows(self, rows: list[MeetingRow]) -> None:
        self.model.set_rows(rows)
        self.stack.setCurrentIndex(1 if rows else 0)
        self.table.select_first()


class PanelsPage(QWidget):
    help_topic = "panel-meetings"

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self._stale = False
        self._generation = 0
        layout = page_frame(
            self,
            "Panel meetings",
            subtitle="Multi-agency panels: who came, the cases discussed, the decisions and "
            "actions, and the pack of case summaries each meeting reads.",
        ).layout
        self.new_button = primary_button("New meeting…", self.new_meeting)
        self.open_button = secondary_button("Open meeting…", self.open_meeting)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        self.upcoming = _MeetingList(
            "Upcoming meetings",
            "No panel meetings coming up. Set up the next one to start its agenda.",
            self,
        )
        self.past = _MeetingList("Meetings held", "No panel meetings recorded yet.", self)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setAccessibleName("Panel meetings")
        self.tabs.addTab(self.upcoming, "&Upcoming")
        self.tabs.addTab(self.past, "&Held")
        self.tabs.currentChanged.connect(lambda _i: self._fit_buttons())
        layout.addWidget(self.tabs, 1)
        self.summary = QLabel()
        self.summary.setObjectName("hint")
        layout.addWidget(self.summary)
        for listing in (self.upcoming, self.past):
            listing.table.selectionModel().selectionChanged.connect(lambda *_: self._fit_buttons())
        self._fit_buttons()
        data_events().changed.connect(self._data_changed)
        self.refresh()

    def _data_changed(self, changes: Changes) -> None:
        if not shiboken6.isValid(self) or not changes.touches(Kind.PANEL):
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
        panels = self.services.panels

        def read(_progress: object) -> tuple[list[MeetingRow], list[MeetingRow]]:
            return panels.meetings(upcoming=True), panels.meetings(upcoming=False)

        def shown(found: tuple[list[MeetingRow], list[MeetingRow]]) -> None:
            if shiboken6.isValid(self) and generation == self._generation:
                self.show_meetings(*found)

        run_task(
            self,
            "Reading the panel meetings",
            read,
            shown,
            lambda error: show_error(self, error),
            cancellable=False,
            show_progress=False,
        )

    def show_meetings(self, upcoming: list[MeetingRow], past: list[MeetingRow]) -> None:
        self.upcoming.show_rows(upcoming)
        self.past.show_rows(past)
        if upcoming:
            soonest = upcoming[0]
            self.summary.setText(f"Next: {soonest.label}.")
        else:
            self.summary.setText("No meeting set up yet for the coming weeks.")
        self._fit_buttons()

    def _current(self) -> _MeetingList:
        return self.upcoming if self.tabs.currentIndex() == 0 else self.past

    def _fit_buttons(self) -> None:
        self.open_button.setEnabled(self._current().table.selected() is not None)

    def new_meeting(self) -> None:
        self._show(None)

    def open_meeting(self) -> None:
        chosen: MeetingRow | None = self._current().table.selected()
        if chosen is not None:
            self._show(chosen.id)

    def _show(self, meeting_id: int | None) -> None:
        try:
            dialog = PanelMeetingDialog(self.services, meeting_id, self)
        except Exception as error:
            show_error(self, error)
            return
        dialog.exec()
        self.refresh()
