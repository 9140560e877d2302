"""Everything that happened in the case in date order, filterable by kind, with case notes.

A short note can be written straight under the timeline (what a worker does after a phone
call); the full note form is there for a note about an earlier time or a confidential one.
What is typed but not yet saved counts as unsaved work for the workspace.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.dates import format_uk_date, format_uk_datetime
from veru_desk.domain.enums import ChronologyKind
from veru_desk.domain.errors import ValidationError
from veru_desk.services import Services
from veru_desk.services.changes import Kind
from veru_desk.services.chronology import ChronologyEntry
from veru_desk.services.notes import MAX_SUBJECT_CHARS, NoteInput, NoteView
from veru_desk.ui.case.tab import CASE_KINDS, CaseTab
from veru_desk.ui.dialogs.note import NoteDialog
from veru_desk.ui.shell.tasks import run_task
from veru_desk.ui.widgets.feedback import show_error
from veru_desk.ui.widgets.forms import FieldErrors
from veru_desk.ui.widgets.record_table import Column, RecordTable, RecordTableModel, ShowMore


def _when(entry: ChronologyEntry) -> str:
    return format_uk_date(entry.at.date()) if entry.date_only else format_uk_datetime(entry.at)


PAGE_ROWS = 100  # entries given to the timeline at a time: a case of years opens at once
ROW_SIZING_AHEAD = 40  # rows measured below the top one on screen (a screenful and more)
DETAIL_LINES = 6  # lines of detail a row shows; the rest is in the tooltip and the pane below
DETAIL_CHARS = 600


def _what(entry: ChronologyEntry) -> str:
    """The headline; never blank (an entry without one is named by its kind)."""
    title = " ".join(entry.title.split()) or entry.kind.label
    return ("(confidential) " if entry.confidential else "") + title


def detail_lines(entry: ChronologyEntry) -> list[str]:
    """The detail's fields one to a line ("Location: …", "Topics: …", then the notes), each
    line's own spacing tidied; a line such as "a; b; c" of an outcome keeps its order."""
    lines = [" ".join(line.split()) for line in entry.detail.splitlines()]
    return [line for line in lines if line]


def _detail(entry: ChronologyEntry) -> str:
    lines = detail_lines(entry)
    shown = lines[:DETAIL_LINES]
    text = "\n".join(shown)
    if len(text) > DETAIL_CHARS:
        text = text[: DETAIL_CHARS - 1].rstrip() + "…"
    elif len(lines) > DETAIL_LINES:
        text += " …"
    return text


def full_text(entry: ChronologyEntry) -> str:
    """Everything about one entry, as the pane under the timeline shows it."""
    heading = f"{_when(entry)} · {entry.kind.label} · {_what(entry)}"
    if entry.by:
        heading += f" · by {entry.by}"
    return "\n".join([heading, *detail_lines(entry)])


CHRONOLOGY_COLUMNS = [
    Column("When", _when),
    Column("Kind", lambda e: e.kind.label),
    Column("What happened", _what, tooltip=lambda e: e.title),
    Column("Detail", _detail, tooltip=lambda e: "\n".join(detail_lines(e))),
    Column("By", lambda e: e.by or ""),
]


