"""Reallocating cases: the caseworker they go to and why (leave cover, a worker leaving).

The reason is required: it goes into each case's chronology and the audit trail, where a
review asks why the case changed hands. The save is the workload service's one transaction,
so either every chosen case moves or none does; a refusal is shown beside its field and the
dialog stays open with what was typed.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.errors import ValidationError
from veru_desk.services.workload import (
    REASON_LIMIT,
    Reallocation,
    WorkerCase,
    WorkerFigures,
    WorkloadService,
)
from veru_desk.ui.shell.tasks import run_task
from veru_desk.ui.widgets.feedback import show_error
from veru_desk.ui.widgets.forms import FieldErrors
from veru_desk.ui.widgets.kit import accept_button, dialog_buttons, grow_to_fit, house_form

#: How many of the chosen cases the dialog names before it says "and N more".
NAMED_CASES = 6


def worker_choice_text(worker: WorkerFigures) -> str:
    """``Ciarán Ó Briain: 4 open (1 very high, 2 high, 1 low)``: enough to choose someone who
    has room, without leaving the dialog."""
    if not worker.open_cases:
        return f"{worker.display_name}: no open cases"
    return f"{worker.display_name}: {worker.open_cases} open ({worker.risk_text})"


def cases_text(cases: Sequence[WorkerCase]) -> str:
    """The chosen cases by reference and name, the first few, one a line."""
    lines = [f"{case.case_ref}  {case.name} ({case.risk_text} risk)" for case in cases]
    if len(lines) > NAMED_CASES:
        lines = [*lines[:NAMED_CASES], f"and {len(cases) - NAMED_CASES} more"]
    return "\n".join(lines)


class ReallocateDialog(QDialog):
    """Moves ``cases`` (all of one worker's, or some) to the worker chosen here."""

    def __init__(
        self,
        workload: WorkloadService,
        cases: Sequence[WorkerCase],
        workers: Sequence[WorkerFigures],
        *,
        from_worker: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.workload = workload
        self.cases = list(cases)
        self.result_value: Reallocation | None = None
        self._busy = False
        count = len(self.cases)
        what = "1 case" if count == 1 else f"{count} cases"
        self.setWindowTitle("Reallocate cases")
        self.setModal(True)
        heading = QLabel(f"Reallocate {what} from {from_worker}")
        heading.setObjectName("cardTitle")
        heading.setWordWrap(True)
        self.chosen = QLabel(cases_text(self.cases))
        self.chosen.setWordWrap(True)
        self.chosen.setAccessibleName("Cases to reallocate")
        self.errors = FieldErrors()
        self.form = house_form(QFormLayout())
        self.worker = QComboBox()
        self.worker.setPlaceholderText("Choose a caseworker")
        for worker in workers:
            if worker.can_take_cases:
                self.worker.addItem(worker_choice_text(worker), worker.user_id)
        self.worker.setCurrentIndex(-1)
        self.reason = QLineEdit()
        self.reason.setMaxLength(REASON_LIMIT)
        self.reason.setPlaceholderText("e.g. Leave cover to 21/03/2027")
        self.errors.add_row(self.form, "To", self.worker, "worker", accessible="New caseworker")
        self.errors.add_row(self.form, "Reason", self.reason, "reason", accessible="Reason")
        hint = QLabel("The reason is written in each case's chronology and the audit trail.")
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        self.form.addRow("", hint)
        self.sessions = QCheckBox("Planned sessions go to the new caseworker too")
        self.sessions.setChecked(True)
        self.sessions.setToolTip(
            "Sessions still planned from today that the present caseworker runs move to the "
            "new one's calendar; sessions already held, and those someone else runs, stay."
        )
        self.form.addRow("", self.sessions)
        self.general_error = QLabel()
        self.general_error.setObjectName("formError")
        self.general_error.setWordWrap(True)
        self.general_error.setVisible(False)
        self.buttons = dialog_buttons("Reallocate", on_accept=self.save, on_reject=self.reject)
        self.save_button = accept_button(self.buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.chosen)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 36)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Qt sizes a new window before its wrapped lines (long case names, the hint) know
        # their width, and came up short by a line when the names wrapped: grow to fit them.
        grow_to_fit(self)

    def chosen_worker(self) -> int | None:
        value = self.worker.currentData()
        return value if isinstance(value, int) else None

    def save(self) -> None:
        if self._busy:
            return
        self.errors.clear()
        self.general_error.setVisible(False)
        errors: dict[str, str] = {}
        worker_id = self.chosen_worker()
        if worker_id is None:
            errors["worker"] = "Choose the caseworker the cases go to."
        reason = self.reason.text()
        if not reason.strip():
            errors["reason"] = "Give a reason for the reallocation, for example leave cover."
        if errors or worker_id is None:
            self.show_validation(ValidationError(errors))
            return
        self._busy = True
        self.save_button.setEnabled(False)
        people = [case.person_id for case in self.cases]
        workload = self.workload
        sessions = self.sessions.isChecked()
        run_task(
            self,
            "Reallocating cases",
            lambda _progress: workload.reallocate(
                people, worker_id, reason, hand_over_sessions=sessions
            ),
            self._saved,
            self._failed,
            cancellable=False,
            show_progress=False,
        )

    def show_validation(self, error: ValidationError) -> None:
        unplaced = self.errors.show(error)
        if unplaced:
            self.general_error.setText("\n".join(unplaced))
            self.general_error.setVisible(True)
        grow_to_fit(self, [*self.errors.labels(), self.general_error])

    def _saved(self, result: Reallocation) -> None:
        self._busy = False
        self.save_button.setEnabled(True)
        self.result_value = result
        self.accept()

    def _failed(self, error: Exception) -> None:
        self._busy = False
        self.save_button.setEnabled(True)
        if isinstance(error, ValidationError):
            self.show_validation(error)
        else:
            show_error(self, error)
