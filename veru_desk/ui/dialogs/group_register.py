"""A group's register: one row per young person with what happened and a short note, saved
all together in one transaction (``GroupService.record_register``).

Each row is that young person's own session, so the note goes on their record and nobody
else's. Someone whose case the reader may not open shows as a case reference and the worker
to ask, with what was recorded and no note; their worker or a manager records them.
Adding or taking someone off the register is saved at once (it books or cancels their places
in the weeks to come); what was chosen on the other rows stays as chosen.
"""

from __future__ import annotations

import datetime as dt

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.dates import format_time, format_uk_datetime
from veru_desk.domain.enums import Attendance
from veru_desk.domain.errors import ValidationError
from veru_desk.services import Services
from veru_desk.services.caseload_view import CaseloadFilter
from veru_desk.services.groups import GroupRegister, Mark, RegisterRow
from veru_desk.ui.dialogs.case_chooser import CaseChooser
from veru_desk.ui.shell.tasks import run_task
from veru_desk.ui.widgets.feedback import show_error
from veru_desk.ui.widgets.kit import (
    accept_button,
    dialog_buttons,
    empty_state,
    fit_to_screen,
    screen_room,
    secondary_button,
)

#: The choices offered on a row, in the order a register is taken.
CHOICES: tuple[Attendance, ...] = (
    Attendance.PLANNED,
    Attendance.ATTENDED,
    Attendance.DID_NOT_ATTEND,
    Attendance.CANCELLED_BY_YOUNG_PERSON,
    Attendance.CANCELLED_BY_SERVICE,
)
_CHOICE_WORDS = {Attendance.PLANNED: "Not recorded yet"}
MAX_NOTE = 500


def choice_text(attendance: Attendance) -> str:
    return _CHOICE_WORDS.get(attendance, attendance.label)


