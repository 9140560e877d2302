"""The summary columns on ``young_person`` that the caseload and dashboard read.

They are derived from referrals, assessments and sessions. This module is the only place
that writes them; every service that changes one of those sources calls ``refresh`` in the
same transaction, so the summary is never out of step with what it summarises.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Table, bindparam, case, func, inspect, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from veru_desk.db.models import MentoringSession, Referral, RiskAssessment, YoungPerson, utcnow
from veru_desk.domain.enums import Attendance, ReferralStatus, RiskLevel
from veru_desk.domain.workflow import ENDED_STATUSES, is_disengaged

RECENT_ATTENDANCE_WINDOW = 10

#: A referral that is an episode of the case, not a further referral of an open one: only an
#: episode can be the case's current referral. Written ``+ 0`` so that SQLite finds a batch
#: of people's referrals through ``ix_referral_young_person_id``: asked as ``IS NULL`` it
#: took the open-case index instead, which holds nearly every referral under NULL, and read
#: them all (25 ms for 500 people on a plain 100,000-person file, 120 ms encrypted, against
#: 1.3 ms). The same rows on every engine.
EPISODE = (Referral.open_case_referral_id + 0).is_(None)

#: The order that puts a case's current episode first: one still open (awaiting triage,
#: accepted, allocated or active) before any that ended, then the latest received. A
#: referral dated earlier but entered later cannot take an open case from its worker.
CURRENT_FIRST = (
    case((Referral.status.in_(sorted(ENDED_STATUSES)), 1), else_=0),
    Referral.received_on.desc(),
    Referral.id.desc(),
)


def refresh(session: Session, person_id: int) -> None:
    session.flush()
    person = session.get(YoungPerson, person_id)
    if person is None:
        return
    latest = session.scalars(
        select(Referral)
        .where(Referral.young_person_id == person_id, EPISODE)
        .order_by(*CURRENT_FIRST)
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
        person.last_contact_on = person.last_contact_on.date()

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


_BATCH = 500

_SUMMARY_COLUMNS = (
    YoungPerson.current_referral_id,
    YoungPerson.current_status,
    YoungPerson.current_worker_id,
    YoungPerson.current_risk_level,
    YoungPerson.next_review_on,
    YoungPerson.last_contact_on,
    YoungPerson.disengaged,
)


def refresh_many(session: Session, person_ids: Iterable[int]) -> None:
    """``refresh`` for many people at once (imports, bulk changes): a handful of queries per
    500 people instead of five per person, with exactly the same result."""
    session.flush()
    ids = sorted(set(person_ids))
    for start in range(0, len(ids), _BATCH):
        _refresh_batch(session, ids[start : start + _BATCH])


def _refresh_batch(session: Session, ids: list[int]) -> None:
    ranked_referral = (
        select(
            Referral.young_person_id,
            Referral.id,
            Referral.status,
            Referral.allocated_worker_id,
            func.row_number()
            .over(
                partition_by=Referral.young_person_id,
                order_by=CURRENT_FIRST,
            )
            .label("rank"),
        )
        .where(Referral.young_person_id.in_(ids), EPISODE)
        .subquery()
    )
    referrals = {
        row.young_person_id: row
        for row in session.execute(select(ranked_referral).where(ranked_referral.c.rank == 1))
    }
    ranked_assessment = (
        select(
            RiskAssessment.young_person_id,
            RiskAssessment.level,
            RiskAssessment.next_review_on,
            func.row_number()
            .over(
                partition_by=RiskAssessment.young_person_id,
                order_by=(RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc()),
            )
            .label("rank"),
        )
        .where(RiskAssessment.young_person_id.in_(ids))
        .subquery()
    )
    assessments = {
        row.young_person_id: row
        for row in session.execute(select(ranked_assessment).where(ranked_assessment.c.rank == 1))
    }
    last_contact = {
        person_id: latest_start
        for person_id, latest_start in session.execute(
            select(MentoringSession.young_person_id, func.max(MentoringSession.planned_start))
            .where(
                MentoringSession.young_person_id.in_(ids),
                MentoringSession.attendance == Attendance.ATTENDED,
            )
            .group_by(MentoringSession.young_person_id)
        )
    }
    ranked_session = (
        select(
            MentoringSession.young_person_id,
            MentoringSession.attendance,
            func.row_number()
            .over(
                partition_by=MentoringSession.young_person_id,
                order_by=(MentoringSession.planned_start.desc(), MentoringSession.id.desc()),
            )
            .label("rank"),
        )
        .where(
            MentoringSession.young_person_id.in_(ids),
            MentoringSession.attendance != Attendance.PLANNED,
        )
        .subquery()
    )
    recent: dict[int, list[Attendance]] = {}
    for person_id, attendance in session.execute(
        select(ranked_session.c.young_person_id, ranked_session.c.attendance)
        .where(ranked_session.c.rank <= RECENT_ATTENDANCE_WINDOW)
        .order_by(ranked_session.c.young_person_id, ranked_session.c.rank)
    ):
        recent.setdefault(person_id, []).append(Attendance(attendance))

    # The summary columns as stored (flushed above), read as plain rows: loading the people
    # as ORM objects cost more than the rest of a 10,000-row import's refresh.
    changed: list[tuple[int, int, dict[str, object]]] = []
    for person in session.execute(
        select(YoungPerson.id, YoungPerson.version, *_SUMMARY_COLUMNS).where(
            YoungPerson.id.in_(ids)
        )
    ):
        latest = referrals.get(person.id)
        assessment = assessments.get(person.id)
        is_open = bool(latest and ReferralStatus(latest.status).is_open_case)
        values: dict[str, object] = {
            "current_referral_id": latest.id if latest else None,
            "current_status": ReferralStatus(latest.status) if latest else None,
            "current_worker_id": latest.allocated_worker_id if latest else None,
            "current_risk_level": RiskLevel(assessment.level) if assessment else None,
            "next_review_on": assessment.next_review_on if assessment and is_open else None,
            "last_contact_on": _as_date(last_contact.get(person.id)),
            "disengaged": is_open and is_disengaged(recent.get(person.id, [])),
        }
        if any(getattr(person, name) != value for name, value in values.items()):
            changed.append((person.id, person.version, values))
    _write_summaries(session, changed)


def _write_summaries(session: Session, changed: list[tuple[int, int, dict[str, object]]]) -> None:
    """One UPDATE sent for many rows ``(id, version, values)``, where the ORM sends one per
    row for a versioned table: on a server each of those is a network round trip (10,000 of
    them for a partner's file). Versions still move on and a concurrent change still fails
    the save, as with the ORM; a person this session holds is told the new values."""
    if not changed:
        return
    table = YoungPerson.__table__
    assert isinstance(table, Table)  # a declared model maps one table
    names = list(changed[0][2])
    stamp = utcnow()
    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version"))
        .values(
            version=table.c.version + 1,
            updated_at=stamp,
            **{name: bindparam(f"b_{name}") for name in names},
        )
    )
    rows = [
        {
            "b_id": person_id,
            "b_version": version,
            **{f"b_{name}": value for name, value in values.items()},
        }
        for person_id, version, values in changed
    ]
    result = session.connection().execute(statement, rows)
    if result.rowcount != len(rows):
        raise StaleDataError(
            f"young_person: {len(rows) - result.rowcount} of {len(rows)} rows were changed "
            "by someone else while their summaries were being refreshed"
        )
    mapper = inspect(YoungPerson)
    for person_id, version, values in changed:
        held = session.identity_map.get(mapper.identity_key_from_primary_key((person_id,)))
        if held is None:
            continue
        for name, value in values.items():
            set_committed_value(held, name, value)
        set_committed_value(held, "version", version + 1)
        set_committed_value(held, "updated_at", stamp)


def _as_date(value: dt.datetime | dt.date | None) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def open_episodes(session: Session, person_ids: Iterable[int]) -> dict[int, int]:
    """``{person id: referral id}`` of each person's episode that has not ended (received,
    in screening, accepted, allocated or active): the case a new referral joins."""
    session.flush()
    ids = sorted(set(person_ids))
    found: dict[int, int] = {}
    for start in range(0, len(ids), _BATCH):
        ranked = (
            select(
                Referral.young_person_id,
                Referral.id,
                Referral.status,
                func.row_number()
                .over(partition_by=Referral.young_person_id, order_by=CURRENT_FIRST)
                .label("rank"),
            )
            .where(Referral.young_person_id.in_(ids[start : start + _BATCH]), EPISODE)
            .subquery()
        )
        for person_id, referral_id, status in session.execute(
            select(ranked.c.young_person_id, ranked.c.id, ranked.c.status).where(ranked.c.rank == 1)
        ):
            if ReferralStatus(status) not in ENDED_STATUSES:
                found[person_id] = referral_id
    return found
