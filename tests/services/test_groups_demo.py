"""The demo's group sessions (#19): two groups from several caseloads, their held sessions'
registers taken, the rest booked, told the same way for the same seed, and counted in each
young person's attendance and case summary."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select

from tests.services.test_demo import ANCHOR, fresh_database
from veru_desk.db.engine import Database
from veru_desk.db.models import GroupSession, MentoringSession, YoungPerson
from veru_desk.demo import generate_demo_data
from veru_desk.domain.enums import Attendance
from veru_desk.services import case_state


def registers(db: Database) -> list[tuple[str, dt.datetime, int, str]]:
    with db.read() as session:
        return [
            (title, start, person, attendance.value)
            for title, start, person, attendance in session.execute(
                select(
                    GroupSession.title,
                    GroupSession.planned_start,
                    MentoringSession.young_person_id,
                    MentoringSession.attendance,
                )
                .join(MentoringSession, MentoringSession.group_session_id == GroupSession.id)
                .order_by(GroupSession.planned_start, MentoringSession.young_person_id)
            )
        ]


def test_the_demo_has_two_groups_from_several_caseloads_with_their_registers_taken(
    tmp_path: Path,
) -> None:
    db = fresh_database(tmp_path / "groups.db")
    generate_demo_data(db, 150, seed=20260331, anchor=ANCHOR)
    today = dt.datetime.combine(ANCHOR, dt.time())
    rows = registers(db)
    assert {title for title, *_ in rows} == {"Thursday football", "Knife-crime awareness workshop"}
    held = [r for r in rows if r[1] < today]
    coming = [r for r in rows if r[1] >= today]
    assert held and coming
    assert all(a != Attendance.PLANNED.value for *_, a in held)  # every held register taken
    assert all(a == Attendance.PLANNED.value for *_, a in coming)
    assert {a for *_, a in held} >= {Attendance.ATTENDED.value, Attendance.DID_NOT_ATTEND.value}
    with db.read() as session:
        workers = session.scalars(
            select(func.count(func.distinct(YoungPerson.current_worker_id))).where(
                YoungPerson.id.in_({person for _t, _s, person, _a in rows})
            )
        ).one()
        # Each place is the person's own session: their summary counts it already.
        people = sorted({person for _t, _s, person, _a in rows})
        before = {
            p.id: (p.last_contact_on, p.disengaged)
            for p in session.scalars(select(YoungPerson).where(YoungPerson.id.in_(people)))
        }
    assert workers >= 2
    with db.write() as session:
        case_state.refresh_many(session, people)
    with db.read() as session:
        after = {
            p.id: (p.last_contact_on, p.disengaged)
            for p in session.scalars(select(YoungPerson).where(YoungPerson.id.in_(people)))
        }
    assert after == before

    again = fresh_database(tmp_path / "again.db")
    generate_demo_data(again, 150, seed=20260331, anchor=ANCHOR)
    assert registers(again) == rows  # the same seed, the same groups and registers
