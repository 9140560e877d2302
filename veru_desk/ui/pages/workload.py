"""Workload, for managers: each caseworker's open cases by risk level, sessions this week and
overdue cases; choose a worker to see their cases, choose one or several of them and
reallocate them to someone else with a reason (leave cover, a worker leaving).

The figures come from ``services.workload`` (one grouped query each, off the GUI thread); the
page reads again when a write anywhere changes cases, risk, plans, sessions or users, so a
reallocation made here or on another screen shows at once.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from veru_desk.domain.dates import format_uk_date
from veru_desk.services import Services
from veru_desk.services.changes import Changes, Kind
from veru_desk.services.workload import WorkerCase, WorkerFigures, WorkloadService
from veru_desk.ui.dialogs.reallocate import ReallocateDialog
from veru_desk.ui.shell.events import data_events
from veru_desk.ui.shell.tasks import run_task
from veru_desk.ui.widgets.feedback import show_error
from veru_desk.ui.widgets.kit import empty_state, primary_button, secondary_button
from veru_desk.ui.widgets.page import page_frame
from veru_desk.ui.widgets.record_table import Column, RecordTable, RecordTableModel

#: Rows of caseworkers shown before their table scrolls.
WORKER_ROWS_SHOWN = 8
#: What the figures are read from: a change to any of these may change a number shown.
WORKLOAD_KINDS = (
    Kind.CASE,
    Kind.RISK,
    Kind.PLAN,
    Kind.SESSION,
    Kind.USER,
    Kind.PERSON,
    Kind.TASK,
)


def worker_name(worker: WorkerFigures) -> str:
    return worker.display_name + ("" if worker.can_take_cases else " (no longer a caseworker)")


def worker_to_show(workers: list[WorkerFigures], chosen: int | None) -> int | None:
    """The worker whose cases the page shows: the one chosen while they are listed, else the
    first with open cases, else the first."""
    ids = [w.user_id for w in workers]
    if chosen in ids:
        return chosen
    busy = next((w.user_id for w in workers if w.open_cases), None)
    return busy if busy is not None else (ids[0] if ids else None)


WORKER_COLUMNS = (
    Column("Caseworker", worker_name, quiet=lambda w: not w.can_take_cases),
    Column("Open cases", lambda w: str(w.open_cases), numeric=True),
    Column("By risk level", lambda w: w.risk_text),
    Column("Sessions this week", lambda w: str(w.sessions_this_week), numeric=True),
    Column(
        "Overdue",
        lambda w: str(w.overdue),
        tooltip=lambda w: "Open cases with a risk review, plan review or plan action overdue",
        warning=lambda w: w.overdue > 0,
        numeric=True,
    ),
    Column(
        "Tasks overdue",
        lambda w: str(w.tasks_overdue),
        tooltip=lambda w: "Open tasks assigned to them and past their due date",
        warning=lambda w: w.tasks_overdue > 0,
        numeric=True,
    ),
)

CASE_COLUMNS = (
    Column("Case ref", lambda c: c.case_ref),
    Column("Name", lambda c: c.name),
    Column("Risk", lambda c: c.risk_text.capitalize()),
    Column("Status", lambda c: c.status.label),
    Column("Allocated", lambda c: c.allocated_text),
    Column("Next review", lambda c: format_uk_date(c.next_review_on)),
    Column("Overdue", lambda c: c.overdue, warning=lambda c: bool(c.overdue)),
)


class WorkloadPage(QWidget):
    open_case = Signal(int)
    #: the figures and the chosen worker's cases are on screen (tests wait on it)
    loaded = Signal()

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.workload = WorkloadService(services.db, services.actor)
        self.workers: list[WorkerFigures] = []
        self._chosen_worker: int | None = None
        self._generation = 0
        self.reallocate_button = primary_button("Reallocate…", self.reallocate)
        self.reallocate_button.setToolTip("Move the chosen cases to another caseworker")
        frame = page_frame(
            self,
            "Workload",
            subtitle="Each caseworker's open cases, this week's sessions and what is overdue. "
            "Choose a caseworker to see their cases, then one or several cases to reallocate "
            "them (leave cover, someone leaving).",
        )
        layout = frame.layout

        self.worker_model = RecordTableModel(WORKER_COLUMNS, self)
        self.worker_table = RecordTable(
            self.worker_model, "Caseworkers and their workload", self, stretch_column=2
        )
        layout.addWidget(self.worker_table, 2)
        self.no_workers = empty_state(
            "No caseworkers yet. An administrator adds them on the Administration page; their "
            "cases and figures then appear here."
        )
        self.no_workers.setVisible(False)
        layout.addWidget(self.no_workers, 2)

        self.cases_heading = QLabel("")
        self.cases_heading.setObjectName("cardTitle")
        layout.addWidget(self.cases_heading)
        self.case_model = RecordTableModel(CASE_COLUMNS, self)
        self.case_table = RecordTable(
            self.case_model, "The chosen caseworker's open cases", self, stretch_column=6
        )
        self.case_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.case_table.setToolTip(
            "Ctrl-click or Shift-click to choose several; double-click to open a case"
        )
        cases_area = QVBoxLayout()
        cases_area.setContentsMargins(0, 0, 0, 0)
        cases_area.addWidget(self.case_table)
        self.no_cases = empty_state("")
        self.no_cases.setVisible(False)
        cases_area.addWidget(self.no_cases)
        layout.addLayout(cases_area, 3)

        self.confirmation = QLabel("")
        self.confirmation.setObjectName("notice")
        self.confirmation.setWordWrap(True)
        self.confirmation.setAccessibleName("Reallocation done")
        self.confirmation.setVisible(False)
        self.selection_line = QLabel("")
        self.selection_line.setObjectName("hint")
        self.select_all_button = secondary_button("Choose all", self.case_table.selectAll)
        buttons = QHBoxLayout()
        buttons.addWidget(self.selection_line, 1)
        buttons.addWidget(self.select_all_button)
        buttons.addWidget(self.reallocate_button)
        layout.addWidget(self.confirmation)
        layout.addLayout(buttons)

        self.worker_table.selectionModel().selectionChanged.connect(
            lambda *_: self._worker_changed()
        )
        self.case_table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.case_model.modelReset.connect(self._update_buttons)
        self.case_table.doubleClicked.connect(self._open)
        data_events().changed.connect(self._data_changed)
        self._update_buttons()

    # --- reading ---------------------------------------------------------------------------

    def _data_changed(self, changes: Changes) -> None:
        if changes.touches(WORKLOAD_KINDS) and self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        """Reads every worker's figures and the chosen worker's cases (off the GUI thread)."""
        self._generation += 1
        generation = self._generation
        workload = self.workload
        chosen = self._chosen_worker

        def work(_progress: object) -> tuple[list[WorkerFigures], list[WorkerCase] | None]:
            workers = workload.workers()
            keep = worker_to_show(workers, chosen)
            return workers, (workload.cases_of(keep) if keep is not None else None)

        def shown(result: tuple[list[WorkerFigures], list[WorkerCase] | None]) -> None:
            if shiboken6.isValid(self) and generation == self._generation:
                self._show(*result)

        run_task(
            self,
            "Reading the workload",
            work,
            shown,
            lambda error: show_error(self, error),
            cancellable=False,
            show_progress=False,
        )

    def _show(self, workers: list[WorkerFigures], cases: list[WorkerCase] | None) -> None:
        self.workers = workers
        keep = self._chosen_worker = worker_to_show(workers, self._chosen_worker)
        blocker = self.worker_table.selectionModel().blockSignals(True)
        self.worker_model.set_rows(workers)
        row = next((i for i, w in enumerate(workers) if w.user_id == keep), -1)
        if row >= 0:
            self.worker_table.selectRow(row)
        self.worker_table.selectionModel().blockSignals(blocker)
        self._fit_worker_table()
        self.worker_table.setVisible(bool(workers))
        self.no_workers.setVisible(not workers)
        self._show_cases(cases or [])
        self.loaded.emit()

    def _fit_worker_table(self) -> None:
        """A small team's table is exactly as tall as its rows (the cases below get the rest
        of the page, and no row hides behind a scroll bar); a larger one shows at least four
        rows and at most ``WORKER_ROWS_SHOWN`` and scrolls."""
        table = self.worker_table
        count = self.worker_model.rowCount()
        row_height = table.rowHeight(0) if count else table.verticalHeader().defaultSectionSize()
        chrome = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth() + 2
        shown = min(max(count, 1), WORKER_ROWS_SHOWN)
        table.setMaximumHeight(chrome + shown * row_height)
        least = shown if count <= WORKER_ROWS_SHOWN else 4
        table.setMinimumHeight(chrome + least * row_height)

    def _show_cases(self, cases: list[WorkerCase]) -> None:
        worker = self.chosen_worker()
        self.case_model.set_rows(cases)
        if worker is None:
            self.cases_heading.setText("")
        else:
            count = len(cases)
            self.cases_heading.setText(
                f"{worker.display_name}'s open cases ({count})"
                if count
                else f"{worker.display_name}'s open cases"
            )
        text = (
            f"{worker.display_name} has no open cases. Choose another caseworker above to "
            "see theirs."
            if worker is not None
            else "Choose a caseworker above to see their cases."
        )
        label = self.no_cases.findChild(QLabel, "emptyStateText")
        if label is not None:
            label.setText(text)
        self.no_cases.setAccessibleName(text)
        self.case_table.setVisible(bool(cases))
        self.no_cases.setVisible(not cases and bool(self.workers))
        self._update_buttons()

    def _worker_changed(self) -> None:
        worker = self.worker_table.selected()
        if not isinstance(worker, WorkerFigures) or worker.user_id == self._chosen_worker:
            return
        self._chosen_worker = worker.user_id
        self._generation += 1
        generation = self._generation
        workload = self.workload
        worker_id = worker.user_id

        def shown(cases: list[WorkerCase]) -> None:
            if shiboken6.isValid(self) and generation == self._generation:
                self._show_cases(cases)
                self.loaded.emit()

        run_task(
            self,
            "Reading the caseworker's cases",
            lambda _progress: workload.cases_of(worker_id),
            shown,
            lambda error: show_error(self, error),
            cancellable=False,
            show_progress=False,
        )

    # --- choosing --------------------------------------------------------------------------

    def chosen_worker(self) -> WorkerFigures | None:
        return next((w for w in self.workers if w.user_id == self._chosen_worker), None)

    def chosen_cases(self) -> list[WorkerCase]:
        rows = sorted(index.row() for index in self.case_table.selectionModel().selectedRows())
        found = (self.case_model.row_at(row) for row in rows)
        return [case for case in found if isinstance(case, WorkerCase)]

    def _update_buttons(self) -> None:
        chosen = len(self.chosen_cases())
        total = self.case_model.rowCount()
        self.reallocate_button.setEnabled(chosen > 0)
        self.select_all_button.setEnabled(total > 0 and chosen < total)
        if total == 0:
            self.selection_line.setText("")
        elif chosen == 0:
            self.selection_line.setText("Choose the cases to reallocate.")
        else:
            self.selection_line.setText(f"{chosen} of {total} chosen")

    def _open(self, index: QModelIndex) -> None:
        case = self.case_model.row_at(index.row())
        if isinstance(case, WorkerCase):
            self.open_case.emit(case.person_id)

    # --- reallocating ----------------------------------------------------------------------

    def reallocate(self) -> ReallocateDialog | None:
        """Asks where the chosen cases go and why; moves them; says what it did."""
        cases = self.chosen_cases()
        worker = self.chosen_worker()
        if not cases or worker is None:
            return None
        others = [w for w in self.workers if w.user_id != worker.user_id]
        dialog = ReallocateDialog(
            self.workload, cases, others, from_worker=worker.display_name, parent=self
        )
        if dialog.exec() == ReallocateDialog.DialogCode.Accepted and dialog.result_value:
            self.confirmation.setText(dialog.result_value.text)
            self.confirmation.setVisible(True)
            self.refresh()
        return dialog
