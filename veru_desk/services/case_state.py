"""The summary columns on ``young_person`` that the caseload and dashboard read.

They are derived from referrals, assessments and sessions. This module is the only place
that writes them; every service that changes one of those sources calls ``refresh`` in the
same transaction, so the summary is never out of step with what it summarises.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from veru_desk.db.models import MentoringSession, Referral, RiskAssessment, YoungPerson
from veru_desk.domain.enums import Attendance
from veru_desk.domain.workflow import is_disengaged

RECENT_ATTENDANCE_WINDOW = 10


def refresh(session: Session, person_id: int) -> None:
    session.flush()
    person = session.get(YoungPerson, person_id)
    if person is None:
        return
    latest = session.scalars(
        select(Referral)
        .where(Referral.young_person_id == person_id)
        .order_by(Referral.received_on.desc(), Referral.id.desc())
        .limit(1)
    ).first()
    person.current_referral_id = latest.id if latest else None
    person.current_status = latest.status if latest else None
    person.current_worker_id = latest.allocated_worker_id if latest else None

    assessment = session.execute(
        select(RiskAssessment.level, RiskAssessment.next_review_on)
        .where(RiskAssessment.young_person_id == person_id)
        .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc())
        .limit(1)
    ).first()
    person.current_risk_level = assessment.level if assessment else None
    is_open = bool(latest and latest.status.is_open_case)
    person.next_review_on = assessment.next_review_on if assessment and is_open else None

    person.last_contact_on = session.scalar(
        select(func.max(MentoringSession.planned_start)).where(
            MentoringSession.young_person_id == person_id,
            MentoringSession.attendance == Attendance.ATTENDED,
        )
    )
    if person.last_contact_on is not None:
        person.last_contact_on = person.last_contact_on.date()  # type: ignore[attr-defined]

    recent = session.scalars(
        select(MentoringSession.attendance)
        .where(
            MentoringSession.young_person_id == person_id,
            MentoringSession.attendance != Attendance.PLANNED,
        )
        .order_by(MentoringSession.planned_start.desc())
        .limit(RECENT_ATTENDANCE_WINDOW)
    ).all()
    person.disengaged = is_open and is_disengaged(list(recent))
