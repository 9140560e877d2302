"""Demo panel meetings: two monthly multi-agency panels already held (a complex case panel and
an exploitation panel), each with partner agencies round the table, some of the unit's open
cases discussed, a decision and actions for each (some done since, some overdue), and the
next complex case panel booked with its agenda started.

A pass of its own after the people are written, with its own random numbers
(``random.Random(f"{seed}-panels")``), so the story's other records do not change.
Actions here are all owned by partner agencies: an action owned by the unit becomes a task,
and tasks are the task service's to make.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from veru_desk.db.models import (
    PanelAction,
    PanelAttendee,
    PanelItem,
    PanelMeeting,
    Referral,
    User,
    UserRole,
    YoungPerson,
)
from veru_desk.domain.enums import ReferralStatus, Role
from veru_desk.domain.panels import PanelType

#: Who comes to the unit's panels: (name, agency, role). Invented people.
ATTENDEES = (
    ("DS Funmilayo Adebayo", "Bedfordshire Police", "Exploitation lead"),
    ("PC Joanna Kowalska", "Bedfordshire Police", "Schools officer"),
    ("Siobhán Ní Mhurchú", "Luton Children's Social Care", "Team manager"),
    ("Mr Tomasz Zieliński", "Challney High School", "Designated safeguarding lead"),
    ("Nguyễn Thị Hoa", "Luton Youth Justice Service", "Case manager"),
    ("Dr Mohammed Al-Sayed", "Luton and Dunstable Hospital", "A&E navigator lead"),
)

_DISCUSSIONS = (
    "Seen with older males at Bury Park late at night; two missing episodes since the last "
    "review. School attendance has dropped to three days a week.",
    "Police intelligence links them to a county line running to Northampton. Engaging well "
    "with their mentor at football; mother worried about debts owed.",
    "Excluded for carrying a blade in school. Family support accepted; sibling also known "
    "to the youth justice service.",
    "Attended A&E with a facial injury after an assault; would not say who was involved. "
    "Social care strategy meeting held.",
)
_DECISIONS = (
    "Remain open to the panel; refer to the National Referral Mechanism.",
    "Disruption plan led by police; the unit to keep weekly contact.",
    "Step down to the unit's usual review; return to panel if a new missing episode.",
    "Joint visit by social care and the unit; education plan to be agreed with the school.",
)
_ACTIONS = (
    ("Share intelligence on vehicles seen with the young person", 0),
    ("Return home interview after each missing episode", 2),
    ("Arrange a part-time timetable and a mentor in school", 3),
    ("Hold a strategy discussion about exploitation", 2),
    ("Check attendance at the youth justice appointments", 4),
    ("Disruption visit to the address of concern", 1),
)


def add_demo_panels(session: Session, seed: int, anchor: dt.date, after_person_id: int) -> int:
    """The demo's panel meetings for the people with ids above ``after_person_id``; returns
    how many meetings were added (none when there are too few open cases to discuss)."""
    rng = random.Random(f"{seed}-panels")
    chair = session.scalar(
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.MANAGER)
        .order_by(User.id)
        .limit(1)
    )
    chair_name = (
        session.scalar(select(User.display_name).where(User.id == chair)) if chair else None
    )
    open_cases = session.execute(
        select(YoungPerson.id, YoungPerson.current_worker_id, Referral.received_on)
        .join(Referral, Referral.id == YoungPerson.current_referral_id)
        .where(
            YoungPerson.id > after_person_id,
            YoungPerson.current_worker_id.is_not(None),
            YoungPerson.current_status.in_((ReferralStatus.ALLOCATED, ReferralStatus.ACTIVE)),
        )
        .order_by(YoungPerson.id)
    ).all()
    held = [
        (anchor - dt.timedelta(days=56), PanelType.COMPLEX_CASE, "Luton complex case panel"),
        (anchor - dt.timedelta(days=28), PanelType.MACE, "Luton exploitation panel (MACE)"),
    ]
    eligible = [c for c in open_cases if c.received_on < held[0][0] - dt.timedelta(days=14)]
    if len(eligible) < 3:
        return 0
    discussed = rng.sample(eligible, k=min(6, len(eligible)))
    # Some cases go to both panels, so the second's pack has last time's actions to show.
    agendas = [discussed[:4], discussed[2:]]
    meetings = 0
    next_days = [held[1][0], anchor + dt.timedelta(days=7)]  # each names the one after it
    for (day, kind, title), agenda, following in zip(held, agendas, next_days, strict=True):
        meeting = _meeting(rng, day, kind, title, chair_name, chair, next_in=(following - day).days)
        session.add(meeting)
        session.flush()
        meetings += 1
        for position, case in enumerate(agenda, start=1):
            _discussed(session, rng, meeting, case.id, position, anchor, chair)
    coming = _meeting(
        rng,
        anchor + dt.timedelta(days=7),
        PanelType.COMPLEX_CASE,
        "Luton complex case panel",
        chair_name,
        chair,
        next_in=28,
    )
    session.add(coming)
    session.flush()
    for position, case in enumerate(discussed[:3], start=1):
        session.add(
            PanelItem(
                meeting_id=coming.id,
                young_person_id=case.id,
                position=position,
                created_by_id=case.current_worker_id,
                updated_by_id=case.current_worker_id,
            )
        )
    session.flush()
    return meetings + 1


def _meeting(
    rng: random.Random,
    day: dt.date,
    kind: PanelType,
    title: str,
    chair_name: str | None,
    chair: int | None,
    *,
    next_in: int,
) -> PanelMeeting:
    came = rng.sample(ATTENDEES, k=rng.randint(4, len(ATTENDEES)))
    meeting = PanelMeeting(
        held_at=dt.datetime.combine(day, dt.time(10, 0)),
        panel_type=kind,
        title=title,
        chair=chair_name,
        next_meeting_on=day + dt.timedelta(days=next_in),
        created_by_id=chair,
        updated_by_id=chair,
    )
    meeting.attendees = [
        PanelAttendee(position=n, name=name, agency=agency, role=role)
        for n, (name, agency, role) in enumerate(came)
    ]
    return meeting


def _discussed(
    session: Session,
    rng: random.Random,
    meeting: PanelMeeting,
    person_id: int,
    position: int,
    anchor: dt.date,
    chair: int | None,
) -> None:
    item = PanelItem(
        meeting_id=meeting.id,
        young_person_id=person_id,
        position=position,
        summary=rng.choice(_DISCUSSIONS),
        decision=rng.choice(_DECISIONS),
        created_by_id=chair,
        updated_by_id=chair,
    )
    session.add(item)
    session.flush()
    held_on = meeting.held_at.date()
    for description, who in rng.sample(_ACTIONS, k=rng.randint(1, 3)):
        name, agency, _role = ATTENDEES[who]
        due = held_on + dt.timedelta(days=rng.choice((7, 14, 21, 35)))
        done = None
        if due < anchor and rng.random() < 0.6:
            done = min(due - dt.timedelta(days=rng.randint(0, 5)), anchor - dt.timedelta(days=1))
            done = max(done, held_on)
        session.add(
            PanelAction(
                item_id=item.id,
                young_person_id=person_id,
                description=description,
                owner_name=name,
                agency=agency,
                due_on=due,
                done_on=done,
                created_by_id=chair,
                updated_by_id=chair,
            )
        )
