"""People and places of concern: the persons of concern and the places the unit knows of,
ranked by how many young people are linked to them now and how that changed over the last 90
days, so a manager sees who and where is reaching more young people this quarter.

A manager sees the unit's whole list; a caseworker the ones their cases touch (and those they
entered). Choosing an entry lists the young people linked to it: the reader's own cases by
name, others only as "VERU-2026-00123, allocated to NAME" (``services.network``), and that
reading is audited. Persons of concern and places are added and corrected here too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import shiboken6
from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.names import fold
from veru_desk.domain.network import NodeKind
from veru_desk.services import Services
from veru_desk.services.changes import Changes, Kind
from veru_desk.services.network import LinkedYoungPerson, RankedEntry
from veru_desk.ui.dialogs.concern import PersonOfConcernDialog
from veru_desk.ui.dialogs.place import PlaceOfConcernDialog
from veru_desk.ui.shell.events import data_events
from veru_desk.ui.shell.tasks import run_task
from veru_desk.ui.widgets.feedback import show_error
from veru_desk.ui.widgets.kit import empty_state
from veru_desk.ui.widgets.page import page_frame
from veru_desk.ui.widgets.record_table import Column, RecordTable, RecordTableModel

DEBOUNCE_MS = 250
V = TypeVar("V")
WINDOW_DAYS = 90


def change_text(entry: RankedEntry) -> str:
    """``+2``, ``−1`` or ``No change``: the links begun minus those ended in the window."""
    if entry.change == 0:
        return "No change"
    return f"+{entry.change}" if entry.change > 0 else f"\N{MINUS SIGN}{-entry.change}"


def _change_tooltip(entry: RankedEntry) -> str:
    return (
        f"In the last {WINDOW_DAYS} days: {entry.new_links} link"
        f"{'s' if entry.new_links != 1 else ''} begun, {entry.ended_links} ended"
    )


def _columns(what: str) -> list[Column]:
    return [
        Column(what, lambda e: e.label),
        Column("Details", lambda e: e.detail),
        Column(
            "Linked now",
            lambda e: str(e.linked_now),
            tooltip=lambda e: "Young people on record linked now, on every caseload",
            numeric=True,
        ),
        Column(
            f"{WINDOW_DAYS}-day change",
            change_text,
            tooltip=_change_tooltip,
            warning=lambda e: e.change > 0,
            numeric=True,
        ),
    ]


def _dates(person: LinkedYoungPerson) -> str:
    since = format_uk_date(person.since_on) if person.since_on else None
    until = format_uk_date(person.until_on) if person.until_on else None
    if until:
        return f"{since} to {until}" if since else f"Until {until}"
    return f"Since {since}" if since else "Now"


LINKED_COLUMNS = [
    Column(
        "Young person",
        lambda p: p.label,
        tooltip=lambda p: (
            p.label + ("" if p.can_open else ": another caseworker's case, ask them or a manager")
        ),
        quiet=lambda p: not p.can_open,
    ),
    Column("Link", lambda p: p.link_label),
    Column("When", _dates),
]


class ConcernsPage(QWidget):
    help_topic = "people-and-places"

    open_case = Signal(int)  # a linked young person's case the reader may open

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self._generation = 0
        self._linked_generation = 0
        self._stale = False
        self._entries: list[RankedEntry] = []
        self._chosen: RankedEntry | None = None
        manager = services.actor.is_manager
        layout = page_frame(
            self,
            "People and places of concern",
            subtitle=(
                "Persons of concern and places ranked by how many young people are linked "
                f"to them now, with the change over the last {WINDOW_DAYS} days."
                if manager
                else "The persons of concern and places your cases are linked to, and those "
                "you added, with how many young people on record are linked to each."
            ),
        ).layout

        search_row = QHBoxLayout()
        self.query = QLineEdit()
        self.query.setAccessibleName("Search people and places of concern")
        self.query.setPlaceholderText("Name, street name, place or postcode, e.g. D-Money")
        self.query.setClearButtonEnabled(True)
        search_row.addWidget(self.query, 1)
        layout.addLayout(search_row)

        self.add_concern_button = QPushButton("Add person of concern…")
        self.add_concern_button.setObjectName("primary")
        self.add_concern_button.clicked.connect(self.add_concern)
        self.change_concern_button = QPushButton("Change selected…")
        self.change_concern_button.clicked.connect(self.change_concern)
        self.concern_model = RecordTableModel(_columns("Person of concern"), self)
        self.concern_table = RecordTable(self.concern_model, "Persons of concern", stretch_column=0)
        self.concern_table.doubleClicked.connect(self.change_concern)

        self.add_place_button = QPushButton("Add place…")
        self.add_place_button.clicked.connect(self.add_place)
        self.change_place_button = QPushButton("Change selected…")
        self.change_place_button.clicked.connect(self.change_place)
        self.place_model = RecordTableModel(_columns("Place"), self)
        self.place_table = RecordTable(self.place_model, "Places", stretch_column=0)
        self.place_table.doubleClicked.connect(self.change_place)

        lists = QSplitter()
        lists.setOrientation(lists.orientation().Vertical)
        lists.setChildrenCollapsible(False)
        lists.addWidget(
            _section(
                "Persons of concern",
                self.concern_table,
                self.add_concern_button,
                self.change_concern_button,
            )
        )
        lists.addWidget(
            _section("Places", self.place_table, self.add_place_button, self.change_place_button)
        )

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(self.fontMetrics().horizontalAdvance("M"), 0, 0, 0)
        side.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 22)
        self.linked_title = QLabel("Young people linked")
        self.linked_title.setObjectName("sectionTitle")
        self.linked_title.setWordWrap(True)
        side_layout.addWidget(self.linked_title)
        self.linked_stack = QStackedWidget()
        self.linked_empty = empty_state(
            "Choose a person of concern or a place to see the young people linked to them."
        )
        self.linked_model = RecordTableModel(LINKED_COLUMNS, self)
        self.linked_table = RecordTable(self.linked_model, "Young people linked", stretch_column=0)
        self.linked_table.doubleClicked.connect(lambda _i: self.open_linked())
        self.linked_table.activated.connect(lambda _i: self.open_linked())
        self.linked_stack.addWidget(self.linked_empty)
        self.linked_stack.addWidget(self.linked_table)
        side_layout.addWidget(self.linked_stack, 1)
        self.linked_note = QLabel(
            "Double-click one of your cases to open it. Others' cases show their case "
            "reference and caseworker only; each time this list is read it is recorded in the "
            "audit trail."
        )
        self.linked_note.setObjectName("hint")
        self.linked_note.setWordWrap(True)
        side_layout.addWidget(self.linked_note)

        body = QSplitter()
        body.setChildrenCollapsible(False)
        body.addWidget(lists)
        body.addWidget(side)
        body.setStretchFactor(0, 3)
        body.setStretchFactor(1, 2)
        layout.addWidget(body, 1)
        self.result_label = QLabel()
        self.result_label.setObjectName("hint")
        self.result_label.setAccessibleName("People and places results")
        layout.addWidget(self.result_label)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.show_filtered)
        self.query.textChanged.connect(lambda _t: self._timer.start())
        self.query.returnPressed.connect(self.show_filtered)
        # A click chooses an entry (and reads, audited, who is linked); a selection made by
        # a refresh does not, so nobody's links are read without someone asking.
        self.concern_table.clicked.connect(lambda _i: self._chose(self.concern_table))
        self.place_table.clicked.connect(lambda _i: self._chose(self.place_table))
        for table in (self.concern_table, self.place_table):
            table.activated.connect(lambda _i, t=table: self._chose(t))
            table.selectionModel().selectionChanged.connect(lambda *_: self._fit_buttons())
        self._fit_buttons()
        data_events().changed.connect(self._data_changed)

    # --- reading ----------------------------------------------------------------------------

    def _data_changed(self, changes: Changes) -> None:
        if not shiboken6.isValid(self):
            return
        if not (changes.touches(Kind.NETWORK) or changes.touches(Kind.INCIDENT)):
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
        network = self.services.network

        def shown(entries: list[RankedEntry]) -> None:
            if shiboken6.isValid(self) and generation == self._generation:
                self.show_ranked(entries)

        run_task(
            self,
            "Reading people and places of concern",
            lambda _progress: network.ranked(WINDOW_DAYS),
            shown,
            lambda error: show_error(self, error),
            cancellable=False,
            show_progress=False,
        )

    def show_ranked(self, entries: list[RankedEntry]) -> None:
        self._entries = list(entries)
        self.show_filtered()
        if self._chosen is not None:
            still = next(
                (
                    e
                    for e in entries
                    if (e.kind, e.record_id) == (self._chosen.kind, self._chosen.record_id)
                ),
                None,
            )
            if still is None:
                self._show_linked(None, [])
            else:
                self._chosen = still
                self._read_linked(still)

    def show_filtered(self) -> None:
        self._timer.stop()
        wanted = fold(self.query.text().strip())
        shown = [
            e
            for e in self._entries
            if not wanted or wanted in fold(e.label) or wanted in fold(e.detail)
        ]
        concerns = [e for e in shown if e.kind is NodeKind.CONCERN]
        places = [e for e in shown if e.kind is NodeKind.PLACE]
        self.concern_model.set_rows(concerns)
        self.place_model.set_rows(places)
        _fit(self.concern_table)
        _fit(self.place_table)
        people = f"{len(concerns)} person{'s' if len(concerns) != 1 else ''} of concern"
        where = f"{len(places)} place{'s' if len(places) != 1 else ''}"
        if wanted:
            self.result_label.setText(f"Found {people} and {where}.")
        elif not self._entries:
            self.result_label.setText(
                "No person of concern or place is recorded yet"
                + ("" if self.services.actor.is_manager else " for your cases")
                + ": add one here, and link young people to it from their case's Network tab."
            )
        else:
            self.result_label.setText(f"{people} and {where}.")
        self._fit_buttons()

    def _chose(self, table: RecordTable) -> None:
        entry: RankedEntry | None = table.selected()
        other = self.place_table if table is self.concern_table else self.concern_table
        other.clearSelection()
        if entry is None:
            return
        self._chosen = entry
        self._read_linked(entry)

    def _read_linked(self, entry: RankedEntry) -> None:
        self._linked_generation += 1
        generation = self._linked_generation
        network = self.services.network
        kind, ident = entry.kind, entry.record_id

        def shown(people: list[LinkedYoungPerson]) -> None:
            if shiboken6.isValid(self) and generation == self._linked_generation:
                self._show_linked(entry, people)

        run_task(
            self,
            "Reading who is linked",
            lambda _progress: network.linked_young_people(kind, ident),
            shown,
            lambda error: show_error(self, error),
            cancellable=False,
            show_progress=False,
        )

    def _show_linked(self, entry: RankedEntry | None, people: list[LinkedYoungPerson]) -> None:
        if entry is None:
            self._chosen = None
            self.linked_title.setText("Young people linked")
            self.linked_model.set_rows([])
            self.linked_stack.setCurrentWidget(self.linked_empty)
            return
        count = len(people)
        self.linked_title.setText(
            f"Young people linked to {entry.label}: {count} link{'s' if count != 1 else ''}"
        )
        self.linked_model.set_rows(people)
        _fit(self.linked_table)
        self.linked_stack.setCurrentWidget(self.linked_table)

    def open_linked(self) -> None:
        """Opens the chosen linked young person's case, when it is one the reader may open."""
        person: LinkedYoungPerson | None = self.linked_table.selected()
        if person is not None and person.can_open:
            self.open_case.emit(person.person_id)

    def _fit_buttons(self) -> None:
        self.change_concern_button.setEnabled(self.concern_table.selected() is not None)
        self.change_place_button.setEnabled(self.place_table.selected() is not None)

    # --- adding and changing ----------------------------------------------------------------

    def add_concern(self) -> None:
        PersonOfConcernDialog(self.services, parent=self).exec()

    def change_concern(self) -> None:
        entry: RankedEntry | None = self.concern_table.selected()
        if entry is None:
            return
        network = self.services.network
        ident = entry.record_id
        self._open(
            "Opening a person of concern",
            lambda: network.get_concern(ident),
            lambda view: PersonOfConcernDialog(self.services, view, parent=self).exec(),
        )

    def add_place(self) -> None:
        PlaceOfConcernDialog(self.services, parent=self).exec()

    def change_place(self) -> None:
        entry: RankedEntry | None = self.place_table.selected()
        if entry is None:
            return
        network = self.services.network
        ident = entry.record_id
        self._open(
            "Opening a place",
            lambda: network.get_place(ident),
            lambda view: PlaceOfConcernDialog(self.services, view, parent=self).exec(),
        )

    def _open(self, title: str, read: Callable[[], V], edit: Callable[[V], object]) -> None:
        def opened(view: V) -> None:
            if shiboken6.isValid(self):
                edit(view)

        run_task(
            self,
            title,
            lambda _progress: read(),
            opened,
            lambda error: show_error(self, error),
            cancellable=False,
            show_progress=False,
        )


def _fit(table: RecordTable) -> None:
    """Columns fitted to their text, and never narrower than their heading (an empty list,
    a caseworker's with nothing linked yet, has only headings to fit)."""
    table.fit_columns()
    header = table.horizontalHeader()
    for column in range(header.count()):
        if header.sectionResizeMode(column) != QHeaderView.ResizeMode.Stretch:
            header.resizeSection(
                column, max(header.sectionSize(column), header.sectionSizeHint(column))
            )


def _section(title: str, table: RecordTable, *buttons: QPushButton) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    row = QHBoxLayout()
    heading = QLabel(title)
    heading.setObjectName("sectionTitle")
    row.addWidget(heading)
    row.addStretch(1)
    for button in buttons:
        row.addWidget(button)
    layout.addLayout(row)
    layout.addWidget(table, 1)
    return box
