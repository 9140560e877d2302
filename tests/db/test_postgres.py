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
