"""Risk assessments: the dated judgements that set how closely a case is watched.

The latest assessment's level and next review date feed the caseload and the dashboard, so
every change here refreshes the case summary in the same transaction. The next review date
defaults from the level (the unit's policy in ``domain.reviews``); a worker may bring it
forward but not push it past the policy, because a review that slips is how a rising risk goes
unnoticed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from veru_desk.db.models import RiskAssessment, User, YoungPerson
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import RiskLevel
from veru_desk.domain.reviews import REVIEW_INTERVALS, is_overdue, next_review_date
from veru_desk.domain.text import stored_text
from veru_desk.services import case_state
from veru_desk.services.access import require_case_access
from veru_desk.services.base import Service, get_or_404, refuse_problems


@dataclass(frozen=True)
class RiskInput:
    assessed_on: dt.date
    level: RiskLevel
    risk_factors: str = ""
    protective_factors: str = ""
    notes: str = ""
    next_review_on: dt.date | None = None  # None: the default interval for the level

    def problems(self, date_of_birth: dt.date, today: dt.date) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not isinstance(self.level, RiskLevel):
            errors["level"] = "Choose a risk level: low, medium, high or very high."
        if self.assessed_on is None:
            errors["assessed_on"] = "Enter the date of the assessment (dd/mm/yyyy)."
        elif self.assessed_on > today:
            errors["assessed_on"] = (
                "The assessment date is in the future: enter the day it was carried out."
            )
        elif self.assessed_on < date_of_birth:
            errors["assessed_on"] = "The assessment date is before the date of birth."
        if errors or self.next_review_on is None:
            return errors
        if self.next_review_on <= self.assessed_on:
            errors["next_review_on"] = (
                "The next review must be after the assessment date: choose a later date."
            )
        else:
            latest = next_review_date(self.assessed_on, self.level)
            if self.next_review_on > latest:
                errors["next_review_on"] = (
                    f"A {self.level.label.lower()} risk must be reviewed within "
                    f"{_weeks(self.level)} weeks: choose {format_uk_date(latest)} or earlier."
                )
        return errors

    def review_on(self) -> dt.date:
        return self.next_review_on or next_review_date(self.assessed_on, self.level)


@dataclass(frozen=True)
class RiskView:
    id: int
    version: int
    assessed_on: dt.date
    level: RiskLevel
    risk_factors: str
    protective_factors: str
    notes: str
    assessor: str | None
    next_review_on: dt.date
    overdue: bool
    is_latest: bool = False


def _weeks(level: RiskLevel) -> int:
    return int(REVIEW_INTERVALS[level].weeks)


def _values(data: RiskInput) -> dict[str, object]:
    return {
        "assessed_on": data.assessed_on,
        "level": data.level,
        "risk_factors": stored_text(data.risk_factors),
        "protective_factors": stored_text(data.protective_factors),
        "notes": stored_text(data.notes),
        "next_review_on": data.review_on(),
    }


class RiskService(Service):
    def record(self, person_id: int, data: RiskInput) -> int:
        """Saves a new assessment on the current episode, as assessed by the signed-in user."""
        with self._write() as session:
            person = self._case_person(session, person_id, doing="record a risk assessment")
            refuse_problems(data.problems(person.date_of_birth, dt.date.today()))
            assessment = RiskAssessment(
                young_person_id=person_id,
                referral_id=person.current_referral_id,
                assessor_id=self.actor.user_id,
                **_values(data),
            )
            self._create(
                session,
                assessment,
                person_id=person_id,
                summary=(
                    f"Risk assessed: {data.level.label.lower()} "
                    f"(next review {format_uk_date(assessment.next_review_on)})"
                ),
            )
            case_state.refresh(session, person_id)
            return assessment.id

    def update(self, assessment_id: int, data: RiskInput, expected_version: int) -> None:
        """Corrects an assessment; the assessor stays whoever carried it out."""
        with self._write() as session:
            assessment, person = self._case_record(
                session,
                RiskAssessment,
                assessment_id,
                "risk assessment",
                "edit a risk assessment",
                expected_version,
            )
            refuse_problems(data.problems(person.date_of_birth, dt.date.today()))
            changes = self._updated(
                session,
                assessment,
                _values(data),
                person_id=person.id,
                summary=lambda: (
                    f"Risk assessment of {format_uk_date(assessment.assessed_on)} corrected"
                ),
            )
            if changes:
                case_state.refresh(session, person.id)

    def history(self, person_id: int) -> list[RiskView]:
        """Every assessment, newest first; only the latest can be overdue (it supersedes)."""
        with self._read() as session:
            return self.history_in(session, person_id)

    def history_in(self, session: Session, person_id: int) -> list[RiskView]:
        """``history`` in a transaction the caller holds (one snapshot for a document)."""
        require_case_access(session, self.actor, person_id, doing="read risk assessments")
        person = get_or_404(session, YoungPerson, person_id, "young person")
        return _history(session, person)

    def latest(self, person_id: int) -> RiskView | None:
        history = self.history(person_id)
        return history[0] if history else None


def _history(session: Session, person: YoungPerson) -> list[RiskView]:
    rows = session.execute(
        select(RiskAssessment, User.display_name)
        .outerjoin(User, User.id == RiskAssessment.assessor_id)
        .where(RiskAssessment.young_person_id == person.id)
        .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc())
    ).all()
    case_open = person.current_status is not None and person.current_status.is_open_case
    today = dt.date.today()
    return [
        RiskView(
            id=row.id,
            version=row.version,
            assessed_on=row.assessed_on,
            level=row.level,
            risk_factors=row.risk_factors or "",
            protective_factors=row.protective_factors or "",
            notes=row.notes or "",
            assessor=assessor,
            next_review_on=row.next_review_on,
            overdue=index == 0 and case_open and is_overdue(row.next_review_on, today),
            is_latest=index == 0,
        )
        for index, (row, assessor) in enumerate(rows)
    ]
