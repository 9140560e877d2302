"""The Tasks page: my tasks (and, for a manager, the team's) by due date, overdue first, with
set, change, done, reassign, cancel and reopen. Also the dashboard's two task cards.

Overdue is said in words ("Overdue by 3 days") as well as in the warning colour, so it never
depends on colour alone. Lists are read off the GUI thread and again whenever a task changes
(``Kind.TASK``) while the page is on screen, or the next time it is shown.
"""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from veru_desk.domain.tasks import Due, TaskStatus
from veru_desk.services import Services
from veru_desk.services.changes import Changes, Kind
from veru_desk.services.tasks import TaskView, WorkerOverdue
from veru_desk.ui.dialogs.task import (
    CancelTaskDialog,
    ReassignDialog,
    TaskChoices,
    TaskDialog,
    load_choices,
)
from veru_desk.ui.shell.events import data_events
from veru_desk.ui.shell.tasks import run_task
from veru_desk.ui.widgets.dashboard_card import ITEM_ROLE, DashboardCard
from veru_desk.ui.widgets.feedback import show_error
from veru_desk.ui.widgets.kit import empty_state
from veru_desk.ui.widgets.page import page_frame
from veru_desk.ui.widgets.record_table import Column, RecordTable, RecordTableModel

#: the tables' warning colour (``ui.widgets.record_table``)
WARNING_COLOUR = QColor("#9c2a00")
MINE = "mine"
TEAM = "team"


def _from(task: TaskView) -> str:
    return task.source_kind.label if task.source_kind is not None else "Set by hand"


TASK_COLUMNS = [
    Column(
        "Due",
        lambda t: t.due_text() if t.status is TaskStatus.OPEN else t.status_text,
        warning=lambda t: t.overdue,
        quiet=lambda t: t.status is not TaskStatus.OPEN,
    ),
    Column(
        "Task",
        lambda t: t.title,
        tooltip=lambda t: "\n".join(p for p in (t.title, t.notes) if p),
        quiet=lambda t: t.status is not TaskStatus.OPEN,
    ),
    Column(
        "Case",
        lambda t: t.case_text or "No case",
        tooltip=lambda t: (
            "" if t.may_open_case or t.case_ref is None else "A colleague's case: reference only"
        ),
        quiet=lambda t: t.status is not TaskStatus.OPEN,
    ),
    Column("Assigned to", lambda t: t.assignee_name),
    Column(
        "Status",
        lambda t: (
            f"Cancelled: {t.cancel_reason}"
            if t.status is TaskStatus.CANCELLED and t.cancel_reason
            else t.status_text
        ),
    ),
    Column("From", _from, tooltip=lambda t: f"Set by {t.set_by}" if t.set_by else ""),
]


