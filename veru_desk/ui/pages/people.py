"""People: find anyone on record, open their case, or start a new referral for them.

The same search the global box uses (accent- and case-insensitive names, case reference,
date of birth, NHS number), shown as a table with room for more results and actions.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QModelIndex, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from veru_desk.domain.dates import age_on, format_uk_date
from veru_desk.domain.names import display_name
from veru_desk.services import Services
from veru_desk.services.people import SearchHit
from veru_desk.ui.shell.tasks import Progress, run_task
from veru_desk.ui.widgets.page import page_frame
from veru_desk.ui.widgets.record_table import Column, RecordTable, RecordTableModel

DEBOUNCE_MS = 150
RESULT_LIMIT = 200


def _name(hit: SearchHit) -> str:
    """The name, or for someone else's case (an exact match) what to do instead of opening."""
    if hit.on_record_only:
        who = f"ask {hit.worker} or your manager" if hit.worker else "ask your manager"
        return f"On record (not your case): {who}"
    return display_name(hit.first_name, hit.last_name, hit.preferred_name)


def _born(hit: SearchHit) -> str:
    return format_uk_date(hit.date_of_birth) if hit.date_of_birth else ""


def _age(hit: SearchHit) -> str:
    return str(age_on(hit.date_of_birth, dt.date.today())) if hit.date_of_birth else ""


def _status(hit: SearchHit) -> str:
    if hit.on_record_only:
        return ""
    return hit.status.label if hit.status else "No referral"


PEOPLE_COLUMNS = (
    Column("Case reference", lambda h: h.case_ref),
    Column("Name", _name),
    Column("Date of birth", _born),
    Column("Age", _age, numeric=True),
    Column("Status", _status),
    Column("Caseworker", lambda h: h.worker or "Unallocated"),
)


def found_text(shown: int, total: int) -> str:
    """``1,234 people found (showing the first 200).``"""
    words = f"{total:,} {'person' if total == 1 else 'people'} found"
    if shown < total:
        words += f" (showing the first {shown:,})"
    return words + "."


class PeoplePage(QWidget):
    open_case = Signal(int)
    new_referral_for = Signal(int)
    searched = Signal(int)

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self._generation = 0
        layout = page_frame(
            self,
            "People",
            subtitle="Search by name (accents optional, preferred or legal name), case "
            "reference, date of birth (dd/mm/yyyy) or NHS number.",
        ).layout

        self.query = QLineEdit()
        self.query.setAccessibleName("Search for a young person")
        self.query.setPlaceholderText("e.g. lukasz wisniewski, VERU-2025-00012, 03/04/2011")
        self.query.setClearButtonEnabled(True)
        layout.addWidget(self.query)

        self.model = RecordTableModel(PEOPLE_COLUMNS, self)
        self.table = RecordTable(self.model, "People found", self, stretch_column=1)
        self.table.activated.connect(self._activated)
        self.table.fit_columns()  # headings whole before the first search
        layout.addWidget(self.table, 1)

        footer = QHBoxLayout()
        self.result_label = QLabel("Type to search.")
        self.result_label.setObjectName("hint")
        self.result_label.setWordWrap(True)
        self.result_label.setAccessibleName("Search results")
        self.new_referral_button = QPushButton("New referral for this person…")
        self.new_referral_button.clicked.connect(self._new_referral)
        self.open_button = QPushButton("Open case")
        self.open_button.setObjectName("primary")
        self.open_button.clicked.connect(self.open_selected)
        footer.addWidget(self.result_label, 1)
        footer.addWidget(self.new_referral_button)
        footer.addWidget(self.open_button)
        layout.addLayout(footer)
        self._update_buttons()

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.search_now)
        self.query.textChanged.connect(lambda _t: self._timer.start())
        self.query.returnPressed.connect(self.search_now)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.model.modelReset.connect(self._update_buttons)

    def refresh(self) -> None:
        if self.query.text().strip():
            self.search_now()
        self.query.setFocus()

    def search_now(self) -> None:
        self._timer.stop()
        text = self.query.text().strip()
        self._generation += 1
        generation = self._generation
        if not text:
            self.model.set_rows([])
            self.result_label.setText("Type to search.")
            return
        people = self.services.people

        def work(_progress: Progress) -> tuple[list[SearchHit], int]:
            hits = people.search(text, limit=RESULT_LIMIT)
            # a full page may be the first of many: the number found is counted, not listed
            total = people.count_matches(text) if len(hits) >= RESULT_LIMIT else len(hits)
            return hits, total

        def done(result: tuple[list[SearchHit], int]) -> None:
            hits, total = result
            if generation != self._generation:
                return
            self.model.set_rows(hits)
            if hits:
                self.table.select_first()
                self.result_label.setText(found_text(len(hits), total))
                self._update_buttons()  # someone else's case selected says whom to ask
            else:
                self.result_label.setText(
                    f"No young person matches “{text}”. Check the spelling, or try their date "
                    "of birth (dd/mm/yyyy) or case reference; if they are new to the unit, "
                    "record a new referral (Ctrl+N)."
                )
            self.searched.emit(total)

        run_task(self, "Searching", work, done, show_progress=False)

    def selected(self) -> SearchHit | None:
        hit = self.table.selected()
        return hit if isinstance(hit, SearchHit) else None

    def _openable(self) -> SearchHit | None:
        """The selected person, unless they are someone else's case shown on record only."""
        hit = self.selected()
        return hit if hit is not None and not hit.on_record_only else None

    def _update_buttons(self) -> None:
        hit = self.selected()
        has = self._openable() is not None
        self.open_button.setEnabled(has)
        self.new_referral_button.setEnabled(has)
        if hit is not None and hit.on_record_only:
            self.result_label.setText(hit.on_record_text + ".")

    def _activated(self, index: QModelIndex) -> None:
        hit = self.model.row_at(index.row())
        if hit is not None and not hit.on_record_only:
            self.open_case.emit(hit.person_id)

    def open_selected(self) -> None:
        hit = self._openable()
        if hit is not None:
            self.open_case.emit(hit.person_id)

    def _new_referral(self) -> None:
        hit = self._openable()
        if hit is not None:
            self.new_referral_for.emit(hit.person_id)