class GroupRegisterDialog(QDialog):
    help_topic = "group-sessions"

    def __init__(
        self, services: Services, group_session_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.group_session_id = group_session_id
        self.setWindowTitle("Group register")
        self.setModal(True)
        self._busy = False
        self.register: GroupRegister = services.groups.register(group_session_id)
        self.rows: list[RegisterRow] = []
        self.choices: list[QComboBox | None] = []
        self.notes: list[QLineEdit | None] = []

        self.heading = QLabel()
        self.heading.setObjectName("cardTitle")
        self.heading.setWordWrap(True)
        self.details = QLabel()
        self.details.setObjectName("hint")
        self.details.setWordWrap(True)

        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Young person", "Attendance", "Note"])
        self.note_heading = QTableWidgetItem("Note")
        self.note_heading.setToolTip(
            "A short note on the young person's own record: nobody else on the register sees it"
        )
        self.table.setHorizontalHeaderItem(2, self.note_heading)
        self.table.setAccessibleName("Register: one row per young person")
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._fit_buttons)
        self.empty = empty_state(
            "Nobody is on this register yet. Add the young people coming to the group.",
            ("Add young person…", self.add_person),
        )

        self.all_attended = secondary_button("Everyone attended", self.mark_all_attended)
        self.all_attended.setToolTip("Marks every row you record as attended; change the others")
        self.add_button = secondary_button("Add young person…", self.add_person)
        self.remove_button = secondary_button("Take off register…", self.remove_person)
        actions = QHBoxLayout()
        actions.addWidget(self.add_button)
        actions.addWidget(self.remove_button)
        actions.addStretch(1)
        actions.addWidget(self.all_attended)

        self.group_notes = QPlainTextEdit()
        self.group_notes.setAccessibleName("Notes about the group session")
        self.group_notes.setPlaceholderText(
            "About the session as a whole (what was covered). Not about one young person."
        )
        self.group_notes.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        notes_label = QLabel("Group notes")
        notes_label.setBuddy(self.group_notes)

        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.buttons = dialog_buttons("Save register", on_accept=self.save, on_reject=self.reject)
        self.save_button = accept_button(self.buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.details)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(notes_label)
        layout.addWidget(self.group_notes)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._show(self.register, {})
        self.group_notes.setPlainText(self.register.group.notes)
        em = self.fontMetrics().horizontalAdvance("M")
        self.table.setMinimumHeight(self.fontMetrics().lineSpacing() * 10)
        self.resize(em * 76, em * 52)
        fit_to_screen(self)

    # --- showing ---------------------------------------------------------------------------

    def _show(self, register: GroupRegister, kept: dict[int, tuple[Attendance, str]]) -> None:
        """Fills the rows; ``kept``: what was chosen on rows still listed, so adding someone
        does not undo the rest of the register being taken."""
        self.register = register
        group = register.group
        end = group.planned_start + dt.timedelta(minutes=group.duration_minutes)
        self.heading.setText(f"{group.title} · {format_uk_datetime(group.planned_start)}")
        self.details.setText(
            " · ".join(
                part
                for part in (
                    group.session_type.label,
                    f"until {format_time(end.time())}",
                    group.location,
                    f"facilitator {group.facilitator}" if group.facilitator else "",
                    f"{len(register.rows)} on the register",
                )
                if part
            )
        )
        self.rows = list(register.rows)
        self.choices, self.notes = [], []
        self.table.setRowCount(len(self.rows))
        for index, row in enumerate(self.rows):
            # Someone else's: the case reference over the worker, so the column stays narrow.
            name = QTableWidgetItem(row.label if row.visible else row.label.replace(", ", "\n", 1))
            name.setData(Qt.ItemDataRole.UserRole, row.session_id)
            if not row.visible:
                name.setToolTip("Not one of your cases: their worker or a manager records them")
            self.table.setItem(index, 0, name)
            attendance, note = kept.get(row.session_id, (row.attendance, row.notes))
            if row.visible:
                combo = QComboBox()
                for choice in CHOICES:
                    combo.addItem(choice_text(choice), choice.value)
                combo.setCurrentIndex(CHOICES.index(attendance))
                combo.setAccessibleName(f"Attendance of {row.label}")
                edit = QLineEdit(note)
                edit.setMaxLength(MAX_NOTE)
                edit.setAccessibleName(f"Note on {row.label}'s record")
                self.table.setCellWidget(index, 1, combo)
                self.table.setCellWidget(index, 2, edit)
                self.choices.append(combo)
                self.notes.append(edit)
            else:
                self.table.setItem(index, 1, QTableWidgetItem(choice_text(row.attendance)))
                other = QTableWidgetItem("Recorded by their worker")
                other.setForeground(self.palette().placeholderText())
                self.table.setItem(index, 2, other)
                self.choices.append(None)
                self.notes.append(None)
        self.table.resizeRowsToContents()
        self._fit_columns()
        self.table.setVisible(bool(self.rows))
        self.empty.setVisible(not self.rows)
        self.all_attended.setEnabled(any(self.choices))
        self._fit_buttons()

    def _fit_columns(self) -> None:
        """Every name and choice whole, and room for a note: the window grows to it (up to
        the screen) rather than hiding the note column behind a scroll bar."""
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        note = max(
            header.fontMetrics().horizontalAdvance(self.note_heading.text()),
            self.fontMetrics().horizontalAdvance("M") * 14,
        )
        frame = 2 * self.table.frameWidth() + self.table.verticalScrollBar().sizeHint().width()
        wanted = header.sectionSize(0) + header.sectionSize(1) + note + 24 + frame
        self.table.setMinimumWidth(min(wanted, screen_room(self).width() - 48))

    def _fit_buttons(self) -> None:
        chosen = self.chosen_row()
        self.remove_button.setEnabled(chosen is not None and chosen.visible)

    def chosen_row(self) -> RegisterRow | None:
        index = self.table.currentRow()
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def _kept(self) -> dict[int, tuple[Attendance, str]]:
        kept: dict[int, tuple[Attendance, str]] = {}
        for row, combo, edit in zip(self.rows, self.choices, self.notes, strict=True):
            if combo is not None and edit is not None:
                kept[row.session_id] = (CHOICES[combo.currentIndex()], edit.text())
        return kept

    def _reload(self) -> None:
        kept = self._kept()
        self._show(self.services.groups.register(self.group_session_id), kept)

    # --- taking the register ---------------------------------------------------------------

    def choose(self, label: str, attendance: Attendance, note: str | None = None) -> None:
        """Sets one row as a person would (tests and keyboard users alike)."""
        index = next(i for i, r in enumerate(self.rows) if r.label == label)
        combo, edit = self.choices[index], self.notes[index]
        if combo is None or edit is None:
            raise PermissionError(f"{label} is recorded by their own worker")
        combo.setCurrentIndex(CHOICES.index(attendance))
        if note is not None:
            edit.setText(note)

    def mark_all_attended(self) -> None:
        for combo in self.choices:
            if combo is not None:
                combo.setCurrentIndex(CHOICES.index(Attendance.ATTENDED))

    def marks(self) -> list[Mark]:
        marks = []
        for row, combo, edit in zip(self.rows, self.choices, self.notes, strict=True):
            if combo is None or edit is None:
                continue
            attendance = CHOICES[combo.currentIndex()]
            note = edit.text()
            if attendance is row.attendance and note == row.notes:
                continue
            marks.append(Mark(row.session_id, attendance, note, row.version))
        return marks

    def save(self) -> None:
        if self._busy:
            return
        self.error.setVisible(False)
        marks = self.marks()
        notes = self.group_notes.toPlainText()
        changed_notes = notes if notes.strip() != self.register.group.notes.strip() else None
        if not marks and changed_notes is None:
            self.accept()
            return
        self._busy = True
        self.save_button.setEnabled(False)
        groups, group = self.services.groups, self.register.group
        run_task(
            self,
            "Saving the register",
            lambda _progress: groups.record_register(group.id, marks, changed_notes, group.version),
            lambda _result: self._saved(),
            self._failed,
            cancellable=False,
            show_progress=False,
        )

    def _saved(self) -> None:
        self._busy = False
        if shiboken6.isValid(self):
            self.save_button.setEnabled(True)
            self.accept()

    def _failed(self, error: Exception) -> None:
        self._busy = False
        if not shiboken6.isValid(self):
            return
        self.save_button.setEnabled(True)
        if isinstance(error, ValidationError):
            self.error.setText("\n".join(error.fields.values()))
            self.error.setVisible(True)
        else:
            show_error(self, error)  # nothing was saved: the register stays as taken

    # --- who is on it ----------------------------------------------------------------------

    def add_person(self) -> None:
        try:
            caseload = self.services.caseload
            cases = caseload.rows(caseload.ids(CaseloadFilter(open_only=True)))
        except Exception as error:  # a closed database, a refusal: said calmly
            show_error(self, error)
            return
        on_register = {r.person_id for r in self.rows}
        cases = [c for c in cases if c.person_id not in on_register]
        chooser = CaseChooser(
            cases, f"Add to the register of {self.register.group.title}: which young person?", self
        )
        chooser.setWindowTitle("Add to the register")
        if not chooser.exec() or chooser.chosen is None:
            return
        self.add_people([chooser.chosen])

    def add_people(self, person_ids: list[int]) -> None:
        try:
            self.services.groups.add_people(self.group_session_id, person_ids)
            self._reload()
        except Exception as error:
            show_error(self, error)

    def remove_person(self) -> None:
        row = self.chosen_row()
        if row is None or not row.visible:
            return
        weeks = " and the weeks after" if self.register.group.series_id else ""
        answer = QMessageBox.question(
            self,
            "Take off the register",
            f"Take {row.label} off this group from this session{weeks}? Their planned places "
            "are cancelled; any attendance already recorded stays on their record.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.services.groups.remove_person(self.group_session_id, row.person_id)
            self._reload()
        except Exception as error:
            show_error(self, error)
