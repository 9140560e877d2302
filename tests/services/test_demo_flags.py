"""The demo's safeguarding flags: plausible (every one keeps the rules a caseworker's would),
told from the story (missing episodes before county lines), and on first start showing the
banner's and the dashboard's news (someone missing since yesterday)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from tests.services.test_demo import fresh_database
from veru_desk.db.models import SafeguardingFlagRecord, User, YoungPerson
from veru_desk.demo.database import generate_demo_data
from veru_desk.domain.safeguarding import FlagInput, FlagKind
from veru_desk.services import Services
from veru_desk.services.users import actor_for


def test_demo_flags_keep_the_rules_and_tell_the_story(tmp_path: Path) -> None:
    today = dt.date.today()
    db = fresh_database(tmp_path / "demo.db")
    generate_demo_data(db, 120, seed=11)
    with db.read() as session:
        rows = session.execute(
            select(SafeguardingFlagRecord, YoungPerson.date_of_birth).join(
                YoungPerson, YoungPerson.id == SafeguardingFlagRecord.young_person_id
            )
        ).all()
        priya = session.scalars(select(User).where(User.username == "priya")).one()
        manager = actor_for(priya)
    assert len(rows) > 20
    kinds = {flag.kind for flag, _born in rows}
    assert {FlagKind.MISSING, FlagKind.COUNTY_LINES, FlagKind.CCE, FlagKind.NRM} <= kinds
    for flag, born in rows:
        typed = FlagInput(
            flag.kind,
            flag.started_on,
            flag.ended_on,
            reasonable_grounds=flag.reasonable_grounds,
            reasonable_grounds_on=flag.reasonable_grounds_on,
            conclusive_grounds=flag.conclusive_grounds,
            conclusive_grounds_on=flag.conclusive_grounds_on,
        )
        assert typed.problems(born, today) == {}, (flag.kind, flag.started_on, flag.ended_on)
    county_lines = {
        f.young_person_id: f.started_on for f, _b in rows if f.kind is FlagKind.COUNTY_LINES
    }
    missing_before = {
        f.young_person_id
        for f, _b in rows
        if f.kind is FlagKind.MISSING
        and f.young_person_id in county_lines
        and f.started_on < county_lines[f.young_person_id]
    }
    assert missing_before == set(county_lines)
    [missing_now] = [f for f, _b in rows if f.kind is FlagKind.MISSING and f.ended_on is None]
    assert missing_now.started_on == today - dt.timedelta(days=1)
    services = Services(db, manager)
    assert missing_now.young_person_id in [
        i.person_id for i in services.dashboard.load().flags_added
    ]
    assert (
        FlagKind.MISSING
        in services.safeguarding.active_kinds([missing_now.young_person_id])[
            missing_now.young_person_id
        ]
    )
