"""The sharing step of a multi-agency export: the lawful basis, checked against the referral's
consent, the agencies at the meeting, and which special category details go.

Health, sexual health, mental health, substance use, offending and child protection status
are unticked (withheld) until the caseworker ticks them. Where consent was refused on the
referral a manager must approve the decision: a caseworker's decision is recorded and waits;
a manager sees the decisions waiting for them here, with Approve.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.errors import ValidationError
from veru_desk.domain.sharing import LawfulBasis, ReferralConsent, ShareSection, SharingDraft
from veru_desk.services import Services
from veru_desk.services.sharing import SharingDecisionView
from veru_desk.ui.widgets.feedback import show_error

NEW_DECISION = "Record a new decision"
#: a share section's label longer than this many characters gets a row to itself
SHORT_SECTION = 24


def split_agencies(text: str) -> tuple[str, ...]:
    """Agencies as typed: one per line, or separated by semicolons."""
    parts = [p.strip() for line in text.splitlines() for p in line.split(";")]
    return tuple(p for p in parts if p)


class SharingStep(QGroupBox):
    def __init__(self, services: Services, person_id: int, parent: QWidget | None = None) -> None:
        super().__init__("Sharing decision", parent)
        self.services = services
        self.person_id = person_id
        self.consent: ReferralConsent | None = services.sharing.consent_for(person_id)
        self.decisions: list[SharingDecisionView] = services.sharing.pending(person_id)

        self.consent_label = QLabel(self._consent_text())
        self.consent_label.setWordWrap(True)
        self.consent_label.setAccessibleName("Consent recorded on the referral")

        self.use = QComboBox()
        self.use.setAccessibleName("Sharing decision to use")
        # No item data in the drop-downs: the choices are read back by their index.
        self.use.addItem(NEW_DECISION)
        for view in self.decisions:
            self.use.addItem(_decision_title(view))
        self.approve_button = QPushButton("Approve this decision")
        self.approve_button.clicked.connect(self.approve)

        self.basis = QComboBox()
        self.basis.setAccessibleName("Lawful basis")
        for basis in LawfulBasis:
            self.basis.addItem(basis.label)
        if self.consent is None or not self.consent.given:
            self.basis.setCurrentIndex(1)  # consent cannot be the basis: an exemption
        self.consent_given_by = QLineEdit()
        self.consent_given_by.setPlaceholderText("Who gave consent, and when")
        self.consent_given_by.setAccessibleName("Consent given by")
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setPlaceholderText("Why sharing without consent is necessary and proportionate")
        self.reason.setAccessibleName("Reason for the exemption")
        self.reason.setMaximumHeight(self.fontMetrics().lineSpacing() * 3)
        self.agencies = QLineEdit()
        self.agencies.setPlaceholderText("e.g. Bedfordshire Police; Challney High School")
        self.agencies.setAccessibleName("Agencies at the meeting")
        self.sections: dict[ShareSection, QCheckBox] = {}
        sections = QWidget()
        # Two columns, so the dialog fits a 1280x720 screen; a long label takes a row of its
        # own, since two of them side by side made the export dialog wider than the screen at
        # 150% text.
        grid = QGridLayout(sections)
        grid.setContentsMargins(0, 0, 0, 0)
        row, column = 0, 0
        for section in ShareSection:
            box = QCheckBox(section.label)
            box.setAccessibleName(f"Share {section.label.lower()}")
            self.sections[section] = box
            if len(section.label) > SHORT_SECTION:
                row, column = row + (column > 0), 0
                grid.addWidget(box, row, 0, 1, 2)
                row += 1
            else:
                grid.addWidget(box, row, column)
                row, column = (row, 1) if column == 0 else (row + 1, 0)
        self.approval_note = QLabel()
        self.approval_note.setWordWrap(True)
        self.approval_note.setObjectName("formError")

        self.form = QFormLayout(self)
        self.form.addRow("Consent on the referral:", self.consent_label)
        self.form.addRow("Decision:", self.use)
        self.form.addRow("", self.approve_button)
        self.form.addRow("Lawful basis:", self.basis)
        self.form.addRow("Consent given by:", self.consent_given_by)
        self.form.addRow("Reason:", self.reason)
        self.form.addRow("Agencies:", self.agencies)
        self.form.addRow("Also share (withheld unless ticked):", sections)
        self.form.addRow("", self.approval_note)
        # Bound methods, not lambdas holding ``self``: no cycle for the garbage collector to
        # break after Qt has gone (a crash at exit).
        self.basis.currentIndexChanged.connect(self._choice_changed)
        self.use.currentIndexChanged.connect(self._choice_changed)
        self._update()

    def _choice_changed(self, _index: int) -> None:
        self._update()

    # --- state -----------------------------------------------------------------------------

    def chosen(self) -> SharingDecisionView | None:
        index = self.use.currentIndex()
        return self.decisions[index - 1] if 0 < index <= len(self.decisions) else None

    def chosen_basis(self) -> LawfulBasis:
        return list(LawfulBasis)[max(self.basis.currentIndex(), 0)]

    def _consent_text(self) -> str:
        if self.consent is None:
            return "No referral recorded: no consent on record."
        return self.consent.text[0].upper() + self.consent.text[1:] + "."

    def _update(self) -> None:
        existing = self.chosen()
        new = existing is None
        for widget in (self.basis, self.consent_given_by, self.reason, self.agencies):
            widget.setEnabled(new)
        for box in self.sections.values():
            box.setEnabled(new)
        is_consent = self.chosen_basis() is LawfulBasis.CONSENT
        self._show_row(self.consent_given_by, new and is_consent)
        self._show_row(self.reason, new and not is_consent)
        self._show_row(self.use, self.use.count() > 1)
        waiting = existing is not None and not existing.ready
        manager = self.services.actor.is_manager
        self._show_row(self.approve_button, waiting and manager)
        if existing is not None:
            self.approval_note.setText(
                f"{existing.basis_text}. Agencies: {', '.join(existing.agencies)}. "
                f"{existing.approval_text}."
            )
        elif self.consent is not None and self.consent.refused and not manager:
            self.approval_note.setText(
                "Consent was refused on the referral: a manager must approve this decision "
                "before the summary can be shared. It is recorded now and waits for them."
            )
        else:
            self.approval_note.setText("")
        self._show_row(self.approval_note, bool(self.approval_note.text()))

    def _show_row(self, field: QWidget, shown: bool) -> None:
        """A form row shown or hidden whole (its label too), so no gap is left."""
        field.setVisible(shown)
        label = self.form.labelForField(field)
        if label is not None:
            label.setVisible(shown)

    def draft(self, meeting: str, on: dt.date | None) -> SharingDraft:
        """The new decision as filled in (checked by the service when recorded)."""
        is_consent = self.chosen_basis() is LawfulBasis.CONSENT
        return SharingDraft(
            basis=self.chosen_basis(),
            meeting=meeting,
            meeting_on=on,
            agencies=split_agencies(self.agencies.text()),
            shared=frozenset(s for s, box in self.sections.items() if box.isChecked()),
            consent_given_by=self.consent_given_by.text() if is_consent else None,
            reason=None if is_consent else self.reason.toPlainText(),
        )

    def check_chosen(self) -> None:
        """An existing decision must be ready to use."""
        existing = self.chosen()
        if existing is not None and not existing.ready:
            raise ValidationError(
                {
                    "sharing": "That decision waits for a manager's approval (consent was "
                    "refused on the referral): ask a manager to approve it first."
                }
            )

    def approve(self) -> None:
        existing = self.chosen()
        if existing is None:
            return
        try:
            approved = self.services.sharing.approve(existing.id)
        except Exception as error:  # shown, never a traceback
            show_error(self, error)
            return
        self.decisions = [approved if v.id == approved.id else v for v in self.decisions]
        self.use.setItemText(self.use.currentIndex(), _decision_title(approved))
        self._update()


def _decision_title(view: SharingDecisionView) -> str:
    state = "ready" if view.ready else "awaiting a manager's approval"
    return (
        f"Decision of {format_uk_date(view.decided_on)} for {view.meeting_text} "
        f"by {view.decided_by or 'unknown'} ({state})"
    )
