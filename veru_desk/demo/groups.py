"""Demo group sessions: a weekly Thursday football group running since six weeks ago and a
four-week knife-crime awareness workshop on Tuesdays, each with a register of young people
from several caseloads, attendance recorded for the sessions already held and places booked
for those to come.

Each young person's place is their own session (``services.groups``), so their attendance
rate, last contact and the disengagement check count these too: the case summaries of the
young people registered are worked out again at the end.

A pass of its own after the people are written, with its own random numbers
(``random.Random(f"{seed}-groups")``), so the story's other records do not change. Only
active cases take part: their first contact came before any group, as it would have.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from veru_desk.db.models import GroupSeries, GroupSession, MentoringSession, Referral, YoungPerson
from veru_desk.domain.enums import Attendance, ReferralStatus, SessionType
from veru_desk.services import case_state

_THURSDAY, _TUESDAY = 3, 1


@dataclass(frozen=True)
class _Group:
    title: str
    kind: SessionType
    weekday: int
    time: dt.time
    minutes: int
    location: str
    weeks_back: int  # how many weeks before the demo's today the first session was
    weeks: int
    size: int
    notes: str


GROUPS = (
    _Group(
        "Thursday football",
        SessionType.DIVERSIONARY,
        _THURSDAY,
        dt.time(17, 30),
        90,
        "Lewsey sports park",
        6,
        12,
        8,
        "Five-a-side on the astro pitch; bibs and water in the van. Lift home for anyone "
        "after dark.",
    ),
    _Group(
        "Knife-crime awareness workshop",
        SessionType.GROUP,
        _TUESDAY,
        dt.time(16, 0),
        120,
        "Marsh Farm youth centre",
        3,
        4,
        6,
        "Four sessions: the law and joint enterprise, first aid for bleeding, a trauma "
        "surgeon's talk, and what to do when a friend carries.",
    ),
)

#: How the held sessions went, roughly as the unit's own registers do.
_ATTENDANCE = (
    (Attendance.ATTENDED, 70),
    (Attendance.DID_NOT_ATTEND, 18),
    (Attendance.CANCELLED_BY_YOUNG_PERSON, 12),
)


def _first(anchor: dt.date, weekday: int, weeks_back: int) -> dt.date:
    """The ``weekday`` ``weeks_back`` weeks before the last one strictly before ``anchor``."""
    last = anchor - dt.timedelta(days=(anchor.weekday() - weekday - 1) % 7 + 1)
    return last - dt.timedelta(weeks=weeks_back - 1)


def add_demo_groups(session: Session, seed: int, anchor: dt.date, after_person_id: int) -> int:
    """The demo's groups for the people with ids above ``after_person_id``; returns how many
    group sessions were added (none when there are too few active cases to fill a group)."""
    rng = random.Random(f"{seed}-groups")
    active = session.execute(
        select(
            YoungPerson.id, YoungPerson.current_worker_id, Referral.id, Referral.first_contact_on
        )
        .join(Referral, Referral.id == YoungPerson.current_referral_id)
        .where(
            YoungPerson.id > after_person_id,
            YoungPerson.current_worker_id.is_not(None),
            YoungPerson.current_status == ReferralStatus.ACTIVE,
            # Someone who has stopped coming is not at football: the story's alerts stay.
            YoungPerson.disengaged.is_(False),
            Referral.first_contact_on.is_not(None),
        )
        .order_by(YoungPerson.id)
    ).all()
    workers = sorted({row.current_worker_id for row in active})
    if len(active) < 4 or not workers:
        return 0
    today = dt.datetime.combine(anchor, dt.time())
    added = 0
    registered: set[int] = set()
    for index, group in enumerate(GROUPS):
        first_day = _first(anchor, group.weekday, group.weeks_back)
        starts = [
            dt.datetime.combine(first_day + dt.timedelta(weeks=w), group.time)
            for w in range(group.weeks)
        ]
        eligible = [p for p in active if p.first_contact_on < first_day]
        if len(eligible) < 3:
            continue
        facilitator = workers[index % len(workers)]
        # Set up the week before the first session, as a worker would.
        booked = dt.datetime.combine(first_day - dt.timedelta(days=7), dt.time(11, 0))
        stamps = {"created_at": booked, "updated_at": booked}
        series = GroupSeries(
            title=group.title,
            session_type=group.kind,
            rule=f"DTSTART:{starts[0]:%Y%m%dT%H%M%S}\nRRULE:FREQ=WEEKLY;COUNT={group.weeks}",
            first_start=starts[0],
            duration_minutes=group.minutes,
            location=group.location,
            facilitator_id=facilitator,
            created_by_id=facilitator,
            updated_by_id=facilitator,
            **stamps,
        )
        session.add(series)
        session.flush()
        meetings = [
            GroupSession(
                series_id=series.id,
                title=group.title,
                session_type=group.kind,
                planned_start=start,
                duration_minutes=group.minutes,
                location=group.location,
                facilitator_id=facilitator,
                notes=group.notes if start < today else None,
                created_by_id=facilitator,
                updated_by_id=facilitator,
                **stamps,
            )
            for start in starts
        ]
        session.add_all(meetings)
        session.flush()
        added += len(meetings)
        members = rng.sample(eligible, k=min(group.size, len(eligible)))
        for member in members:
            # Some join a few weeks in: their places start from the week they joined.
            joined = rng.choice((0, 0, 0, 1, 2)) if group.weeks > 4 else 0
            registered.add(member[0])
            for meeting in meetings[joined:]:
                held = meeting.planned_start < today
                attendance = (
                    rng.choices([a for a, _w in _ATTENDANCE], weights=[w for _a, w in _ATTENDANCE])[
                        0
                    ]
                    if held
                    else Attendance.PLANNED
                )
                session.add(
                    MentoringSession(
                        young_person_id=member[0],
                        referral_id=member[2],
                        group_session_id=meeting.id,
                        planned_start=meeting.planned_start,
                        duration_minutes=meeting.duration_minutes,
                        mentor_id=facilitator,
                        session_type=group.kind,
                        location=group.location,
                        attendance=attendance,
                        created_by_id=facilitator,
                        updated_by_id=facilitator,
                        **stamps,
                    )
                )
    session.flush()
    case_state.refresh_many(session, sorted(registered))
    return added
