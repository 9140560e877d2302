"""The demo's panel meetings: two held with partner agencies, decisions and actions (some done),
the next one booked with last time's actions to show, every record keeping the rules a
caseworker's form would, and the same seed giving the same meetings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from tests.services.test_demo import fresh_database
from veru_desk.db.engine import Database
from veru_desk.db.models import PanelAction, PanelItem, PanelMeeting, User
from veru_desk.demo.database import generate_demo_data
from veru_desk.domain.panels import ActionStatus
from veru_desk.services import Services
from veru_desk.services.users import actor_for


def _content(db: Database) -> list[tuple[object, ...]]:
    with db.read() as session:
        return [
            (m.held_at, m.title, item.young_person_id, item.decision, action.description)
            for m, item, action in session.execute(
                select(PanelMeeting, PanelItem, PanelAction)
                .join(PanelItem, PanelItem.meeting_id == PanelMeeting.id)
                .join(PanelAction, PanelAction.item_id == PanelItem.id)
                .order_by(PanelAction.id)
            ).all()
        ]


def test_demo_panels_keep_the_rules_and_the_next_pack_has_last_times_actions(
    tmp_path: Path,
) -> None:
    today = dt.date.today()
    db = fresh_database(tmp_path / "demo.db")
    generate_demo_data(db, 120, seed=11)
    with db.read() as session:
        priya = session.scalars(select(User).where(User.username == "priya")).one()
        manager = Services(db, actor_for(priya))
    held = manager.panels.meetings(upcoming=False)
    coming = manager.panels.meetings(upcoming=True)
    assert len(held) == 2 and len(coming) == 1
    assert all(row.attendees >= 4 for row in held)
    statuses: list[ActionStatus] = []
    for row in held:
        view = manager.panels.get(row.id)
        assert view.as_input().problems(today) == {}
        assert len({a.agency for a in view.attendees}) >= 2  # partner agencies round the table
        assert view.items and all(item.decision for item in view.items)
        for item in view.items:
            assert item.as_input().problems(view.held_at.date(), today) == {}
            statuses += [a.status(today) for a in item.actions]
    assert ActionStatus.DONE in statuses
    assert held[0].next_meeting_on == coming[0].held_at.date()
    cases = manager.panels.pack_cases(coming[0].id)
    assert len(cases) == 3
    assert any(case.previous_actions for case in cases)

    again = fresh_database(tmp_path / "again.db")
    generate_demo_data(again, 120, seed=11)
    assert _content(again) == _content(db)
