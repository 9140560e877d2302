"""The same schema, guards and engine-specific queries on PostgreSQL as on SQLite."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from veru_desk.db import migrate
from veru_desk.db.engine import Database
from veru_desk.db.sequences import next_case_reference

pytestmark = pytest.mark.postgres


def test_migrations_build_the_models_schema_on_postgres(pg_db: Database) -> None:
    assert migrate.schema_differences(pg_db.engine) == []


def test_audit_is_append_only_on_postgres(pg_db: Database) -> None:
    with pg_db.write() as session:
        session.execute(text("INSERT INTO audit_event (at, action) VALUES (now(), 'login')"))
    with pytest.raises(DBAPIError, match="append-only"), pg_db.write() as session:
        session.execute(text("DELETE FROM audit_event"))


def test_case_references_on_postgres(pg_db: Database) -> None:
    with pg_db.write() as session:
        assert next_case_reference(session, 2026) == "VERU-2026-00001"
        assert next_case_reference(session, 2026) == "VERU-2026-00002"


def test_accent_free_prefix_search_and_case_references_on_postgres(pg_db: Database) -> None:
    from tests.services.test_referrals import knife_referral, lukasz
    from veru_desk.domain.enums import Role
    from veru_desk.services import Services
    from veru_desk.services.users import actor_for, add_user

    with pg_db.write() as session:
        actor = actor_for(add_user(session, "dariusz", "Dariusz Wójcik", {Role.CASEWORKER}, None))
    services = Services(pg_db, actor)
    for first, last in (("Łukasz", "Wiśniewski"), ("Zoë", "Ó Súilleabháin"), ("Luka", "Zubak")):
        services.referrals.create(knife_referral(), person=lukasz(first_name=first, last_name=last))
    assert [h.first_name for h in services.people.search("lukasz")] == ["Łukasz"]
    assert [h.last_name for h in services.people.search("zoe suil")] == ["Ó Súilleabháin"]
    assert {h.first_name for h in services.people.search("luk")} == {"Łukasz", "Luka"}
    assert len(services.people.search("VERU-2")) == 3