class TasksPage(QWidget):
    help_topic = "tasks"
    open_case = Signal(int)

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self._generation = 0
        self._stale = False
        self._choices: TaskChoices | None = None
        self._wanted_task: int | None = None  # to select once listed (from the dashboard)
        self._wanted_worker: int | None = None  # to filter on once listed
        self.tasks: list[TaskView] = []
        manager = services.actor.is_manager
        layout = page_frame(
            self,
            "Tasks",
            subtitle="Work handed to you and your colleagues, by due date: overdue first. "
            "Actions a plan or a panel gives to the unit arrive here as tasks.",
        ).layout

        filters = QHBoxLayout()
        self.scope = QComboBox()
        self.scope.setAccessibleName("Whose tasks")
        self.scope.addItem("My tasks", MINE)
        if manager:
            self.scope.addItem("The team's tasks", TEAM)
        self.scope.setVisible(manager)
        self.worker = QComboBox()
        self.worker.setAccessibleName("Worker")
        self.worker.addItem("Everyone", None)
        self.worker.setVisible(False)
        self.closed = QCheckBox("Show done and cancelled")
        filters.addWidget(self.scope)
        filters.addWidget(self.worker)
        filters.addWidget(self.closed)
        filters.addStretch(1)
        layout.addLayout(filters)

        buttons = QHBoxLayout()
        self.add_button = QPushButton("Set a task…")
        self.add_button.setObjectName("primary")
        self.add_button.clicked.connect(self.add_task)
        self.done_button = QPushButton("Mark done")
        self.done_button.clicked.connect(self.complete_selected)
        self.change_button = QPushButton("Change…")
        self.change_button.clicked.connect(self.change_selected)
        self.reassign_button = QPushButton("Reassign…")
        self.reassign_button.clicked.connect(self.reassign_selected)
        self.cancel_button = QPushButton("Cancel task…")
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.reopen_button = QPushButton("Reopen")
        self.reopen_button.clicked.connect(self.reopen_selected)
        self.case_button = QPushButton("Open case")
        self.case_button.clicked.connect(self.open_selected_case)
        for button in (
            self.add_button,
            self.done_button,
            self.change_button,
            self.reassign_button,
            self.cancel_button,
            self.reopen_button,
            self.case_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        self.model = RecordTableModel(TASK_COLUMNS, self)
        self.table = RecordTable(self.model, "Tasks", stretch_column=1)
        self.table.doubleClicked.connect(self.change_selected)
        self.table.fit_columns()
        layout.addWidget(self.table, 1)
        self.empty = empty_state(
            "No open tasks. Tasks set for you, and actions a plan or a panel gives you, "
            "appear here.",
            ("Set a task…", self.add_task),
        )
        self.empty.setVisible(False)
        layout.addWidget(self.empty, 1)
        self.result_label = QLabel()
        self.result_label.setObjectName("hint")
        self.result_label.setAccessibleName("Tasks listed")
        layout.addWidget(self.result_label)

        self.scope.currentIndexChanged.connect(lambda _i: self._scope_changed())
        self.worker.currentIndexChanged.connect(lambda _i: self.show_tasks(self._all))
        self.closed.toggled.connect(lambda _on: self.refresh())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._fit_buttons())
        self._all: list[TaskView] = []
        self._fit_buttons()
        data_events().changed.connect(self._data_changed)

    # --- reading ----------------------------------------------------------------------------

    def _data_changed(self, changes: Changes) -> None:
        if not shiboken6.isValid(self) or not changes.touches(Kind.TASK):
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

    def select_task(self, task_id: int) -> None:
        """Selects a task once the list holds it (a task opened from the dashboard)."""
        self._wanted_task = task_id
        if self.scope.currentData() != MINE:
            self.scope.setCurrentIndex(self.scope.findData(MINE))
        self._select_wanted()

    def _select_wanted(self) -> None:
        wanted = getattr(self, "_wanted_task", None)
        if wanted is None:
            return
        for row, task in enumerate(self.tasks):
            if task.id == wanted:
                self._wanted_task = None
                self.table.selectRow(row)
                self.table.setFocus()
                return

    def show_team(self, worker_id: int | None = None) -> None:
        """The team's tasks, one worker's when given (from the dashboard's overdue card)."""
        index = self.scope.findData(TEAM)
        if index < 0:
            return
        self._wanted_worker = worker_id
        self.scope.setCurrentIndex(index)
        self.refresh()

    def _scope_changed(self) -> None:
        self.worker.setVisible(self.scope.currentData() == TEAM)
        self.refresh()

    def refresh(self) -> None:
        self._generation += 1
        generation = self._generation
        tasks = self.services.tasks
        team = self.scope.currentData() == TEAM
        closed = self.closed.isChecked()

        def read(_progress: object) -> list[TaskView]:
            return tasks.team(closed) if team else tasks.mine(closed)

        def shown(found: list[TaskView]) -> None:
            if shiboken6.isValid(self) and generation == self._generation:
                self.show_tasks(found)

        run_task(
            self,
            "Reading tasks",
            read,
            shown,
            lambda error: show_error(self, error),
            cancellable=False,
            show_progress=False,
        )

    def show_tasks(self, found: list[TaskView]) -> None:
        self._all = list(found)
        self._fill_workers(found)
        worker = self.worker.currentData() if self.worker.isVisible() else None
        rows = [t for t in found if worker is None or t.assignee_id == worker]
        self.tasks = rows
        self.model.set_rows(rows)
        self._keep_room_for_the_task()
        self.table.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        overdue = sum(1 for t in rows if t.due() is Due.OVERDUE)
        today = sum(1 for t in rows if t.due() is Due.TODAY)
        listed = f"{len(rows)} task{'s' if len(rows) != 1 else ''}"
        said = [listed]
        if overdue:
            said.append(f"{overdue} overdue")
        if today:
            said.append(f"{today} due today")
        self.result_label.setText(", ".join(said) + ".")
        self.table.select_first()
        self._select_wanted()
        self._fit_buttons()

    def _keep_room_for_the_task(self) -> None:
        """The Task column (the one that stretches) keeps room for a title: with large text
        the case and due columns, fitted to their text, would leave it a sliver. Measured on
        the table as it is now wide, so done again whenever the page is resized."""
        header = self.table.horizontalHeader()
        em = self.table.fontMetrics().horizontalAdvance("M")
        others = sum(
            header.sectionSize(column) for column in range(self.model.columnCount()) if column != 1
        )
        short = 18 * em - (self.table.viewport().width() - others)
        for column in (2, 0):  # the case, then the due date, give way
            if short <= 0:
                return
            size = header.sectionSize(column)
            given = min(short, max(0, size - 10 * em))
            header.resizeSection(column, size - given)
            short -= given

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.tasks:
            self.table.fit_columns()
            self._keep_room_for_the_task()

    def _fill_workers(self, found: list[TaskView]) -> None:
        """The worker filter offers those who have tasks in the list."""
        wanted = getattr(self, "_wanted_worker", None)
        current = wanted if wanted is not None else self.worker.currentData()
        self._wanted_worker = None
        names = sorted({(t.assignee_name, t.assignee_id) for t in found})
        self.worker.blockSignals(True)
        self.worker.clear()
        self.worker.addItem("Everyone", None)
        for name, user_id in names:
            self.worker.addItem(name, user_id)
        index = self.worker.findData(current)
        self.worker.setCurrentIndex(max(index, 0))
        self.worker.blockSignals(False)

    def selected(self) -> TaskView | None:
        chosen: TaskView | None = self.table.selected()
        return chosen

    def _fit_buttons(self) -> None:
        task = self.selected()
        is_open = task is not None and task.status is TaskStatus.OPEN
        self.done_button.setEnabled(is_open)
        self.change_button.setEnabled(is_open)
        self.reassign_button.setEnabled(is_open)
        self.cancel_button.setEnabled(is_open)
        self.reopen_button.setEnabled(task is not None and not is_open)
        self.case_button.setEnabled(task is not None and task.may_open_case)

    # --- changing ---------------------------------------------------------------------------

    def _with_choices(self, then: object, with_cases: bool = True) -> None:
        services = self.services

        def read(_progress: object) -> TaskChoices:
            return load_choices(services, with_cases)

        run_task(
            self,
            "Reading workers and cases",
            read,
            then,  # type: ignore[arg-type]  # a callable taking the choices
            lambda error: show_error(self, error),
            cancellable=False,
            show_progress=False,
        )

    def add_task(self) -> None:
        self._with_choices(lambda choices: TaskDialog(self.services, choices, parent=self).exec())

    def change_selected(self) -> None:
        task = self.selected()
        if task is None or task.status is not TaskStatus.OPEN:
            return
        self._with_choices(
            lambda choices: TaskDialog(self.services, choices, task, parent=self).exec(),
            with_cases=False,
        )

    def complete_selected(self) -> None:
        task = self.selected()
        if task is None or task.status is not TaskStatus.OPEN:
            return
        tasks = self.services.tasks
        ident, version = task.id, task.version
        self._write("Marking the task done", lambda: tasks.complete(ident, version))

    def reopen_selected(self) -> None:
        task = self.selected()
        if task is None or task.status is TaskStatus.OPEN:
            return
        tasks = self.services.tasks
        ident, version = task.id, task.version
        self._write("Reopening the task", lambda: tasks.reopen(ident, version))

    def cancel_selected(self) -> None:
        task = self.selected()
        if task is None or task.status is not TaskStatus.OPEN:
            return
        dialog = CancelTaskDialog(task, self)
        if not dialog.exec():
            return
        tasks = self.services.tasks
        ident, version, reason = task.id, task.version, dialog.reason.text()
        self._write("Cancelling the task", lambda: tasks.cancel(ident, version, reason))

    def reassign_selected(self) -> None:
        task = self.selected()
        if task is None or task.status is not TaskStatus.OPEN:
            return

        def chosen(choices: TaskChoices) -> None:
            dialog = ReassignDialog(task, choices.workers, self)
            if not dialog.exec() or dialog.chosen is None:
                return
            tasks = self.services.tasks
            ident, version, to = task.id, task.version, dialog.chosen
            self._write("Reassigning the task", lambda: tasks.reassign(ident, to, version))

        self._with_choices(chosen, with_cases=False)

    def open_selected_case(self) -> None:
        task = self.selected()
        if task is not None and task.may_open_case and task.person_id is not None:
            self.open_case.emit(task.person_id)

    def _write(self, title: str, write: object) -> None:
        run_task(
            self,
            title,
            lambda _progress: write(),  # type: ignore[operator]  # a callable
            lambda _result: None,  # the write publishes Kind.TASK: the page reads again
            lambda error: show_error(self, error),
            cancellable=False,
            show_progress=False,
        )


