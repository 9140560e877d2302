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


def test_statements_reach_the_server_as_compiled_through_raw_cursors(pg_db: Database) -> None:
    """The engine compiles to the server's own ``$1`` placeholders and its connections make
    raw cursors, so psycopg does not parse each statement again to rewrite ``%(name)s`` (it
    caches that only under 4 kB and 50 parameters: an import's multi-row INSERTs were
    parsed anew every time). Many rows in one INSERT, a literal ``%`` and the bare reader's
    ``?`` statements on the engine's own connection all still work."""
    import psycopg

    from veru_desk.db.driver import Connection

    assert pg_db.engine.dialect.paramstyle == "numeric_dollar"
    with pg_db.engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor:
            assert isinstance(cursor, psycopg.RawCursor)
        rows = [{"n": n, "label": f"{n}% of Zoë's"} for n in range(3000)]
        connection.execute(text("CREATE TEMP TABLE t (n integer, label text)"))
        connection.execute(text("INSERT INTO t VALUES (:n, :label)"), rows)
        assert connection.scalar(text("SELECT count(*) FROM t WHERE label LIKE '%\\%%'")) == 3000
        assert Connection(driver, server=True).rows("SELECT label FROM t WHERE n = ?", (42,)) == [
            ("42% of Zoë's",)
        ]
