"""Setting or changing a task: what, for which case (or none), who does it, by when, notes.

The case list and the workers are read before the dialog opens (``TaskDialog.load``), so the
form never waits on the database while it is on screen; the save runs off the GUI thread and a
refusal keeps every word typed, with the service's message beside its field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.errors import ValidationError
from veru_desk.domain.tasks import MAX_NOTES_CHARS, MAX_TITLE_CHARS, TaskInput
from veru_desk.services import Services
from veru_desk.services.caseload_view import CaseloadFilter
from veru_desk.services.tasks import TaskView
from veru_desk.ui.dialogs.case_chooser import case_text
from veru_desk.ui.dialogs.saving import SavesInBackground
from veru_desk.ui.widgets.forms import DateField, FieldErrors
from veru_desk.ui.widgets.kit import accept_button, dialog_buttons, grow_to_fit, house_form


@dataclass(frozen=True)
class TaskChoices:
    """What the form offers: the workers a task may go to and the cases it may be on."""

    workers: list[tuple[int, str]]
    cases: list[tuple[int, str]]


def load_choices(services: Services, with_cases: bool = True) -> TaskChoices:
    """Read off the GUI thread before the dialog opens."""
    workers = services.tasks.assignees()
    cases: list[tuple[int, str]] = []
    if with_cases:
        caseload = services.caseload
        rows = caseload.rows(caseload.ids(CaseloadFilter(open_only=True), limit=2000))
        cases = [(row.person_id, case_text(row)) for row in rows]
    return TaskChoices(workers, cases)


class TaskDialog(SavesInBackground):
    """Sets a task (``task`` None) or changes one. ``person`` fixes the case (a task set
    from a case); otherwise the case is chosen from the open cases, or none."""

    help_topic = "tasks"

    def __init__(
        self,
        services: Services,
        choices: TaskChoices,
        task: TaskView | None = None,
        *,
        person: tuple[int, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.task = task
        self.result_value: Any = None
        self._busy = False
        self.setWindowTitle("Set a task" if task is None else "Change a task")
        self.setModal(True)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 38)
        self.form = house_form()
        self.errors = FieldErrors()

        self.title_edit = QLineEdit()
        self.title_edit.setMaxLength(MAX_TITLE_CHARS)
        self.title_edit.setPlaceholderText("e.g. Call school about the return plan")
        self.case = QComboBox()
        self.case.addItem("No case: work for the unit", None)
        fixed = person
        if task is not None and task.person_id is not None:
            fixed = (task.person_id, task.case_text)
        if fixed is not None:
            self.case.addItem(fixed[1], fixed[0])
            self.case.setCurrentIndex(1)
            self.case.setEnabled(False)  # a task stays on its case (see services.tasks)
        else:
            for person_id, text in choices.cases:
                self.case.addItem(text, person_id)
        if task is not None and task.person_id is None:
            self.case.setEnabled(False)
        self.assignee = QComboBox()
        for user_id, name in choices.workers:
            self.assignee.addItem(name, user_id)
        me = services.actor.user_id
        wanted = task.assignee_id if task is not None else me
        index = self.assignee.findData(wanted)
        if index < 0 and task is not None:  # no longer active: still shown as it is
            self.assignee.addItem(task.assignee_name, task.assignee_id)
            index = self.assignee.count() - 1
        self.assignee.setCurrentIndex(max(index, 0))
        self.due = DateField(accessible_name="Due date")
        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName("Notes")
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(self.fontMetrics().lineSpacing() * 5)

        self.errors.add_row(self.form, "What*", self.title_edit, "title", accessible="Task")
        self.errors.add_row(self.form, "Case", self.case, "person")
        self.errors.add_row(self.form, "Who*", self.assignee, "assignee", accessible="Assigned to")
        self.errors.add_row(self.form, "Due*", self.due, "due_on")
        self.errors.add_row(self.form, "Notes", self.notes, "notes")
        if task is not None:
            self.title_edit.setText(task.title)
            self.due.set_date(task.due_on)
            self.notes.setPlainText(task.notes)
        self.general_error = QLabel()
        self.general_error.setObjectName("formError")
        self.general_error.setWordWrap(True)
        self.general_error.setVisible(False)
        self.buttons = dialog_buttons(
            "Set task" if task is None else "Save", on_accept=self.save, on_reject=self.reject
        )
        self.save_button: QPushButton = accept_button(self.buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.title_edit.setFocus()

    def data(self) -> TaskInput:
        """The form as typed; a date that cannot be read is refused beside its field."""
        notes = self.notes.toPlainText()
        if len(notes) > MAX_NOTES_CHARS:
            raise ValidationError({"notes": f"Keep the notes under {MAX_NOTES_CHARS} characters."})
        return TaskInput(
            title=self.title_edit.text(),
            assignee_id=self.assignee.currentData(),
            due_on=self.due.date_or_none("due_on"),
            person_id=self.case.currentData(),
            notes=notes,
        )

    def prepare(self) -> Callable[[], Any]:
        data = self.data()
        problems = data.problems(dt.date.today())
        if problems:
            raise ValidationError(problems)
        tasks = self.services.tasks
        if self.task is None:
            return lambda: tasks.create(data)
        ident, version = self.task.id, self.task.version
        return lambda: tasks.change(ident, data, version)


class CancelTaskDialog(QDialog):
    """Asks why a task is cancelled (the reason is kept with it and in the audit)."""

    help_topic = "tasks"

    def __init__(self, task: TaskView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Cancel a task")
        self.setModal(True)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 34)
        form = house_form()
        self.errors = FieldErrors()
        what = QLabel(task.title)
        what.setWordWrap(True)
        form.addRow("Task", what)
        self.reason = QLineEdit()
        self.reason.setMaxLength(1000)
        self.reason.setPlaceholderText("e.g. Young person moved out of the area")
        self.errors.add_row(form, "Why*", self.reason, "reason", accessible="Reason")
        buttons = dialog_buttons("Cancel task", on_accept=self._check, on_reject=self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _check(self) -> None:
        if not self.reason.text().strip():
            self.errors.show(
                ValidationError(
                    {"reason": "Say why the task is cancelled, e.g. 'Young person moved area'."}
                )
            )
            grow_to_fit(self, self.errors.labels())
            return
        self.accept()


class ReassignDialog(QDialog):
    """Chooses who a task goes to next (leave cover, a worker leaving)."""

    help_topic = "tasks"

    def __init__(
        self, task: TaskView, workers: list[tuple[int, str]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Reassign a task")
        self.setModal(True)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 30)
        form = house_form()
        what = QLabel(task.title)
        what.setWordWrap(True)
        form.addRow("Task", what)
        form.addRow("Now with", QLabel(task.assignee_name))
        self.worker = QComboBox()
        self.worker.setAccessibleName("Give it to")
        for user_id, name in workers:
            if user_id != task.assignee_id:
                self.worker.addItem(name, user_id)
        form.addRow("Give it to", self.worker)
        buttons = dialog_buttons("Reassign", on_accept=self.accept, on_reject=self.reject)
        accept_button(buttons).setEnabled(self.worker.count() > 0)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    @property
    def chosen(self) -> int | None:
        value = self.worker.currentData()
        return int(value) if value is not None else None
