"""Outcomes: the dated measures taken at the start, at reviews and at closure.

They are what the unit reports to its board and funders, so every number is checked when it
is typed (a wellbeing of 11 or a negative arrest count would quietly skew a quarter's figures).
Organisation-defined measures are scored 0 to 10 like wellbeing, so they chart on one scale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from veru_desk.db.models import Outcome, OutcomeMeasure, OutcomeValue, utcnow
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import AuditAction, EducationStatus, OutcomePoint, RiskLevel, Role
from veru_desk.domain.errors import ValidationError
from veru_desk.domain.text import require_name, stored_text
from veru_desk.services.access import require_case_access, require_role
from veru_desk.services.audit import apply_changes
from veru_desk.services.base import Service, refuse_problems

SCORE_MIN = 0
SCORE_MAX = 10
MAX_MEASURE_NAME_CHARS = 200


@dataclass(frozen=True)
class OutcomeInput:
    recorded_on: dt.date
    point: OutcomePoint
    risk_level: RiskLevel | None = None
    education_status: EducationStatus | None = None
    arrests: int | None = None
    charges: int | None = None
    wellbeing: int | None = None
    goals_achieved: int | None = None
    notes: str = ""
    measures: dict[int, int] = field(default_factory=dict)  # measure id -> score 0 to 10

    def problems(
        self, date_of_birth: dt.date, today: dt.date, known_measures: Mapping[int, str]
    ) -> dict[str, str]:
        errors: dict[str, str] = {}
        if self.recorded_on is None:
            errors["recorded_on"] = "Enter the date the outcome was measured (dd/mm/yyyy)."
        elif self.recorded_on > today:
            errors["recorded_on"] = (
                "The date is in the future: record outcomes on or after the day they are measured."
            )
        elif self.recorded_on < date_of_birth:
            errors["recorded_on"] = "The date is before the date of birth."
        if not isinstance(self.point, OutcomePoint):
            errors["point"] = "Choose when this was measured: start, review or closure."
        if self.wellbeing is not None and not _is_score(self.wellbeing):
            errors["wellbeing"] = (
                f"Wellbeing is a score from {SCORE_MIN} to {SCORE_MAX}: enter a whole number "
                "in that range."
            )
        for name, label in (
            ("arrests", "Arrests"),
            ("charges", "Charges"),
            ("goals_achieved", "Goals achieved"),
        ):
            value = getattr(self, name)
            if value is not None and (not _is_int(value) or value < 0):
                errors[name] = f"{label} is a count: enter 0 or a whole number above it."
        problems = []
        for measure_id, score in self.measures.items():
            measure = known_measures.get(measure_id)
            if measure is None:
                problems.append(f"measure {measure_id} is not one of the unit's measures")
            elif not _is_score(score):
                problems.append(f"{measure} must be a whole number from {SCORE_MIN} to {SCORE_MAX}")
        if problems:
            errors["measures"] = "; ".join(problems).capitalize() + "."
        return errors


@dataclass(frozen=True)
class OutcomeView:
    id: int
    version: int
    recorded_on: dt.date
    point: OutcomePoint
    risk_level: RiskLevel | None
    education_status: EducationStatus | None
    arrests: int | None
    charges: int | None
    wellbeing: int | None
    goals_achieved: int | None
    notes: str
    measures: dict[str, int]  # measure name -> score


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_score(value: object) -> bool:
    return _is_int(value) and SCORE_MIN <= value <= SCORE_MAX  # type: ignore[operator]  # _is_int: an int


def _values(data: OutcomeInput) -> dict[str, object]:
    return {
        "recorded_on": data.recorded_on,
        "point": data.point,
        "risk_level": data.risk_level,
        "education_status": data.education_status,
        "arrests": data.arrests,
        "charges": data.charges,
        "wellbeing": data.wellbeing,
        "goals_achieved": data.goals_achieved,
        "notes": stored_text(data.notes),
    }


def _measure_names(session: Session, wanted: Mapping[int, int]) -> dict[int, str]:
    """Names of the measures asked for; retired ones still count for past outcomes."""
    if not wanted:
        return {}
    rows = session.execute(
        select(OutcomeMeasure.id, OutcomeMeasure.name).where(OutcomeMeasure.id.in_(wanted))
    ).all()
    return dict(rows)


class OutcomeService(Service):
    def record(self, person_id: int, data: OutcomeInput) -> int:
        with self._write() as session:
            person = self._case_person(session, person_id, doing="record outcomes")
            names = _measure_names(session, data.measures)
            refuse_problems(data.problems(person.date_of_birth, dt.date.today(), names))
            outcome = Outcome(
                young_person_id=person_id,
                referral_id=person.current_referral_id,
                values=[OutcomeValue(measure_id=m, value=v) for m, v in data.measures.items()],
                **_values(data),
            )
            self._create(
                session,
                outcome,
                person_id=person_id,
                summary=(
                    f"Outcome recorded ({data.point.label.lower()}) "
                    f"for {format_uk_date(data.recorded_on)}"
                ),
            )
            return outcome.id

    def update(self, outcome_id: int, data: OutcomeInput, expected_version: int) -> None:
        """Corrects an outcome; measure scores left out of ``data.measures`` are removed."""
        with self._write() as session:
            outcome, person = self._case_record(
                session, Outcome, outcome_id, "outcome", "edit outcomes", expected_version
            )
            names = _measure_names(session, data.measures)
            refuse_problems(data.problems(person.date_of_birth, dt.date.today(), names))
            # Read everything before changing anything: a query would autoflush a half-made
            # change and count it as a second version.
            old_scores = {v.measure_id: v.value for v in outcome.values}
            old_names = _measure_names(session, old_scores)
            changes = apply_changes(outcome, _values(data))
            if old_scores != data.measures:
                changes["measures"] = (
                    {old_names.get(m, str(m)): v for m, v in old_scores.items()},
                    {names[m]: v for m, v in data.measures.items()},
                )
                _replace_scores(outcome, data.measures)
                outcome.updated_at = utcnow()  # scores live in child rows: bump the version too
            if not changes:
                return
            self._record_update(
                session,
                outcome,
                changes,
                person_id=person.id,
                summary=f"Outcome of {format_uk_date(outcome.recorded_on)} corrected",
            )

    def for_person(self, person_id: int) -> list[OutcomeView]:
        """Every outcome, oldest first, as charts draw them."""
        with self._read() as session:
            return self.for_person_in(session, person_id)

    def for_person_in(self, session: Session, person_id: int) -> list[OutcomeView]:
        """``for_person`` in a transaction the caller holds (one snapshot for a document)."""
        require_case_access(session, self.actor, person_id, doing="read outcomes")
        rows = session.scalars(
            select(Outcome)
            .where(Outcome.young_person_id == person_id)
            .options(selectinload(Outcome.values).selectinload(OutcomeValue.measure))
            .order_by(Outcome.recorded_on, Outcome.id)
        ).all()
        return [_view(row) for row in rows]

    # --- organisation-defined measures -----------------------------------------------------

    def measures(self) -> list[tuple[int, str]]:
        """The measures in use, by name, for the outcome form and reports."""
        with self._read() as session:
            require_role(self.actor, Role.CASEWORKER, Role.MANAGER, doing="list outcome measures")
            rows = session.execute(
                select(OutcomeMeasure.id, OutcomeMeasure.name)
                .where(OutcomeMeasure.active.is_(True))
                .order_by(OutcomeMeasure.name)
            ).all()
            return [(measure_id, name) for measure_id, name in rows]

    def add_measure(self, name: str, description: str = "") -> int:
        require_name(name, "name", "The measure's name")
        name = " ".join((name or "").split())
        with self._write() as session:
            require_role(self.actor, Role.MANAGER, doing="add outcome measures")
            if not name:
                raise ValidationError(
                    {"name": "Give the measure a name, e.g. Attending youth club."}
                )
            if len(name) > MAX_MEASURE_NAME_CHARS:
                raise ValidationError(
                    {"name": f"Shorten the name to {MAX_MEASURE_NAME_CHARS} characters or fewer."}
                )
            taken = session.scalar(
                select(OutcomeMeasure.id).where(func.lower(OutcomeMeasure.name) == name.lower())
            )
            if taken is not None:
                raise ValidationError(
                    {"name": f"There is already a measure called {name}: choose another name."}
                )
            measure = OutcomeMeasure(name=name, description=stored_text(description))
            session.add(measure)
            self._audit(
                session,
                AuditAction.CREATE,
                entity=measure,
                summary=f"Outcome measure added: {name}",
            )
            return measure.id


def _replace_scores(outcome: Outcome, scores: Mapping[int, int]) -> None:
    """Edits the scores in place: the rows are keyed by measure, so they are kept, not swapped."""
    for value in list(outcome.values):
        if value.measure_id in scores:
            value.value = scores[value.measure_id]
        else:
            outcome.values.remove(value)
    present = {value.measure_id for value in outcome.values}
    outcome.values.extend(
        OutcomeValue(measure_id=m, value=v) for m, v in scores.items() if m not in present
    )


def _view(row: Outcome) -> OutcomeView:
    return OutcomeView(
        id=row.id,
        version=row.version,
        recorded_on=row.recorded_on,
        point=row.point,
        risk_level=row.risk_level,
        education_status=row.education_status,
        arrests=row.arrests,
        charges=row.charges,
        wellbeing=row.wellbeing,
        goals_achieved=row.goals_achieved,
        notes=row.notes or "",
        measures={
            value.measure.name: value.value
            for value in sorted(row.values, key=lambda v: v.measure.name)
        },
    )
