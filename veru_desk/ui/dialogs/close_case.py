"""Closing a case with its reason and outcome summary, and a manager reopening one.

Both are decisions a safeguarding review asks "why?" about, so both need words. Closing
reminds the worker when no closing outcomes have been recorded: the board's figures are taken
from them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget

from veru_desk.domain.enums import ClosureReason
from veru_desk.domain.errors import ValidationError
from veru_desk.services import Services
from veru_desk.services.changes import Kind
from veru_desk.ui.dialogs.case_dialog import CaseDialog, chosen_enum, enum_combo, gather
from veru_desk.ui.widgets.forms import DateField


def _text_box(parent: QWidget, lines: int, placeholder: str) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setPlaceholderText(placeholder)
    box.setMinimumHeight(parent.fontMetrics().lineSpacing() * lines)
    return box


class CloseCaseDialog(CaseDialog):
    def __init__(
        self,
        services: Services,
        person_id: int,
        referral_id: int,
        *,
        has_closing_outcome: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Close the case", person_id, Kind.CASE, parent, save_text="Close case")
        self.services = services
        self.referral_id = referral_id

        self.closed_on = DateField(accessible_name="Date closed")
        self.closed_on.set_date(dt.date.today())
        self.reason = enum_combo(ClosureReason)
        self.reason.setPlaceholderText("Choose a reason")
        self.reason.setCurrentIndex(-1)
        self.summary = _text_box(
            self, 6, "What changed for the young person, and who is still involved"
        )
        self.add_row("Closed on", self.closed_on, "on", accessible="Date closed")
        self.add_row("Reason", self.reason, "reason", accessible="Closure reason")
        self.add_row("Outcome summary", self.summary, "outcome_summary")
        self.outcome_reminder = QLabel(
            "No closing outcomes are recorded yet. Record them on the Outcomes tab first so "
            "the case counts in the unit's reports."
        )
        self.outcome_reminder.setObjectName("warning")
        self.outcome_reminder.setWordWrap(True)
        self.outcome_reminder.setVisible(not has_closing_outcome)
        self.form.addRow(self.outcome_reminder)

    def prepare(self) -> Callable[[], Any]:
        errors: dict[str, str] = {}
        on = gather(errors, lambda: self.closed_on.date_or_none("on"))
        reason = chosen_enum(self.reason, ClosureReason)
        if reason is None:
            errors["reason"] = "Choose why the case is closing."
        if not self.summary.toPlainText().strip():
            errors["outcome_summary"] = "Write a short outcome summary."
        if errors or reason is None:
            raise ValidationError(errors)
        summary = self.summary.toPlainText()
        return lambda: self.services.referrals.close(self.referral_id, reason, summary, on)


class ReopenCaseDialog(CaseDialog):
    def __init__(
        self,
        services: Services,
        person_id: int,
        referral_id: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Reopen the case", person_id, Kind.CASE, parent, save_text="Reopen")
        self.services = services
        self.referral_id = referral_id
        self.reason = _text_box(self, 4, "e.g. Referred again by the school after a new incident")
        self.add_row("Reason", self.reason, "reason", accessible="Reason for reopening")

    def prepare(self) -> Callable[[], Any]:
        reason = self.reason.toPlainText()
        if not reason.strip():
            raise ValidationError({"reason": "Give a reason for reopening the case."})
        return lambda: self.services.referrals.reopen(self.referral_id, reason)
