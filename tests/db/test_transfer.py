from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import Team
from tests.services.test_referrals import knife_referral, lukasz
from veru_desk.db.engine import Database
from veru_desk.db.models import AuditEvent, User, YoungPerson
from veru_desk.db.transfer import copy_database, table_checks
from veru_desk.domain.errors import StorageError
from veru_desk.services import Services
from veru_desk.services.users import actor_for

pytestmark = pytest.mark.postgres


def test_copy_to_postgres_matches_row_for_row_and_leaves_sqlite_untouched(
    db: Database, team: Team, pg_db: Database
) -> None:
    services = Services(db, team.dariusz)
    for first in ("Łukasz", "Zoë", "Ştefan", "Nguyễn"):
        services.referrals.create(knife_referral(), person=lukasz(first_name=first))
    before = table_checks(db.engine)
    checks = copy_database(db.engine, pg_db.engine)
    assert table_checks(db.engine) == before
    assert {c.table: c.rows for c in checks}["young_person"] == 4
    # ids continue past the copied ones and new work lands on the server
    with pg_db.read() as session:
        dariusz = actor_for(session.get_one(User, team.dariusz.user_id))
    server = Services(pg_db, dariusz)
    server.referrals.create(knife_referral(), person=lukasz(first_name="Ayşe"))
    with pg_db.read() as session:
        assert session.scalar(select(func.count()).select_from(YoungPerson)) == 5
        assert session.scalar(select(func.max(AuditEvent.id))) > 4


def test_copy_refuses_a_target_that_already_has_data(
    db: Database, team: Team, pg_db: Database
) -> None:
    copy_database(db.engine, pg_db.engine)
    with pytest.raises(StorageError, match="not empty"):
        copy_database(db.engine, pg_db.engine)
