"""Every referral (episode) of the case and the decisions taken on each, with their reasons."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QLabel, QSplitter, QVBoxLayout, QWidget

from veru_desk.domain.dates import format_uk_date
from veru_desk.services import Services
from veru_desk.services.changes import Kind
from veru_desk.services.referrals import ReferralView, TransitionView
from veru_desk.ui.case.tab import CaseTab
from veru_desk.ui.widgets.record_table import Column, RecordTable, RecordTableModel

REFERRAL_COLUMNS = [
    Column("Received", lambda r: format_uk_date(r.received_on)),
    Column("From", lambda r: r.agency),
    Column("Reasons", lambda r: ", ".join(reason.label for reason in r.reasons)),
    Column("Priority", lambda r: r.priority.label),
    Column(
        "Status",
        lambda r: (
            f"Re-referral: {r.status.label.lower()}" if r.is_further_referral else r.status.label
        ),
    ),
    Column("Caseworker", lambda r: r.worker or ""),
    Column("Closed", lambda r: format_uk_date(r.closed_on)),
    Column("Closure reason", lambda r: r.closure_reason.label if r.closure_reason else ""),
]


def _status_change(t: TransitionView) -> str:
    if t.from_status is None:
        return t.to_status.label
    if t.from_status == t.to_status:
        return f"{t.to_status.label} (re-allocated)"
    return f"{t.from_status.label} → {t.to_status.label}"


TRANSITION_COLUMNS = [
    Column("Date", lambda t: format_uk_date(t.on_date)),
    Column("Change", _status_change),
    Column("By", lambda t: t.by or ""),
    Column("Caseworker", lambda t: t.worker or ""),
    Column("Reason", lambda t: t.reason or ""),
]


class ReferralsTab(CaseTab):
    kinds = frozenset({Kind.PERSON, Kind.REFERRAL, Kind.CASE})

    def __init__(self, services: Services, person_id: int, parent: QWidget | None = None) -> None:
        super().__init__(services, person_id, parent)
        self.model = RecordTableModel(REFERRAL_COLUMNS, self)
        self.table = RecordTable(self.model, "Referrals")
        self.transitions_model = RecordTableModel(TRANSITION_COLUMNS, self)
        self.transitions = RecordTable(self.transitions_model, "Decisions on this referral")
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setAccessibleName("Referral details")
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        detail_box = QGroupBox("Referral and decisions")
        detail_layout = QVBoxLayout(detail_box)
        detail_layout.addWidget(self.details)
        detail_layout.addWidget(self.transitions, 1)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(detail_box)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.table.selectionModel().selectionChanged.connect(self._show_selected)

    def refresh(self) -> None:
        services, person_id = self.services, self.person_id
        self.load(
            "Loading referrals", lambda: services.referrals.for_person(person_id), self.show_rows
        )

    def show_rows(self, referrals: list[ReferralView]) -> None:
        self.model.set_rows(referrals)
        self.table.select_first()
        self._show_selected()

    def _show_selected(self) -> None:
        referral: ReferralView | None = self.table.selected()
        if referral is None:
            self.details.setText("No referrals recorded.")
            self.transitions_model.set_rows([])
            return
        lines = [
            f"Referred by {referral.referrer_name or 'an unnamed referrer'} "
            f"({referral.agency}) on {format_uk_date(referral.received_on)}.",
            f"Consent: young person {referral.consent_young_person.label.lower()}, "
            f"parent or carer {referral.consent_parent.label.lower()}."
            + (
                f" Sharing basis: {referral.sharing_basis.label}." if referral.sharing_basis else ""
            ),
        ]
        if referral.narrative:
            lines.append(referral.narrative)
        if referral.decision_reason:
            lines.append(f"Decision: {referral.decision_reason}")
        if referral.outcome_summary:
            lines.append(f"Outcome summary: {referral.outcome_summary}")
        self.details.setText("\n\n".join(lines))
        self.transitions_model.set_rows(list(reversed(referral.transitions)))
