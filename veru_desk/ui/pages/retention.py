"""Retention, for managers: the cases whose retention period has run out, the policy that
decides it, and the two ways a record's life ends, anonymising and erasing.

Neither can be undone from the app, so each asks for the case reference to be typed (not
just a click on Yes), a reason for the audit trail, and says exactly what goes and what
stays, including that backups taken earlier keep the data until they rotate out.
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.errors import ValidationError
from veru_desk.services import Services
from veru_desk.services.retention import MAX_REASON_CHARS, RetentionItem, RetentionPolicy
from veru_desk.ui.shell.tasks import run_task
from veru_desk.ui.widgets.feedback import show_error
from veru_desk.ui.widgets.forms import FieldErrors
from veru_desk.ui.widgets.kit import empty_state
from veru_desk.ui.widgets.page import page_frame, page_subtitle
from veru_desk.ui.widgets.record_table import Column, RecordTable, RecordTableModel

RETENTION_COLUMNS = (
    Column("Case ref", lambda i: i.case_ref),
    Column("Name", lambda i: i.name),
    Column("Closed on", lambda i: format_uk_date(i.closed_on)),
    Column("Review due", lambda i: format_uk_date(i.review_due_on)),
    Column("Reason", lambda i: i.reason),
)

BACKUPS_KEEP = (
    "Backups taken before today still hold the case as it is now until they rotate out of "
    "the backup folder (at most a year); restoring one of them brings the data back."
)
ANONYMISE_TEXT = (
    "Removed: names, date of birth (the year is kept), address, phone, email, NHS number, "
    "school or college, contacts, and every note, narrative and free-text account in "
    "referrals, assessments, plans, sessions and outcomes. Earlier audit entries about the "
    "case are redacted.\n\n"
    "Kept, for the unit's statistics: year of birth, gender, ethnicity, postcode district, "
    "education status, safeguarding flags, dates, statuses, referral reasons, risk levels, "
    "attendance and outcome scores."
)
ERASE_TEXT = (
    "Removed: the whole case — the young person's details, contacts, referrals and their "
    "history, risk assessments, plans, sessions, outcomes, notes and documents. Earlier audit "
    "entries about the case are redacted.\n\n"
    "Kept: only an audit entry saying the case reference was erased, by whom, when and why."
)


class EndOfRecordDialog(QDialog):
    """Confirms anonymising or erasing one case: type its reference, give a reason."""

    def __init__(self, item: RetentionItem, verb: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.verb = verb
        self.setWindowTitle(f"{verb.capitalize()} case {item.case_ref}")
        self.setModal(True)
        self.errors = FieldErrors()
        heading = QLabel(
            f"{verb.capitalize()} case {item.case_ref} ({item.name})? This cannot be undone."
        )
        heading.setObjectName("sectionTitle")
        heading.setWordWrap(True)
        self.explanation = QLabel(
            (ANONYMISE_TEXT if verb == "anonymise" else ERASE_TEXT) + "\n\n" + BACKUPS_KEEP
        )
        self.explanation.setWordWrap(True)
        self.typed_ref = QLineEdit()
        self.reason = QLineEdit()
        self.reason.setMaxLength(MAX_REASON_CHARS)
        self.reason.setPlaceholderText("e.g. Retention review: six years since closure")
        form = QFormLayout()
        self.errors.add_row(
            form,
            f"Type {item.case_ref} to confirm:",
            self.typed_ref,
            "case_ref",
            accessible="Case ref",
        )
        self.errors.add_row(form, "Reason:", self.reason, "reason", accessible="Reason")
        self.general_error = QLabel()
        self.general_error.setObjectName("formError")
        self.general_error.setStyleSheet("color: #b00020;")
        self.general_error.setWordWrap(True)
        self.general_error.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.confirm_button = self.buttons.addButton(
            f"{verb.capitalize()} the case", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.confirm_button.setEnabled(False)
        # Enter in a field cancels rather than erases: only a click on the named button does.
        self.confirm_button.setAutoDefault(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.typed_ref.textChanged.connect(self._update_button)
        self.reason.textChanged.connect(self._update_button)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.explanation)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 40)

    def reference_matches(self) -> bool:
        return "".join(self.typed_ref.text().split()).upper() == self.item.case_ref.upper()

    def _update_button(self) -> None:
        self.confirm_button.setEnabled(
            self.reference_matches() and bool(self.reason.text().strip())
        )

    def show_refusal(self, error: ValidationError) -> None:
        unplaced = self.errors.show(error)
        self.general_error.setText("\n".join(unplaced))
        self.general_error.setVisible(bool(unplaced))


class RetentionPage(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        layout = page_frame(self, "Retention: cases due for review").layout

        self.policy_errors = FieldErrors()
        policy = QFormLayout()
        self.years = QSpinBox()
        self.years.setRange(1, 100)
        self.years.setSuffix(" years after the case ended")
        self.until_age = QSpinBox()
        self.until_age.setRange(18, 100)
        self.until_age.setPrefix("until age ")
        self.policy_errors.add_row(
            policy,
            "Keep closed cases",
            self.years,
            "years_after_closure",
            accessible="Years to keep a closed case",
        )
        self.policy_errors.add_row(
            policy,
            "and at least",
            self.until_age,
            "until_age",
            accessible="Keep at least until the young person is this age",
        )
        self.save_policy_button = QPushButton("Save policy")
        self.save_policy_button.clicked.connect(self.save_policy)
        policy_row = QHBoxLayout()
        policy_row.addLayout(policy)
        policy_row.addWidget(self.save_policy_button)
        policy_row.addStretch(1)
        layout.addLayout(policy_row)
        explain = page_subtitle(
            "A case is due for review when every episode has ended and both periods have "
            "passed. Then anonymise it (keeps the numbers for reports) or erase it."
        )
        layout.addWidget(explain)

        self.model = RecordTableModel(RETENTION_COLUMNS, self)
        self.table = RecordTable(self.model, "Cases due for review", self, stretch_column=4)
        layout.addWidget(self.table, 1)
        self.empty = empty_state(
            "No case is due for review under this policy: nothing needs doing now. A case "
            "appears here once every episode has ended and both periods have passed."
        )
        self.empty.setVisible(False)
        layout.addWidget(self.empty, 1)
        self.status = QLabel()
        self.status.setAccessibleName("Retention status")
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        self.anonymise_button = QPushButton("Anonymise…")
        self.anonymise_button.clicked.connect(self.anonymise)
        self.erase_button = QPushButton("Erase…")
        self.erase_button.clicked.connect(self.erase)
        buttons.addWidget(self.anonymise_button)
        buttons.addWidget(self.erase_button)
        layout.addLayout(buttons)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.model.modelReset.connect(self._update_buttons)
        self._update_buttons()

    def refresh(self) -> None:
        retention = self.services.retention

        def shown(result: tuple[RetentionPolicy, list[RetentionItem]]) -> None:
            if not shiboken6.isValid(self):
                return
            policy, items = result
            self.years.setValue(policy.years_after_closure)
            self.until_age.setValue(policy.until_age)
            self.model.set_rows(items)
            self.table.setVisible(bool(items))
            self.empty.setVisible(not items)
            self.table.select_first()

        run_task(
            self,
            "Finding cases due for review",
            lambda _progress: (retention.policy(), retention.due_for_review()),
            shown,
            lambda error: show_error(self, error),
            cancellable=False,
            show_progress=False,
        )

    def selected(self) -> RetentionItem | None:
        item = self.table.selected()
        return item if isinstance(item, RetentionItem) else None

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        self.anonymise_button.setEnabled(chosen)
        self.erase_button.setEnabled(chosen)

    def save_policy(self) -> None:
        self.policy_errors.clear()
        policy = RetentionPolicy(self.years.value(), self.until_age.value())
        try:
            self.services.retention.set_policy(policy)
        except ValidationError as error:
            self.policy_errors.show(error)
            return
        except Exception as error:
            show_error(self, error)
            return
        self.status.setText(
            f"Policy saved: {policy.years_after_closure} years after a case ends, and at "
            f"least until age {policy.until_age}."
        )
        self.refresh()

    def anonymise(self) -> EndOfRecordDialog | None:
        return self._end("anonymise", self.services.retention.anonymise)

    def erase(self) -> EndOfRecordDialog | None:
        return self._end("erase", self.services.retention.erase)

    def _end(self, verb: str, act: Callable[[int, str], None]) -> EndOfRecordDialog | None:
        item = self.selected()
        if item is None:
            return None
        dialog = EndOfRecordDialog(item, verb, self)
        self._confirm_then(dialog, act)
        return dialog

    def _confirm_then(self, dialog: EndOfRecordDialog, act: Callable[[int, str], None]) -> None:
        """Asks; on a refusal the service explains (a reason naming the young person, an
        episode still open) the dialog comes back with what was typed and the message."""
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        item, reason = dialog.item, dialog.reason.text()
        done_word = "anonymised" if dialog.verb == "anonymise" else "erased"

        def done(_result: object) -> None:
            if shiboken6.isValid(self):
                self.status.setText(f"Case {item.case_ref} {done_word}.")
                self.refresh()

        def failed(error: Exception) -> None:
            if isinstance(error, ValidationError) and shiboken6.isValid(dialog):
                dialog.show_refusal(error)
                self._confirm_then(dialog, act)
            else:
                show_error(self, error)

        run_task(
            self,
            f"Case {item.case_ref} is being {done_word}…",
            lambda _progress: act(item.person_id, reason),
            done,
            failed,
            cancellable=False,
        )
