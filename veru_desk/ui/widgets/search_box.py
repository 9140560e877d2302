"""The global search box: find a young person as you type and open their case.

Typing pauses for a moment before searching (so a fast typist causes one query, not ten), the
query runs off the GUI thread, and an answer that arrives after newer typing is dropped, so
the list always matches what is in the box. The service folds accents and case, so "lukasz
wisn" finds Łukasz Wiśniewski; a case reference, a date of birth or an NHS number also work.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QCompleter, QLineEdit, QWidget

from veru_desk.domain.dates import age_on, format_uk_date
from veru_desk.domain.names import display_name
from veru_desk.ui.shell.tasks import Progress, run_task

if TYPE_CHECKING:
    from veru_desk.services import Services
    from veru_desk.services.people import SearchHit

log = logging.getLogger(__name__)

PERSON_ID_ROLE = Qt.ItemDataRole.UserRole + 1
DEBOUNCE_MS = 150
RESULT_LIMIT = 25


def hit_text(hit: SearchHit) -> str:
    """One line per person: enough to tell two people of the same name apart. Someone else's
    case, found by an exact match, says only that it is on record and with whom."""
    if hit.on_record_only or hit.date_of_birth is None:
        return hit.on_record_text
    name = display_name(hit.first_name, hit.last_name, hit.preferred_name)
    age = age_on(hit.date_of_birth, dt.date.today())
    parts = [name, hit.case_ref, f"born {format_uk_date(hit.date_of_birth)} (age {age})"]
    if hit.status is not None:
        parts.append(hit.status.label)
    if hit.worker:
        parts.append(hit.worker)
    return "  ·  ".join(parts)


class SearchBox(QLineEdit):
    #: the young person the user chose from the results
    person_chosen = Signal(int)
    #: emitted with the number of results each time a search finishes (tests, status text)
    searched = Signal(int)

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services  # the people service is asked for at the first search
        self._generation = 0
        self._hits: list[SearchHit] = []
        self.setObjectName("globalSearch")
        self.setPlaceholderText("Find a young person: name, case reference, date of birth, NHS…")
        self.setAccessibleName("Find a young person")
        self.setToolTip(
            "Search by name (accents optional), case reference, date of birth (dd/mm/yyyy) "
            "or NHS number. Ctrl+F"
        )
        self.setClearButtonEnabled(True)

        self._model = QStandardItemModel(self)
        self._results: QCompleter | None = None  # the results pop-up, made at first use

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.search_now)
        self.textEdited.connect(self._typed)
        self.returnPressed.connect(self._return_pressed)

    def minimumSizeHint(self) -> QSize:
        """Never narrower than the grey hint: the toolbar shares its spare width between the
        box and the spacer before it, which at 150% text left the hint cut. Measured here, in
        the font the box has now, not the one it was built with."""
        metrics = self.fontMetrics()
        room = metrics.horizontalAdvance(self.placeholderText()) + 3 * metrics.height()
        return super().minimumSizeHint().expandedTo(QSize(room, 0))

    @property
    def _popup(self) -> QAbstractItemView:
        popup = self._completer.popup()
        assert popup is not None  # QCompleter makes its list view when first asked
        return popup

    @property
    def _completer(self) -> QCompleter:
        """The pop-up listing results, made when first needed: the window is on screen a few
        milliseconds sooner for not building a list view nobody has asked for yet."""
        if self._results is None:
            completer = QCompleter(self._model, self)
            completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setMaxVisibleItems(12)
            completer.setWidget(self)
            chosen = completer.activated[QModelIndex]  # type: ignore[index]  # overloaded signal
            chosen.connect(self._activated)
            self._results = completer
            self._popup.setAccessibleName("Search results")
        return self._results

    # --- searching --------------------------------------------------------------------------

    def _typed(self, _text: str) -> None:
        self._timer.start()

    def search_now(self) -> None:
        self._timer.stop()
        text = self.text().strip()
        self._generation += 1
        generation = self._generation
        if not text:
            self._show([], text=text)
            return
        people = self._services.people

        def work(_progress: Progress) -> tuple[list[SearchHit], int]:
            hits = people.search(text, limit=RESULT_LIMIT)
            total = people.count_matches(text) if len(hits) >= RESULT_LIMIT else len(hits)
            return hits, total

        def done(result: tuple[list[SearchHit], int]) -> None:
            if generation == self._generation:
                self._show(*result, text=text)

        def failed(error: Exception) -> None:
            if generation != self._generation:
                return
            log.warning("search failed: %s", error)
            self._show_message(f"Search is not available: {error}")

        run_task(self, "Searching", work, done, failed, show_progress=False)

    def results(self) -> list[SearchHit]:
        return list(self._hits)

    def result_texts(self) -> list[str]:
        return [self._model.item(row).text() for row in range(self._model.rowCount())]

    def _show(self, hits: Sequence[SearchHit], total: int | None = None, *, text: str) -> None:
        self._hits = list(hits)
        self._model.clear()
        for hit in hits:
            item = QStandardItem(hit_text(hit))
            item.setEditable(False)
            if hit.on_record_only:
                # Shown, so a duplicate is avoided and a colleague called; never opened.
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                item.setToolTip("This case is not yours: ask its caseworker or your manager.")
            else:
                item.setData(hit.person_id, PERSON_ID_ROLE)
            self._model.appendRow(item)
        if total is not None and total > len(hits):
            # the list stops at RESULT_LIMIT; the number found does not
            more = QStandardItem(
                f"Showing {len(hits)} of {total:,} found: type more of the name to narrow it."
            )
            more.setEnabled(False)
            more.setSelectable(False)
            self._model.appendRow(more)
        if text and not hits:
            self._show_message(f"No young person matches “{text}”")
        elif hits and self.hasFocus():
            self._completer.complete()
        elif not hits:
            self._popup.hide()
        self.searched.emit(len(self._hits))

    def _show_message(self, message: str) -> None:
        self._model.clear()
        item = QStandardItem(message)
        item.setEnabled(False)
        item.setSelectable(False)
        self._model.appendRow(item)
        if self.hasFocus():
            self._completer.complete()

    # --- choosing ---------------------------------------------------------------------------

    def _activated(self, index: QModelIndex | QPersistentModelIndex) -> None:
        person_id = index.data(PERSON_ID_ROLE)
        if person_id is not None:
            self.choose(int(person_id))

    def choose(self, person_id: int) -> None:
        """Opens a result and clears the box, ready for the next search."""
        self._popup.hide()
        self.clear()
        self._hits = []
        self._model.clear()
        self.person_chosen.emit(person_id)

    def choose_row(self, row: int) -> None:
        if 0 <= row < len(self._hits) and not self._hits[row].on_record_only:
            self.choose(self._hits[row].person_id)

    def _return_pressed(self) -> None:
        if self._timer.isActive():
            self.search_now()
        openable = [h for h in self._hits if not h.on_record_only]
        if openable and not self._popup.isVisible():
            self.choose(openable[0].person_id)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            self._popup.hide()
            return
        if (
            event.key() == Qt.Key.Key_Down
            and self._hits
            and not self._popup.isVisible()
        ):
            self._completer.complete()
            return
        super().keyPressEvent(event)
