"""Outcome measures at the start, at a review or at closure.

Every number may be left 'Not recorded': an unknown is not a zero, and a zero typed for an
unknown would quietly improve the unit's figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QPlainTextEdit, QSpinBox, QWidget

from veru_desk.domain.enums import EducationStatus, OutcomePoint, RiskLevel
from veru_desk.domain.errors import NotFound, ValidationError
from veru_desk.services import Services
from veru_desk.services.changes import Kind
from veru_desk.services.outcomes import SCORE_MAX, OutcomeInput, OutcomeView
from veru_desk.ui.dialogs.case_dialog import (
    NOT_RECORDED,
    CaseDialog,
    chosen_enum,
    count_spin,
    enum_combo,
    gather,
    select_enum,
    set_spin,
    spin_value,
)
from veru_desk.ui.widgets.forms import DateField


class OutcomeDialog(CaseDialog):
    def __init__(
        self,
        services: Services,
        person_id: int,
        outcome: OutcomeView | None = None,
        parent: QWidget | None = None,
        *,
        point: OutcomePoint = OutcomePoint.REVIEW,
    ) -> None:
        title = "Record outcomes" if outcome is None else "Correct outcomes"
        super().__init__(title, person_id, Kind.OUTCOME, parent)
        self.services = services
        self.outcome = outcome

        self.recorded_on = DateField(accessible_name="Date measured")
        self.recorded_on.set_date(dt.date.today())
        self.point = enum_combo(OutcomePoint, current=point)
        self.risk_level = enum_combo(RiskLevel, blank=NOT_RECORDED)
        self.education = enum_combo(EducationStatus, blank=NOT_RECORDED)
        self.wellbeing = count_spin(SCORE_MAX)
        self.wellbeing.setSuffix(f" of {SCORE_MAX}")
        self.arrests = count_spin()
        self.charges = count_spin()
        self.goals_achieved = count_spin()
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setMinimumHeight(self.fontMetrics().lineSpacing() * 3)

        self.add_row("Measured on", self.recorded_on, "recorded_on", accessible="Date measured")
        self.add_row("When", self.point, "point", accessible="Outcome point")
        self.add_row("Risk level", self.risk_level, "risk_level")
        self.add_row("Education", self.education, "education_status", accessible="Education")
        self.add_row("Wellbeing", self.wellbeing, "wellbeing", accessible="Wellbeing (0 to 10)")
        self.add_row("Arrests", self.arrests, "arrests", accessible="Arrests in the period")
        self.add_row("Charges", self.charges, "charges", accessible="Charges in the period")
        self.add_row("Goals achieved", self.goals_achieved, "goals_achieved")
        self.measure_spins: dict[int, QSpinBox] = {}
        for measure_id, name in services.outcomes.measures():
            spin = count_spin(SCORE_MAX)
            spin.setSuffix(f" of {SCORE_MAX}")
            self.measure_spins[measure_id] = spin
            self.add_row(f"{name}", spin, f"measure_{measure_id}", accessible=name)
        self.add_row("Notes", self.notes, "notes", accessible="Outcome notes")

        self._measure_names = {
            measure_id: name for measure_id, name in services.outcomes.measures()
        }
        if outcome is not None:
            self.load(outcome)

    def fill(self, outcome: OutcomeView) -> None:
        measure_names = self._measure_names
        self.recorded_on.set_date(outcome.recorded_on)
        select_enum(self.point, outcome.point)
        select_enum(self.risk_level, outcome.risk_level)
        select_enum(self.education, outcome.education_status)
        set_spin(self.wellbeing, outcome.wellbeing)
        set_spin(self.arrests, outcome.arrests)
        set_spin(self.charges, outcome.charges)
        set_spin(self.goals_achieved, outcome.goals_achieved)
        self.notes.setPlainText(outcome.notes)
        for measure_id, spin in self.measure_spins.items():
            set_spin(spin, outcome.measures.get(measure_names.get(measure_id, "")))

    def prepare(self) -> Callable[[], Any]:
        errors: dict[str, str] = {}
        recorded = gather(errors, lambda: self.recorded_on.date_or_none("recorded_on"))
        if recorded is None and "recorded_on" not in errors:
            errors["recorded_on"] = "Enter the date the outcome was measured (dd/mm/yyyy)."
        if errors or recorded is None:
            raise ValidationError(errors)
        measures = {
            measure_id: value
            for measure_id, spin in self.measure_spins.items()
            if (value := spin_value(spin)) is not None
        }
        data = OutcomeInput(
            recorded_on=recorded,
            point=chosen_enum(self.point, OutcomePoint) or OutcomePoint.REVIEW,
            risk_level=chosen_enum(self.risk_level, RiskLevel),
            education_status=chosen_enum(self.education, EducationStatus),
            arrests=spin_value(self.arrests),
            charges=spin_value(self.charges),
            wellbeing=spin_value(self.wellbeing),
            goals_achieved=spin_value(self.goals_achieved),
            notes=self.notes.toPlainText(),
            measures=measures,
        )
        outcomes = self.services.outcomes
        if self.outcome is None:
            return lambda: outcomes.record(self.person_id, data)
        outcome_id, version = self.outcome.id, self.outcome.version
        return lambda: outcomes.update(outcome_id, data, version)

    def reread(self) -> OutcomeView | None:
        if self.outcome is None:
            return None
        wanted = self.outcome.id
        for outcome in self.services.outcomes.for_person(self.person_id):
            if outcome.id == wanted:
                return outcome
        raise NotFound("These outcome measures are no longer on the case.")

    def build_on(self, saved: OutcomeView) -> None:
        self.outcome = saved
