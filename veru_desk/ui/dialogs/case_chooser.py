"""Choosing which young person a session is for, when booking from the calendar.

The list is the open cases the person may book on (``services.caseload``: a caseworker's own
cases, every open case for a manager, or one worker's when the manager is viewing theirs),
filtered as they type a name or case reference.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.names import display_name
from veru_desk.services.caseload_view import CaseloadRow

_PERSON_ROLE = Qt.ItemDataRole.UserRole + 1


def case_text(row: CaseloadRow) -> str:
    """ "Łukasz Wiśniewski (Łuki) · VERU-2026-00012 · Dariusz Wójcik"."""
    name = display_name(row.first_name, row.last_name, row.preferred_name)
    return f"{name} · {row.case_ref}" + (f" · {row.worker}" if row.worker else "")


class CaseChooser(QDialog):
    """Pick one open case; ``chosen`` is its person id once accepted."""

    def __init__(self, rows: list[CaseloadRow], prompt: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Book a session")
        self.chosen: int | None = None
        heading = QLabel(prompt)
        heading.setWordWrap(True)
        self.filter = QLineEdit()
        self.filter.setAccessibleName("Find a young person")
        self.filter.setPlaceholderText("Type part of a name or case reference")
        self.filter.textChanged.connect(self._filter)
        self.list = QListWidget()
        self.list.setAccessibleName("Open cases you can book a session for")
        for row in rows:
            item = QListWidgetItem(case_text(row))
            item.setData(_PERSON_ROLE, row.person_id)
            self.list.addItem(item)
        self.list.itemDoubleClicked.connect(lambda _item: self._accept())
        self.list.currentItemChanged.connect(lambda *_a: self._update())
        self.empty = QLabel(
            "You have no open cases to book a session for."
            if not rows
            else "No open case matches what you typed."
        )
        self.empty.setObjectName("hint")
        self.empty.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.next_button = self.buttons.addButton("Next…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.next_button.setAccessibleName("Book a session for the young person chosen")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.filter)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.buttons)
        if self.list.count():
            self.list.setCurrentRow(0)
        self._update()
        em = self.fontMetrics().horizontalAdvance("M")
        self.resize(em * 36, em * 30)

    def _filter(self, text: str) -> None:
        words = text.casefold().split()
        first_shown: int | None = None
        for index in range(self.list.count()):
            item = self.list.item(index)
            hidden = not all(word in item.text().casefold() for word in words)
            item.setHidden(hidden)
            if not hidden and first_shown is None:
                first_shown = index
        current = self.list.currentItem()
        if current is None or current.isHidden():
            self.list.setCurrentRow(first_shown if first_shown is not None else -1)
        self._update()

    def _update(self) -> None:
        item = self.list.currentItem()
        usable = item is not None and not item.isHidden()
        self.next_button.setEnabled(usable)
        self.empty.setVisible(
            not any(not self.list.item(i).isHidden() for i in range(self.list.count()))
        )

    def choose(self, person_id: int) -> None:
        """Selects the case of ``person_id`` (as a person would click it)."""
        for index in range(self.list.count()):
            if self.list.item(index).data(_PERSON_ROLE) == person_id:
                self.list.setCurrentRow(index)
                return
        raise KeyError(person_id)

    def _accept(self) -> None:
        item = self.list.currentItem()
        if item is None or item.isHidden():
            return
        self.chosen = int(item.data(_PERSON_ROLE))
        self.accept()