class ChronologyTab(CaseTab):
    #: Everything dated in the case; not the person's details or the caseworker's analysis.
    kinds = CASE_KINDS - {Kind.PERSON, Kind.ANALYSIS}

    def __init__(self, services: Services, person_id: int, parent: QWidget | None = None) -> None:
        super().__init__(services, person_id, parent)
        self.kind_boxes: dict[ChronologyKind, QCheckBox] = {}
        # Two rows of boxes: one row of fifteen kinds is cut short on a 1280x720 screen.
        filters = QGridLayout()
        filters.setHorizontalSpacing(12)
        self.all_box = QCheckBox("All")
        self.all_box.setChecked(True)
        self.all_box.setAccessibleName("Show every kind")
        self.all_box.toggled.connect(self._all_toggled)
        filters.addWidget(self.all_box, 0, 0)
        per_row = (len(ChronologyKind) + 3) // 3  # three rows: fifteen in two were cut
        for index, kind in enumerate(ChronologyKind, start=1):
            box = QCheckBox(kind.label)
            box.setChecked(True)
            box.setAccessibleName(f"Show {kind.label.lower()} entries")
            box.toggled.connect(self._kind_toggled)
            filters.addWidget(box, index // per_row, index % per_row)
            self.kind_boxes[kind] = box
        filters.setColumnStretch(per_row, 1)

        self.model = RecordTableModel(CHRONOLOGY_COLUMNS, self, page_rows=PAGE_ROWS)
        self.table = RecordTable(self.model, "Chronology", stretch_column=3)
        self.table.setWordWrap(True)
        self._sized_rows: set[int] = set()
        self._filling = False  # while new entries go in, the rows are measured once, after
        self.table.verticalScrollBar().valueChanged.connect(lambda _v: self._size_visible_rows())
        self.model.rowsInserted.connect(lambda *_a: self._size_visible_rows())
        # Wider or narrower columns wrap the text anew: the rows on screen are measured again.
        self.table.horizontalHeader().sectionResized.connect(self._columns_resized)
        self.table.doubleClicked.connect(self.open_selected)
        self.table.selectionModel().selectionChanged.connect(self._show_selected)
        # "What happened" and "Detail" share the width left by the short columns, both
        # wrapped, so large text never squeezes the detail to a sliver.
        self.model.modelReset.connect(self._share_width)

        # The selected entry whole: every field on its own line, read, never edited here.
        self.entry_text = QPlainTextEdit()
        self.entry_text.setReadOnly(True)
        self.entry_text.setAccessibleName("Selected chronology entry")
        self.entry_text.setPlaceholderText("Select an entry to read all of it here.")
        self.entry_text.setMinimumHeight(self.fontMetrics().lineSpacing() * 2)
        self.more = ShowMore(self.model, "entries")
        listing = QWidget()
        listing_layout = QVBoxLayout(listing)
        listing_layout.setContentsMargins(0, 0, 0, 0)
        listing_layout.addWidget(self.table, 1)
        listing_layout.addWidget(self.more)
        timeline = QSplitter(Qt.Orientation.Vertical)
        timeline.setChildrenCollapsible(False)
        timeline.addWidget(listing)
        timeline.addWidget(self.entry_text)
        timeline.setStretchFactor(0, 4)
        timeline.setStretchFactor(1, 1)

        composer = QGroupBox("Quick case note")
        # The buttons stand beside the fields, not under them: a row of height saved for
        # the timeline on a small screen.
        composer_layout = QHBoxLayout(composer)
        form = QFormLayout()
        self.note_errors = FieldErrors()
        self.subject = QLineEdit()
        self.subject.setMaxLength(MAX_SUBJECT_CHARS)
        self.subject.setPlaceholderText("e.g. Call with mother")
        self.body = QPlainTextEdit()
        self.body.setTabChangesFocus(True)
        self.body.setPlaceholderText("What happened, and what happens next (saved as now)")
        self.body.setMaximumHeight(self.fontMetrics().lineSpacing() * 5)
        self.body.setMinimumHeight(self.fontMetrics().lineSpacing() * 2)
        self.note_errors.add_row(form, "Subject:", self.subject, "subject", accessible="Subject")
        self.note_errors.add_row(form, "Note:", self.body, "body", accessible="Note text")
        composer_layout.addLayout(form, 1)
        self.save_note_button = QPushButton("Save note")
        self.save_note_button.setToolTip("Save note (Ctrl+S)")
        self.save_note_button.clicked.connect(self.save_quick_note)
        self.full_note_button = QPushButton("Earlier or confidential note…")
        self.full_note_button.setAccessibleName("Note with date, time or confidential")
        self.full_note_button.setToolTip(
            "A note about an earlier time, or a confidential one, in the full note form"
        )
        self.full_note_button.clicked.connect(self.add_full_note)
        buttons = QVBoxLayout()
        buttons.addWidget(self.save_note_button)
        buttons.addWidget(self.full_note_button)
        buttons.addStretch(1)
        composer_layout.addLayout(buttons)

        # The timeline, the entry pane and the note share the height, and a person can drag
        # the handles between them: at 1280x720 with large text the timeline keeps rows.
        timeline.addWidget(composer)
        timeline.setStretchFactor(2, 0)
        self._timeline = timeline
        self._composer = composer
        self._split_set = False
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(timeline, 1)
        self._saving = False

    # --- the timeline ----------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._split_set:
            self._split_set = True
            self._share_height()

    def _share_height(self) -> None:
        """The first time shown: the note and the entry pane get what they need, the
        timeline the rest (the splitter alone gave the note its full height first)."""
        total = sum(self._timeline.sizes())
        lines = self.fontMetrics().lineSpacing()
        note = self._composer.sizeHint().height()  # room for a few lines of note
        pane = lines * 3
        table = total - note - pane
        if table < lines * 12:  # a smaller screen: the note as small as it can be
            note = self._composer.minimumSizeHint().height()
            table = total - note - pane
        if table < lines * 8:  # a small screen with large text: the timeline first
            pane = self.entry_text.minimumHeight()
            table = total - note - pane
        if table > 0:
            self._timeline.setSizes([table, pane, note])

    def chosen_kinds(self) -> frozenset[ChronologyKind]:
        return frozenset(kind for kind, box in self.kind_boxes.items() if box.isChecked())

    def _all_toggled(self, checked: bool) -> None:
        for box in self.kind_boxes.values():
            box.blockSignals(True)
            box.setChecked(checked)
            box.blockSignals(False)
        self.refresh()

    def _kind_toggled(self) -> None:
        self.all_box.blockSignals(True)
        self.all_box.setChecked(len(self.chosen_kinds()) == len(self.kind_boxes))
        self.all_box.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        services, person_id = self.services, self.person_id
        kinds = self.chosen_kinds()
        wanted = None if len(kinds) == len(self.kind_boxes) else kinds
        self.load(
            "Loading the chronology",
            lambda: services.chronology.for_person(person_id, wanted),
            self.show_entries,
        )

    def show_entries(self, entries: list[ChronologyEntry]) -> None:
        # Fitting the columns resizes each in turn; measuring the rows after every one of
        # them measured the screenful of wrapped text half a dozen times.
        self._filling = True
        try:
            self.model.set_rows(entries)
        finally:
            self._filling = False
        self._sized_rows.clear()
        self._size_visible_rows()
        self._show_selected()

    def _show_selected(self, *_args: object) -> None:
        entry: ChronologyEntry | None = self.table.selected()
        if entry is None:
            self.entry_text.clear()
        else:
            self.entry_text.setPlainText(full_text(entry))

    def _share_width(self) -> None:
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)

    def _columns_resized(self, *_args: int) -> None:
        if self._filling:
            return
        self._sized_rows.clear()
        self._size_visible_rows()

    def _size_visible_rows(self) -> None:
        """Rows grow to their wrapped text as they come into view: measuring all of a long
        case's thousand entries at once held the window for most of a second."""
        if self._filling:
            return
        table = self.table
        first = max(table.rowAt(0), 0)
        last = table.rowAt(table.viewport().height() - 1)
        end = min(self.model.rowCount(), max(last, first) + ROW_SIZING_AHEAD)
        for row in range(first, end):
            if row not in self._sized_rows:
                self._sized_rows.add(row)
                table.resizeRowToContents(row)

    def open_selected(self) -> None:
        entry: ChronologyEntry | None = self.table.selected()
        if entry is None or entry.kind is not ChronologyKind.NOTE:
            return
        notes = self.services.notes
        self.load("Opening the note", lambda: notes.get(entry.source_id), self._edit_note)

    def _edit_note(self, note: NoteView) -> None:
        NoteDialog(self.services, self.person_id, note, parent=self).exec()

    # --- notes -----------------------------------------------------------------------------

    def has_unsaved_changes(self) -> bool:
        return bool(self.subject.text().strip() or self.body.toPlainText().strip())

    def add_full_note(self) -> None:
        dialog = NoteDialog(
            self.services,
            self.person_id,
            parent=self,
            subject=self.subject.text(),
            body=self.body.toPlainText(),
        )
        if dialog.exec():
            self._clear_composer()

    def save_quick_note(self) -> None:
        if self._saving:
            return
        self.note_errors.clear()
        data = NoteInput(
            occurred_at=dt.datetime.now().replace(second=0, microsecond=0),
            subject=self.subject.text(),
            body=self.body.toPlainText(),
        )
        errors: dict[str, str] = {}
        if not data.subject.strip():
            errors["subject"] = "Give the note a short subject, e.g. Call with mother."
        if not data.body.strip():
            errors["body"] = "Write the note: what happened, and what happens next."
        if errors:
            self.note_errors.show(ValidationError(errors))
            return
        self._saving = True
        self.save_note_button.setEnabled(False)
        notes, person_id = self.services.notes, self.person_id

        def done(_note_id: object) -> None:
            self._saving = False
            self.save_note_button.setEnabled(True)
            self._clear_composer()

        def failed(error: Exception) -> None:
            self._saving = False
            self.save_note_button.setEnabled(True)
            if isinstance(error, ValidationError):
                unplaced = self.note_errors.show(error)
                if unplaced:
                    show_error(self, ValidationError({"": "\n".join(unplaced)}))
            else:
                show_error(self, error)  # the note stays in the box

        run_task(
            self,
            "Saving the note",
            lambda _progress: notes.add(person_id, data),
            done,
            failed,
            cancellable=False,
            show_progress=False,
        )

    def _clear_composer(self) -> None:
        self.subject.clear()
        self.body.clear()
        self.note_errors.clear()

    def focus_composer(self) -> None:
        self.subject.setFocus(Qt.FocusReason.ShortcutFocusReason)
