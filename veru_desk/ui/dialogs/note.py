"""A case note written by hand: a call, a meeting, a worry, in the worker's own words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QCheckBox, QLineEdit, QPlainTextEdit, QWidget

from veru_desk.domain.dates import format_time, parse_uk_datetime
from veru_desk.services import Services
from veru_desk.services.changes import Kind
from veru_desk.services.notes import MAX_SUBJECT_CHARS, NoteInput, NoteView
from veru_desk.ui.dialogs.case_dialog import CaseDialog
from veru_desk.ui.widgets.forms import DateField


class NoteDialog(CaseDialog):
    def __init__(
        self,
        services: Services,
        person_id: int,
        note: NoteView | None = None,
        parent: QWidget | None = None,
        *,
        subject: str = "",
        body: str = "",
    ) -> None:
        super().__init__(
            "Add a case note" if note is None else "Case note", person_id, Kind.NOTE, parent
        )
        self.services = services
        self.note = note

        now = dt.datetime.now()
        self.date_field = DateField(accessible_name="Date of the note")
        self.date_field.set_date(now.date())
        self.time_field = QLineEdit(format_time(now.time()))
        self.time_field.setPlaceholderText("hh:mm")
        self.time_field.setMaxLength(12)
        self.subject = QLineEdit(subject)
        self.subject.setMaxLength(MAX_SUBJECT_CHARS)
        self.subject.setPlaceholderText("e.g. Call with mother")
        self.body = QPlainTextEdit(body)
        self.body.setTabChangesFocus(True)
        self.body.setPlaceholderText("What happened, and what happens next")
        self.body.setMinimumHeight(self.fontMetrics().lineSpacing() * 8)
        self.confidential = QCheckBox("Confidential: leave out of partner exports")

        self.add_row("Date", self.date_field, "occurred_at", accessible="Date of the note")
        self.add_row("Time", self.time_field, "occurred_time", accessible="Time of the note")
        self.add_row("Subject", self.subject, "subject")
        self.add_row("Note", self.body, "body", accessible="Note text")
        self.add_row("", self.confidential, "confidential", accessible="Confidential")

        if note is not None:
            self.load(note)

    def fill(self, note: NoteView) -> None:
        self.date_field.set_date(note.occurred_at.date())
        self.time_field.setText(format_time(note.occurred_at.time()))
        self.subject.setText(note.subject)
        self.body.setPlainText(note.body)
        self.confidential.setChecked(note.confidential)

    def prepare(self) -> Callable[[], Any]:
        at = parse_uk_datetime(
            self.date_field.text(),
            self.time_field.text(),
            date_field="occurred_at",
            time_field="occurred_time",
        )
        data = NoteInput(
            occurred_at=at,
            subject=self.subject.text(),
            body=self.body.toPlainText(),
            confidential=self.confidential.isChecked(),
        )
        notes = self.services.notes
        if self.note is None:
            return lambda: notes.add(self.person_id, data)
        note_id, version = self.note.id, self.note.version
        return lambda: notes.update(note_id, data, version)

    def reread(self) -> NoteView | None:
        return self.services.notes.get(self.note.id) if self.note is not None else None

    def build_on(self, saved: NoteView) -> None:
        self.note = saved
