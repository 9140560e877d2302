"""The demo's tasks (#19): every worker has some overdue, some due this week and some done,
the manager has the unit's own work, every task keeps the rules a form would, and the same seed
gives the same tasks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from tests.services.test_demo import fresh_database
from veru_desk.db.engine import Database
from veru_desk.db.models import Task, User
from veru_desk.demo.database import generate_demo_data
from veru_desk.domain.tasks import Due, TaskInput, TaskStatus
from veru_desk.services import Services
from veru_desk.services.users import actor_for


def _content(db: Database) -> list[tuple[object, ...]]:
    with db.read() as session:
        return [
            (t.title, t.young_person_id, t.assignee_id, t.due_on, t.status, t.completed_on)
            for t in session.scalars(select(Task).order_by(Task.id))
        ]


def test_demo_tasks_give_each_worker_a_morning_and_keep_the_rules(tmp_path: Path) -> None:
    today = dt.date.today()
    db = fresh_database(tmp_path / "demo.db")
    generate_demo_data(db, 120, seed=11)
    with db.read() as session:
        users = {u.username: u for u in session.scalars(select(User))}
        actors = {name: actor_for(user) for name, user in users.items()}
    manager = Services(db, actors["priya"])
    team = manager.tasks.team(include_closed=True)
    assert len(team) >= 20
    for task in team:
        assert TaskInput(task.title, task.assignee_id, task.due_on).problems(today) == {}
        if task.status is not TaskStatus.OPEN:
            assert task.completed_on is not None and task.completed_on < today
    overdue = manager.tasks.team_overdue()
    assert len(overdue) >= 3  # most of the team has something overdue
    dariusz = Services(db, actors["dariusz"])
    mine = dariusz.tasks.mine()
    assert any(t.due() is Due.OVERDUE for t in mine)
    assert any(t.due() in (Due.TODAY, Due.THIS_WEEK) for t in mine)
    done = [t for t in dariusz.tasks.mine(include_closed=True) if t.status is TaskStatus.DONE]
    assert done and all(t.person_id is not None for t in done)
    [case_task] = done[:1]
    assert case_task.person_id is not None
    chronology = dariusz.chronology.for_person(case_task.person_id)
    assert any(e.title == f"Task done: {case_task.title}" for e in chronology)
    assert any(t.person_id is None for t in manager.tasks.mine())  # the unit's own work
    again = fresh_database(tmp_path / "again.db")
    generate_demo_data(again, 120, seed=11)
    assert _content(again) == _content(db)
