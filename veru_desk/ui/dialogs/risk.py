"""A risk assessment: the level, what drives it, what protects, and when to look again.

The next review date fills itself from the level (the unit's policy) until the worker types
their own, so a tired caseworker cannot forget to set it, and can still bring it forward.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget

from veru_desk.domain.enums import RiskLevel
from veru_desk.domain.errors import NotFound, ValidationError
from veru_desk.domain.reviews import REVIEW_INTERVALS, next_review_date
from veru_desk.services import Services
from veru_desk.services.changes import Kind
from veru_desk.services.risk import RiskInput, RiskView
from veru_desk.ui.dialogs.case_dialog import (
    CaseDialog,
    chosen_enum,
    enum_combo,
    gather,
    select_enum,
)
from veru_desk.ui.widgets.forms import DateField


def _text_box(lines: int, parent: QWidget) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setMinimumHeight(parent.fontMetrics().lineSpacing() * lines)
    return box


class RiskDialog(CaseDialog):
    def __init__(
        self,
        services: Services,
        person_id: int,
        assessment: RiskView | None = None,
        parent: QWidget | None = None,
    ) -> None:
        title = "Record a risk assessment" if assessment is None else "Correct a risk assessment"
        super().__init__(title, person_id, Kind.RISK, parent)
        self.services = services
        self.assessment = assessment
        self._review_typed = assessment is not None

        self.assessed_on = DateField(accessible_name="Date assessed")
        self.level = enum_combo(RiskLevel)
        self.level.setPlaceholderText("Choose a level")
        self.level.setCurrentIndex(-1)
        self.risk_factors = _text_box(3, self)
        self.risk_factors.setPlaceholderText("e.g. gang association, missing episodes")
        self.protective_factors = _text_box(3, self)
        self.protective_factors.setPlaceholderText("e.g. engaged older sister, football")
        self.notes = _text_box(3, self)
        self.next_review = DateField(accessible_name="Next review")
        self.review_hint = QLabel()
        self.review_hint.setWordWrap(True)

        self.add_row("Assessed on", self.assessed_on, "assessed_on", accessible="Date assessed")
        self.add_row("Risk level", self.level, "level")
        self.add_row("Risk factors", self.risk_factors, "risk_factors")
        self.add_row("Protective factors", self.protective_factors, "protective_factors")
        self.add_row("Notes", self.notes, "notes", accessible="Assessment notes")
        self.add_row("Next review", self.next_review, "next_review_on", accessible="Next review")
        self.form.addRow("", self.review_hint)

        if assessment is None:
            self.assessed_on.set_date(dt.date.today())
        else:
            self.load(assessment)
        self.level.currentIndexChanged.connect(self._suggest_review)
        self.assessed_on.textChanged.connect(self._suggest_review)
        self.next_review.textEdited.connect(self._review_edited)
        self._suggest_review()

    def fill(self, assessment: RiskView) -> None:
        self.assessed_on.set_date(assessment.assessed_on)
        select_enum(self.level, assessment.level)
        self.risk_factors.setPlainText(assessment.risk_factors)
        self.protective_factors.setPlainText(assessment.protective_factors)
        self.notes.setPlainText(assessment.notes)
        self.next_review.set_date(assessment.next_review_on)

    def reread(self) -> RiskView | None:
        if self.assessment is None:
            return None
        wanted = self.assessment.id
        for assessment in self.services.risk.history(self.person_id):
            if assessment.id == wanted:
                return assessment
        raise NotFound("This risk assessment is no longer on the case.")

    def build_on(self, saved: RiskView) -> None:
        self.assessment = saved

    def _review_edited(self, text: str) -> None:
        self._review_typed = bool(text.strip())

    def _suggest_review(self) -> None:
        level = chosen_enum(self.level, RiskLevel)
        if level is None:
            self.review_hint.setText("The next review is set from the risk level.")
            return
        weeks = int(REVIEW_INTERVALS[level].weeks)
        self.review_hint.setText(
            f"A {level.label.lower()} risk is reviewed within {weeks} weeks; "
            "you may choose an earlier date."
        )
        if self._review_typed:
            return
        try:
            assessed = self.assessed_on.date_or_none("assessed_on")
        except ValidationError:
            return
        if assessed is not None:
            self.next_review.set_date(next_review_date(assessed, level))

    def prepare(self) -> Callable[[], Any]:
        errors: dict[str, str] = {}
        assessed = gather(errors, lambda: self.assessed_on.date_or_none("assessed_on"))
        if assessed is None and "assessed_on" not in errors:
            errors["assessed_on"] = "Enter the date of the assessment (dd/mm/yyyy)."
        review = gather(errors, lambda: self.next_review.date_or_none("next_review_on"))
        level = chosen_enum(self.level, RiskLevel)
        if level is None:
            errors["level"] = "Choose a risk level: low, medium, high or very high."
        if errors or assessed is None or level is None:
            raise ValidationError(errors)
        data = RiskInput(
            assessed_on=assessed,
            level=level,
            risk_factors=self.risk_factors.toPlainText(),
            protective_factors=self.protective_factors.toPlainText(),
            notes=self.notes.toPlainText(),
            next_review_on=review,
        )
        risk = self.services.risk
        if self.assessment is None:
            return lambda: risk.record(self.person_id, data)
        assessment_id, version = self.assessment.id, self.assessment.version
        return lambda: risk.update(assessment_id, data, version)