# --- the dashboard's cards ------------------------------------------------------------------


class MyTasksCard(DashboardCard):
    """My tasks overdue, due today and this week: "Overdue by 3 days" in words and colour."""

    def set_items(self, items: list[Any], total: int | None = None) -> None:
        super().set_items([], total if total is not None else len(items))
        for task in items:
            assert isinstance(task, TaskView)
            case = f"  ({task.case_text})" if task.case_text else ""
            item = QListWidgetItem(f"{task.title}{case}\n{task.due_text()}")
            item.setData(ITEM_ROLE, task)
            if task.overdue:
                item.setForeground(_warning_brush())
            item.setToolTip("Double-click or press Enter to open the task")
            self.list.addItem(item)
        self.list.setVisible(bool(items))
        self.empty.setVisible(not items)
        self.more.setVisible(False)
        urgent = any(task.overdue for task in items)
        self.count.setProperty("urgent", urgent)
        self.count.style().unpolish(self.count)
        self.count.style().polish(self.count)


class TeamOverdueCard(DashboardCard):
    """A manager's view of who has overdue tasks, the worker with most first."""

    def set_items(self, items: list[Any], total: int | None = None) -> None:
        super().set_items([], total if total is not None else len(items))
        for worker in items:
            assert isinstance(worker, WorkerOverdue)
            oldest = worker.tasks[0]
            for task in worker.tasks:
                if task.due_on < oldest.due_on:
                    oldest = task
            plural = "task" if worker.count == 1 else "tasks"
            item = QListWidgetItem(
                f"{worker.worker_name}: {worker.count} overdue {plural}\n"
                f"Oldest: {oldest.due_text()}"
            )
            item.setData(ITEM_ROLE, worker)
            item.setToolTip(f"Double-click or press Enter to see {worker.worker_name}'s tasks")
            self.list.addItem(item)
        self.list.setVisible(bool(items))
        self.empty.setVisible(not items)
        self.more.setVisible(False)
        self.count.setProperty("urgent", bool(items))
        self.count.style().unpolish(self.count)
        self.count.style().polish(self.count)


def _warning_brush() -> QBrush:
    """The tables' warning colour (``ui.widgets.record_table``): overdue looks the same on
    the dashboard as on the Tasks page."""
    return QBrush(WARNING_COLOUR)


def task_cards() -> dict[str, type[DashboardCard]]:
    """The dashboard's card for each task section (``ui.pages.dashboard``)."""
    return {"my_tasks": MyTasksCard, "team_overdue_tasks": TeamOverdueCard}
