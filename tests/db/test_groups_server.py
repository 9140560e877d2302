"""A group register on a server that enforces the rules (#19): Dariusz's own login cannot read
Aisha's young person's place, yet his register still says someone else is on it, as their
case reference and worker (``veru_server.group_register``), with nothing else about them."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest

from tests.db.test_server_roles import Office, office, scram_server  # noqa: F401  (fixtures)
from veru_desk.domain.enums import Attendance
from veru_desk.domain.errors import ValidationError
from veru_desk.services.groups import GroupInput, Mark

pytestmark = pytest.mark.postgres


def test_a_caseworkers_register_shows_anothers_young_person_only_as_a_case_reference(
    office: Office,  # noqa: F811
) -> None:
    start = dt.datetime.combine(dt.date.today() - dt.timedelta(days=1), dt.time(17, 30))
    priya, dariusz = office.as_user("priya"), office.as_user("dariusz")
    try:
        [group] = dariusz.groups.create(GroupInput("Thursday football", start)).session_ids
        priya.groups.add_people(group, [office.dariusz_case, office.aisha_case])
        rows = dariusz.groups.register(group).rows
        assert [(r.person_id, r.visible) for r in rows] == [
            (office.dariusz_case, True),
            (office.aisha_case, False),
        ]
        assert rows[0].label == "Zoë Ó Briain"
        assert rows[1].label.endswith(", allocated to Aisha Mohamed")
        assert "Tomasz" not in rows[1].label and rows[1].notes == ""
        dariusz.groups.record_register(group, [Mark(rows[0].session_id, Attendance.ATTENDED)])
        # Her young person's place is hers to record: the server hides it from him.
        with pytest.raises(ValidationError, match="no longer on the register"):
            dariusz.groups.record_register(group, [Mark(rows[1].session_id, Attendance.ATTENDED)])
        managed = priya.groups.register(group).rows
        assert {r.attendance for r in managed if r.person_id == office.aisha_case} == {
            Attendance.PLANNED
        }
        assert all(r.visible for r in managed)
    finally:
        priya.db.dispose()
        dariusz.db.dispose()
    with (
        office.sql("sam") as sam,  # an administrator: no case role, so not even asked
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        sam.execute("SELECT * FROM veru_server.group_register(%s)", (group,))
