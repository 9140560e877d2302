"""Demo tasks: each worker has a few overdue, one or two due today or this week, some later,
and some done lately (those on a case show in its chronology); the manager has the unit's own
work too. So the dashboard's "My tasks", the team's overdue card and the sign-in reminder have
something to show on first start.

A pass of its own after the people are written, with its own random numbers
(``random.Random(f"{seed}-tasks")``), so adding it changed nothing of the story's other records.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from veru_desk.db.models import Referral, Task, User, UserRole, YoungPerson
from veru_desk.domain.enums import ReferralStatus, Role
from veru_desk.domain.tasks import TaskStatus

CASE_TASKS = (
    "Call school about the attendance plan",
    "Chase the CAMHS referral",
    "Home visit to update the risk assessment",
    "Send the safety plan to the social worker",
    "Book a taster session at the boxing gym",
    "Follow up the return home interview",
    "Help with the bus pass application",
    "Ask the youth justice service for the court outcome",
    "Arrange a joint visit with the school nurse",
    "Check the college application went in",
    "Agree the next review date with the family",
    "Share the panel's actions with the school",
)
UNIT_TASKS = (
    "Monthly figures to the Violence Reduction Unit",
    "Book the room for the next panel",
    "Safeguarding refresher training",
    "Review the lone-working plan",
    "Order kit for the Thursday football group",
)
CANCEL_REASONS = (
    "Family moved out of the area",
    "The school arranged it themselves",
)


def add_demo_tasks(session: Session, seed: int, anchor: dt.date, after_person_id: int) -> int:
    """The demo's tasks on the open cases of the people with ids above ``after_person_id``
    and for the unit; returns how many were added."""
    rng = random.Random(f"{seed}-tasks")
    cases = session.execute(
        select(YoungPerson.id, YoungPerson.current_worker_id)
        .join(Referral, Referral.id == YoungPerson.current_referral_id)
        .where(
            YoungPerson.id > after_person_id,
            YoungPerson.current_worker_id.is_not(None),
            YoungPerson.current_status.in_((ReferralStatus.ALLOCATED, ReferralStatus.ACTIVE)),
        )
        .order_by(YoungPerson.id)
    ).all()
    by_worker: dict[int, list[int]] = {}
    for person_id, worker_id in cases:
        if worker_id is not None:
            by_worker.setdefault(worker_id, []).append(person_id)
    managers = list(
        session.scalars(
            select(User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.MANAGER, User.active)
            .order_by(User.id)
        )
    )
    setter = managers[0] if managers else None
    rows: list[Task] = []

    def add(
        title: str,
        person: int | None,
        worker: int,
        due: dt.date,
        *,
        done: dt.date | None = None,
        cancelled: str | None = None,
        by: int | None = None,
    ) -> None:
        set_on = min(due, anchor) - dt.timedelta(days=rng.randrange(3, 15))
        at = dt.datetime.combine(set_on, dt.time(9 + rng.randrange(8), rng.randrange(60)))
        closed_on = done or (anchor - dt.timedelta(days=1) if cancelled else None)
        updated = (
            dt.datetime.combine(closed_on, dt.time(15, rng.randrange(60))) if closed_on else at
        )
        status = TaskStatus.DONE if done else TaskStatus.CANCELLED if cancelled else TaskStatus.OPEN
        rows.append(
            Task(
                title=title,
                young_person_id=person,
                assignee_id=worker,
                due_on=due,
                status=status,
                completed_on=closed_on,
                completed_by_id=worker if closed_on else None,
                cancel_reason=cancelled,
                created_by_id=by or worker,
                updated_by_id=worker if closed_on else by or worker,
                created_at=at,
                updated_at=updated,
            )
        )

    for worker, people in sorted(by_worker.items()):
        titles = list(CASE_TASKS)
        rng.shuffle(titles)
        plan = (
            [-rng.randrange(1, 11) for _ in range(rng.randrange(1, 4))]  # overdue
            + [0] * rng.randrange(0, 2)  # due today
            + [rng.randrange(1, 7) for _ in range(rng.randrange(2, 4))]  # this week
            + [rng.randrange(8, 40) for _ in range(rng.randrange(1, 3))]  # later
        )
        for offset in plan:
            title = titles.pop() if titles else CASE_TASKS[0]
            add(title, rng.choice(people), worker, anchor + dt.timedelta(days=offset), by=setter)
        for _ in range(rng.randrange(2, 4)):  # done lately
            due = anchor - dt.timedelta(days=rng.randrange(2, 30))
            done = min(anchor - dt.timedelta(days=1), due + dt.timedelta(days=rng.randrange(0, 3)))
            title = titles.pop() if titles else CASE_TASKS[1]
            add(title, rng.choice(people), worker, due, done=done)
        if rng.random() < 0.5:
            title = titles.pop() if titles else CASE_TASKS[2]
            due = anchor + dt.timedelta(days=rng.randrange(1, 10))
            add(title, rng.choice(people), worker, due, cancelled=rng.choice(CANCEL_REASONS))
    for index, manager in enumerate(managers[:1]):
        for offset, title in zip((-2, 0, 3, 12, -9), UNIT_TASKS, strict=True):
            due = anchor + dt.timedelta(days=offset)
            if offset == -9:
                add(title, None, manager, due, done=anchor - dt.timedelta(days=5 + index))
            else:
                add(title, None, manager, due)
    session.add_all(rows)
    session.flush()
    return len(rows)
