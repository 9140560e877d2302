"""Starting an intervention plan, or its next version at a review.

A new version keeps the old one as the record of what was agreed; open goals can be carried
over so the review only has to add what is new.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QCheckBox, QLabel, QPlainTextEdit, QWidget

from veru_desk.domain.errors import ValidationError
from veru_desk.domain.reviews import next_plan_review
from veru_desk.services import Services
from veru_desk.services.changes import Kind
from veru_desk.services.plans import PlanView
from veru_desk.ui.dialogs.case_dialog import CaseDialog, gather
from veru_desk.ui.widgets.forms import DateField


class PlanDialog(CaseDialog):
    def __init__(
        self,
        services: Services,
        person_id: int,
        previous: PlanView | None = None,
        parent: QWidget | None = None,
    ) -> None:
        title = "Start a plan" if previous is None else "Start a new plan version"
        super().__init__(title, person_id, Kind.PLAN, parent, save_text="Start plan")
        self.services = services
        self.previous = previous

        self.started_on = DateField(accessible_name="Plan start date")
        self.started_on.set_date(dt.date.today())
        self.review_on = DateField(accessible_name="Plan review date")
        self.review_on.set_date(next_plan_review(dt.date.today()))
        self.summary = QPlainTextEdit()
        self.summary.setTabChangesFocus(True)
        self.summary.setPlaceholderText("What the young person and the unit agreed, in brief")
        self.summary.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)
        self.copy_goals = QCheckBox("Carry open goals and their unfinished actions over")
        self.copy_goals.setChecked(True)

        self.add_row("Starts on", self.started_on, "started_on", accessible="Plan start date")
        self.add_row("Review on", self.review_on, "review_on", accessible="Plan review date")
        self.add_row("Summary", self.summary, "summary", accessible="Plan summary")
        if previous is not None:
            note = QLabel(
                f"Version {previous.plan_version} will be kept, read-only, as the record of "
                "what was agreed."
            )
            note.setWordWrap(True)
            self.form.addRow("", note)
            self.add_row("", self.copy_goals, "copy_goals", accessible="Carry open goals over")
        self.started_on.textEdited.connect(self._suggest_review)

    def _suggest_review(self) -> None:
        try:
            start = self.started_on.date_or_none("started_on")
        except ValidationError:
            return
        if start is not None:
            self.review_on.set_date(next_plan_review(start))

    def prepare(self) -> Callable[[], Any]:
        errors: dict[str, str] = {}
        start = gather(errors, lambda: self.started_on.date_or_none("started_on"))
        if start is None and "started_on" not in errors:
            errors["started_on"] = "Enter the date the plan starts (dd/mm/yyyy)."
        review = gather(errors, lambda: self.review_on.date_or_none("review_on"))
        if errors or start is None:
            raise ValidationError(errors)
        summary = self.summary.toPlainText()
        copy_goals = self.previous is not None and self.copy_goals.isChecked()
        return lambda: self.services.plans.start_plan(
            self.person_id, start, summary, review, copy_goals
        )
