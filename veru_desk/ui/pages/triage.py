"""Referrals: recording new ones, and the manager's triage and allocation.

The queue holds referrals received or in screening, urgent ones first and then the oldest
first, and accepted ones still waiting for a caseworker. Choosing one shows what the manager
needs to decide: the young person's age on the referral date (with a warning outside 10 to
25), any earlier referrals and how they ended, the reasons and consent. The decision (accept,
decline, signpost) needs a reason; an accepted referral can be allocated in the same step,
with each caseworker's open caseload shown beside their name; a signposted one names the
service it is passed to. A line above the queue says what the last decision did until the
next one.

A re-referral of an open case is marked as such ("open case, allocated to Dariusz Wójcik since
14/10/2026"). Deciding on it changes nothing about the case: accepting adds it to the case;
raising the case's priority or re-allocating the case are further choices the manager makes
on purpose.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.dates import age_on, format_uk_date
from veru_desk.domain.enums import Priority, ReferralStatus
from veru_desk.domain.errors import ValidationError, VeruError
from veru_desk.domain.workflow import (
    TRIAGE_ORDER_TEXT,
    can_reallocate,
    signpost_problems,
    signposted_to,
)
from veru_desk.services import Services
from veru_desk.services.caseload import CaseloadFilter
from veru_desk.services.changes import Changes, Kind
from veru_desk.services.referrals import ReferralView, WorkerLoad
from veru_desk.ui.shell.events import data_events
from veru_desk.ui.shell.tasks import Progress, run_task
from veru_desk.ui.widgets.feedback import show_error
from veru_desk.ui.widgets.forms import FieldErrors
from veru_desk.ui.widgets.page import page_frame, page_subtitle, page_title
from veru_desk.ui.widgets.record_table import Column, RecordTable, RecordTableModel

log = logging.getLogger(__name__)

_DECISIONS = (
    (ReferralStatus.ACCEPTED, "Accept"),
    (ReferralStatus.DECLINED, "Decline"),
    (ReferralStatus.SIGNPOSTED, "Signpost to another service"),
)


_FURTHER_ACCEPT = "Add to the open case (noted)"


def _status_text(view: ReferralView) -> str:
    if view.is_further_referral:
        return "Re-referral of an open case"
    return "Awaiting allocation" if view.status is ReferralStatus.ACCEPTED else view.status.label


def _age(view: ReferralView) -> str:
    if view.date_of_birth > view.received_on:
        return "?"
    return str(age_on(view.date_of_birth, view.received_on))


QUEUE_COLUMNS = (
    Column("Received", lambda v: format_uk_date(v.received_on)),
    Column("Young person", lambda v: v.person_name),
    Column("Age", _age, numeric=True, warning=lambda v: bool(v.age_warning)),
    Column("Referred by", lambda v: v.agency),
    Column(
        "Priority",
        lambda v: v.priority.label,
        warning=lambda v: v.priority in (Priority.HIGH, Priority.URGENT),
    ),
    Column("Status", _status_text, warning=lambda v: v.is_further_referral),
)


def worker_text(worker: WorkerLoad) -> str:
    cases = "open case" if worker.open_cases == 1 else "open cases"
    return f"{worker.display_name} ({worker.open_cases} {cases})"


def history_text(earlier: list[ReferralView]) -> str:
    """How each earlier referral ended, newest first: what a manager asks before deciding."""
    if not earlier:
        return "No earlier referrals: this is the first time they have been referred."
    count = len(earlier)
    lines = [f"Referred {'once' if count == 1 else f'{count} times'} before:"]
    for view in earlier:
        line = f"• received {format_uk_date(view.received_on)} from {view.agency}: "
        if view.status is ReferralStatus.CLOSED:
            reason = view.closure_reason.label.lower() if view.closure_reason else "no reason"
            line += f"case closed {format_uk_date(view.closed_on)} as “{reason}”"
        elif view.status is ReferralStatus.SIGNPOSTED and signposted_to(view.decision_reason):
            reason = view.decision_reason or ""
            line += reason[:1].lower() + reason[1:]
        elif view.status in (ReferralStatus.DECLINED, ReferralStatus.SIGNPOSTED):
            line += view.status.label.lower()
            if view.decision_reason:
                line += f" ({view.decision_reason})"
        else:
            line += view.status.label.lower()
            if view.worker:
                line += f", with {view.worker}"
        lines.append(line)
    return "\n".join(lines)


class TriagePage(QWidget):
    open_case = Signal(int)
    new_referral_requested = Signal()
    import_requested = Signal()
    loaded = Signal()

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.current: ReferralView | None = None
        self.earlier: list[ReferralView] = []
        self._workers: list[WorkerLoad] = []
        self._pending_select: int | None = None
        self._pending_error: Exception | None = None
        self._pending_reason = ""
        self._pending_signpost = ""
        self._pending_choice: tuple[ReferralStatus | None, int | None, Priority] | None = None
        self.errors = FieldErrors()

        self.new_button = QPushButton("New referral…")
        self.new_button.setToolTip("Record a new referral (Ctrl+N)")
        self.new_button.clicked.connect(self.new_referral_requested)
        self.import_button = QPushButton("Import spreadsheet…")
        self.import_button.clicked.connect(self.import_requested)
        layout = page_frame(self, "Referrals", actions=(self.new_button, self.import_button)).layout

        self.is_manager = services.actor.is_manager
        if not self.is_manager:
            note = QLabel(
                "Triage and allocation are a manager's decision. Referrals you record go to "
                "the manager's queue, and appear in your caseload once allocated to you."
            )
            note.setObjectName("notice")
            note.setWordWrap(True)
            layout.addWidget(note)
            layout.addStretch(1)
            self.model = RecordTableModel(QUEUE_COLUMNS, self)
            return

        self.queue_label = page_subtitle("Queue")
        self.queue_label.setAccessibleName("Referrals queue summary")
        layout.addWidget(self.queue_label)
        # what the last decision did, until the next action: the row leaving is not enough
        self.confirmation = QLabel()
        self.confirmation.setObjectName("notice")
        self.confirmation.setWordWrap(True)
        self.confirmation.setAccessibleName("Last decision")
        self.confirmation.setVisible(False)
        layout.addWidget(self.confirmation)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        self.model = RecordTableModel(QUEUE_COLUMNS, self)
        # columns sized to their text, the last taking what is left: at 150% text the table
        # scrolls sideways rather than cutting the agency's heading
        self.table = RecordTable(self.model, "Referrals awaiting a decision", self)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.activated.connect(self._activated)
        splitter.addWidget(self.table)
        splitter.addWidget(self._build_detail())
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        em = self.fontMetrics().horizontalAdvance("M")
        splitter.setSizes([62 * em, 38 * em])
        layout.addWidget(splitter, 1)
        self._show_detail(None)
        data_events().changed.connect(self._data_changed)

    # --- building ---------------------------------------------------------------------------

    def _build_detail(self) -> QWidget:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        panel = QWidget()
        scroll.setWidget(panel)
        scroll.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 26)
        box = QVBoxLayout(panel)
        box.setContentsMargins(12, 0, 0, 0)
        box.setSpacing(8)

        self.empty_label = QLabel("Choose a referral from the queue to decide on it.")
        self.empty_label.setObjectName("hint")
        self.empty_label.setWordWrap(True)
        box.addWidget(self.empty_label)

        self.detail = QWidget()
        detail = QVBoxLayout(self.detail)
        detail.setContentsMargins(0, 0, 0, 0)
        detail.setSpacing(8)
        self.name_label = page_title()
        self.name_label.setWordWrap(True)
        self.name_label.setAccessibleName("Young person")
        self.facts_label = QLabel()
        self.facts_label.setWordWrap(True)
        self.facts_label.setAccessibleName("Referral details")
        self.facts_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.age_warning = QLabel()
        self.age_warning.setObjectName("warning")
        self.age_warning.setWordWrap(True)
        self.age_warning.setAccessibleName("Age range warning")
        self.open_case_label = QLabel()
        self.open_case_label.setObjectName("warning")
        self.open_case_label.setWordWrap(True)
        self.open_case_label.setAccessibleName("Re-referral of an open case")
        self.history_label = QLabel()
        self.history_label.setObjectName("notice")
        self.history_label.setWordWrap(True)
        self.history_label.setAccessibleName("Earlier referrals")
        self.narrative_label = QLabel()
        self.narrative_label.setWordWrap(True)
        self.narrative_label.setAccessibleName("Narrative")
        self.narrative_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for widget in (
            self.name_label,
            self.facts_label,
            self.open_case_label,
            self.age_warning,
            self.history_label,
            self.narrative_label,
        ):
            detail.addWidget(widget)

        self.decision_group = QGroupBox("Decision")
        form = QFormLayout(self.decision_group)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        choices = QWidget()
        choice_layout = QVBoxLayout(choices)
        choice_layout.setContentsMargins(0, 0, 0, 0)
        self.decision_buttons = QButtonGroup(self)
        self.decision_radios: dict[ReferralStatus, QRadioButton] = {}
        for status, label in _DECISIONS:
            radio = QRadioButton(label)
            radio.setAccessibleName(f"Decision: {label}")
            self.decision_buttons.addButton(radio)
            self.decision_radios[status] = radio
            choice_layout.addWidget(radio)
        self.decision_buttons.buttonToggled.connect(lambda *_: self._decision_changed())
        self.decision_error = self.errors.add_row(
            form, "Decision", choices, "decision", accessible="Decision"
        )
        self.signpost = QLineEdit()
        self.signpost.setPlaceholderText("e.g. Early Help, CAMHS")
        self.signpost.setMaxLength(200)
        self.signpost_error = self.errors.add_row(
            form,
            "Signposted to",
            self.signpost,
            "signposted_to",
            accessible="Service signposted to",
        )
        self.signpost_label = form.labelForField(self.signpost)
        self.signpost.textChanged.connect(lambda _t: self._hide_error(self.signpost_error))
        self.priority = QComboBox()
        for priority in Priority:
            self.priority.addItem(priority.label, priority.value)
        self.errors.add_row(
            form, "Priority", self.priority, "priority", accessible="Referral priority"
        )
        self.priority_label = form.labelForField(self.priority)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Why, in one line")
        self.errors.add_row(form, "Reason", self.reason, "reason", accessible="Decision reason")
        self.worker = QComboBox()
        self.errors.add_row(
            form, "Allocate to", self.worker, "worker", accessible="Allocate to caseworker"
        )
        self.worker_label = form.labelForField(self.worker)
        buttons = QHBoxLayout()
        self.screening_button = QPushButton("Start screening")
        self.screening_button.clicked.connect(self.start_screening)
        self.open_button = QPushButton("Open case")
        self.open_button.clicked.connect(self._open_current)
        self.decide_button = QPushButton("Record decision")
        self.decide_button.setObjectName("primary")
        self.decide_button.clicked.connect(self.record_decision)
        buttons.addWidget(self.screening_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.decide_button)
        form.addRow(buttons)
        detail.addWidget(self.decision_group)
        detail.addStretch(1)
        box.addWidget(self.detail)
        # never narrower than the decision form's buttons (150% text squeezed them off)
        needed = panel.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width()
        scroll.setMinimumWidth(max(scroll.minimumWidth(), needed))
        return scroll

    # --- loading ----------------------------------------------------------------------------

    def refresh(self) -> None:
        if not self.is_manager:
            return
        services = self.services
        keep = self.current.id if self.current else None
        if self._pending_select is None:
            self._pending_select = keep

        def work(_progress: Progress) -> tuple[list[ReferralView], list[WorkerLoad]]:
            queue = services.referrals.triage_queue()  # urgent first, then the oldest
            return queue + awaiting_allocation(services), services.referrals.workers()

        run_task(
            self,
            "Loading the referrals queue",
            work,
            self._loaded,
            self._load_failed,
            show_progress=False,
        )

    def _loaded(self, result: tuple[list[ReferralView], list[WorkerLoad]]) -> None:
        queue, workers = result
        self._workers = workers
        self.model.set_rows(queue)
        waiting = sum(1 for v in queue if v.status.awaiting_triage)
        allocating = len(queue) - waiting
        text = f"{waiting} awaiting a decision"
        further = sum(1 for v in queue if v.is_further_referral)
        if further:
            words = "re-referral of an open case" if further == 1 else "re-referrals of open cases"
            text += f" ({further} {words})"
        if allocating:
            text += f", {allocating} accepted and awaiting allocation"
        self.queue_label.setText(
            text
            + (
                f" · {TRIAGE_ORDER_TEXT}"
                if queue
                else ". The queue is empty: new referrals appear here as they are recorded "
                "or imported."
            )
        )
        wanted = self._pending_select
        self._pending_select = None
        row = next((i for i, v in enumerate(queue) if v.id == wanted), 0 if queue else -1)
        self.current = None
        if row >= 0:
            self.table.selectRow(row)
            if self.current is None:
                self._select(queue[row])
        else:
            self._show_detail(None)
        self._show_pending_error()
        self.loaded.emit()

    def _show_pending_error(self) -> None:
        error, self._pending_error = self._pending_error, None
        if error is None:
            return
        choice, self._pending_choice = self._pending_choice, None
        if self.current is not None and self.current.status.awaiting_triage and choice:
            decision, worker_id, priority = choice  # nothing chosen or typed is lost
            if decision is not None:
                self.decision_radios[decision].setChecked(True)
            self.priority.setCurrentIndex(self.priority.findData(priority.value))
            if worker_id is not None:
                self.choose_worker(worker_id)
        if self.current is not None and self._pending_reason:
            self.reason.setText(self._pending_reason)
        if self.current is not None and self._pending_signpost:
            self.signpost.setText(self._pending_signpost)
        self._pending_reason = self._pending_signpost = ""
        if isinstance(error, ValidationError):
            unplaced = self.errors.show(error)
            if unplaced:
                show_error(self, ValidationError({"": "\n".join(unplaced)}))
        else:
            show_error(self, error)

    def _load_failed(self, error: Exception) -> None:
        self._pending_select = None
        show_error(self, error)

    def select_referral(self, referral_id: int) -> None:
        """Shows a given referral (from the dashboard) once the queue has loaded."""
        for row, view in enumerate(self.model.rows()):
            if view.id == referral_id:
                self.table.selectRow(row)
                self._select(view)
                return
        self._pending_select = referral_id

    def _data_changed(self, changes: Changes) -> None:
        if changes.touches((Kind.REFERRAL, Kind.CASE, Kind.PERSON, Kind.USER)) and self.isVisible():
            self.refresh()

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        view = self.model.row_at(current.row()) if current.isValid() else None
        if view is not None and (self.current is None or view.id != self.current.id):
            self._select(view)

    def _select(self, view: ReferralView) -> None:
        earlier: list[ReferralView] = []
        if view.previous_referrals:
            try:
                earlier = [
                    r
                    for r in self.services.referrals.for_person(view.person_id)
                    if r.id != view.id and r.received_on <= view.received_on
                ]
            except VeruError as error:
                log.warning("could not read earlier referrals: %s", error)
        self.earlier = earlier
        self._show_detail(view)

    # --- showing ----------------------------------------------------------------------------

    def _show_detail(self, view: ReferralView | None) -> None:
        self.current = view
        self.errors.clear()
        self.empty_label.setVisible(view is None)
        self.detail.setVisible(view is not None)
        if view is None:
            return
        self.name_label.setText(f"{view.person_name}  ·  {view.case_ref}")
        age = _age(view)
        reasons = ", ".join(r.label for r in view.reasons) or "none recorded"
        consent = (
            f"young person: {view.consent_young_person.label.lower()}; "
            f"parent or carer: {view.consent_parent.label.lower()}"
        )
        basis = view.sharing_basis.label if view.sharing_basis else "not recorded"
        referrer = f" ({view.referrer_name})" if view.referrer_name else ""
        self.facts_label.setText(
            f"Born {format_uk_date(view.date_of_birth)}, aged {age} on the referral date\n"
            f"Received {format_uk_date(view.received_on)} from {view.agency}{referrer}\n"
            f"Reasons: {reasons}\n"
            f"Consent: {consent}\n"
            f"Information-sharing basis: {basis}"
        )
        self.age_warning.setText(view.age_warning or "")
        self.age_warning.setVisible(bool(view.age_warning))
        self.history_label.setText(history_text(self.earlier))
        self.narrative_label.setText(view.narrative or "")
        self.narrative_label.setVisible(bool(view.narrative))
        further = view.is_further_referral
        self.open_case_label.setVisible(further)
        if further:
            self.open_case_label.setText(
                f"Re-referral of an open case: {view.open_case_text}. Deciding on it does not "
                "change the case; raise the case's priority or re-allocate it below only if "
                "you choose to."
            )
        self.decision_radios[ReferralStatus.ACCEPTED].setText(
            _FURTHER_ACCEPT if further else dict(_DECISIONS)[ReferralStatus.ACCEPTED]
        )
        if isinstance(self.priority_label, QLabel):
            self.priority_label.setText("Case priority" if further else "Priority")
        if isinstance(self.worker_label, QLabel):
            self.worker_label.setText("Case worker" if further else "Allocate to")

        triage = view.status.awaiting_triage
        for radio in self.decision_radios.values():
            radio.setEnabled(triage)
        self.decision_buttons.setExclusive(False)
        for status, radio in self.decision_radios.items():
            radio.setChecked(not triage and status is ReferralStatus.ACCEPTED)
        self.decision_buttons.setExclusive(True)
        priority = view.case_priority if further and view.case_priority else view.priority
        self.priority.setCurrentIndex(self.priority.findData(priority.value))
        self.priority.setEnabled(triage)
        self.reason.clear()
        self.signpost.clear()
        self.reason.setPlaceholderText("Why, in one line" if triage else "Optional: a note")
        self.worker.clear()
        if further:
            keep = f"Keep with {view.case_worker}" if view.case_worker else "Allocate later"
            self.worker.addItem(keep, None)
        else:
            self.worker.addItem("Allocate later", None)
        for worker in self._workers:
            if not (further and worker.display_name == view.case_worker):
                self.worker.addItem(worker_text(worker), worker.user_id)
        self.screening_button.setVisible(view.status is ReferralStatus.RECEIVED)
        self.decide_button.setText("Record decision" if triage else "Allocate")
        self.decision_group.setTitle("Decision" if triage else "Allocation")
        self._decision_changed()

    def _hide_error(self, label: QLabel) -> None:
        label.clear()
        label.setVisible(False)

    def _decision_changed(self) -> None:
        view = self.current
        decision = self.chosen_decision()
        if decision is not None:
            self._hide_error(self.decision_error)  # chosen: "Choose accept…" no longer applies
        signposting = decision is ReferralStatus.SIGNPOSTED
        self.signpost.setVisible(signposting)
        if isinstance(self.signpost_label, QWidget):
            self.signpost_label.setVisible(signposting)
        if not signposting:
            self._hide_error(self.signpost_error)
        if view is not None and view.is_further_referral:
            # re-allocating the case is a choice of its own, whatever is decided on the referral
            status = view.case_status
            self.worker.setEnabled(status is not None and can_reallocate(status))
            return
        accepting = decision is ReferralStatus.ACCEPTED or (
            view is not None and not view.status.awaiting_triage
        )
        self.worker.setEnabled(accepting)
        if isinstance(self.worker_label, QWidget):
            self.worker_label.setEnabled(accepting)
        self.worker.setToolTip(
            "" if accepting else "Only an accepted referral is allocated to a caseworker"
        )
        if not accepting:
            self.worker.setCurrentIndex(0)

    def chosen_decision(self) -> ReferralStatus | None:
        for status, radio in self.decision_radios.items():
            if radio.isChecked():
                return status
        return None

    def choose_worker(self, user_id: int) -> None:
        self.worker.setCurrentIndex(self.worker.findData(user_id))

    def worker_choices(self) -> list[str]:
        return [self.worker.itemText(i) for i in range(self.worker.count())]

    # --- acting -----------------------------------------------------------------------------

    def start_screening(self) -> None:
        view = self.current
        if view is None:
            return
        self.confirmation.setVisible(False)
        try:
            self.services.referrals.start_screening(view.id)
        except VeruError as error:
            show_error(self, error)
            return
        self._pending_select = view.id
        self.refresh()

    def record_decision(self) -> None:
        view = self.current
        if view is None:
            return
        self.errors.clear()
        decision = self.chosen_decision()
        worker_id = self.worker.currentData()
        referrals = self.services.referrals
        triage = view.status.awaiting_triage
        if triage and decision is None:
            self.errors.show(ValidationError({"decision": "Choose accept, decline or signpost."}))
            return
        service = " ".join(self.signpost.text().split())
        if triage and decision is ReferralStatus.SIGNPOSTED:
            problems = signpost_problems(service)
            if problems:
                self.errors.show(ValidationError(problems))
                return
        if not triage and worker_id is None:
            self.errors.show(ValidationError({"worker": "Choose the caseworker to allocate."}))
            return
        reason = self.reason.text()
        signposting = triage and decision is ReferralStatus.SIGNPOSTED
        priority = Priority(self.priority.currentData())
        self.confirmation.setVisible(False)  # the next action has begun
        worker_name = next((w.display_name for w in self._workers if w.user_id == worker_id), None)

        def work(_progress: Progress) -> None:
            if triage:
                assert decision is not None
                referrals.decide(
                    view.id,
                    decision,
                    reason,
                    priority=priority,
                    expected_version=view.version,
                    signposted_to=service if signposting else None,
                )
            if worker_id is not None:
                referrals.allocate(view.id, worker_id, reason.strip() or None)

        def done(_result: None) -> None:
            self._confirm(view, decision if triage else None, worker_name, service)
            self._after_decision(view)

        def failed(error: Exception) -> None:
            # The queue is reloaded (a decision may have been saved before allocation
            # failed); the messages go beside the fields once the referral is shown again.
            self._pending_error = error
            self._pending_select = view.id
            self._pending_reason = reason
            self._pending_signpost = service
            self._pending_choice = (decision, worker_id, priority)
            self.refresh()

        run_task(
            self,
            "Recording the decision",
            work,
            done,
            failed,
            show_progress=False,
            cancellable=False,
        )

    def _confirm(
        self,
        view: ReferralView,
        decision: ReferralStatus | None,
        worker: str | None,
        service: str,
    ) -> None:
        """Says what the decision did, until the next action: the row leaving the queue is
        not enough to know the decision was saved, nor what it was."""
        who = f"{view.person_name} ({view.case_ref})"
        if decision is ReferralStatus.SIGNPOSTED:
            text = f"Signposted to {service}: {who}."
        elif decision is ReferralStatus.DECLINED:
            text = f"Declined: {who}."
        elif view.is_further_referral and decision is ReferralStatus.ACCEPTED:
            text = f"Added to the open case: {who}."
            if worker:
                text = f"Added to the open case and re-allocated to {worker}: {who}."
        elif worker:
            what = "Accepted and allocated" if decision is not None else "Allocated"
            text = f"{what} to {worker}: {who}."
        else:
            text = f"Accepted, awaiting allocation: {who}."
        self.confirmation.setText(text)
        self.confirmation.setVisible(True)

    def _after_decision(self, view: ReferralView) -> None:
        rows = self.model.rows()
        position = next((i for i, v in enumerate(rows) if v.id == view.id), 0)
        following = rows[position + 1] if position + 1 < len(rows) else None
        self.current = None
        self._pending_select = following.id if following else None
        self.refresh()

    def _activated(self, index: QModelIndex) -> None:
        view = self.model.row_at(index.row())
        if view is not None:
            self.open_case.emit(view.person_id)

    def _open_current(self) -> None:
        if self.current is not None:
            self.open_case.emit(self.current.person_id)


def awaiting_allocation(services: Services) -> list[ReferralView]:
    """Accepted referrals with no caseworker yet (few at any time), oldest first."""
    ids = services.caseload.ids(CaseloadFilter(statuses=frozenset({ReferralStatus.ACCEPTED})))
    views: list[ReferralView] = []
    for person_id in ids:
        person = services.people.get(person_id)
        if person.current_referral_id is None:
            continue
        view = services.referrals.get(person.current_referral_id)
        if view.status is ReferralStatus.ACCEPTED:
            views.append(view)
    views.sort(key=lambda v: (v.received_on, v.id))
    return views
