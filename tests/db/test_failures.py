"""The one classifier of database failures (db.failures), fed real errors from real drivers:
each cause is named for what it is, and only damage is answered with "restore"."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import DBAPIError

from veru_desk.config import resolve_database
from veru_desk.db.engine import Database
from veru_desk.db.failures import Cause, DatabaseFailure, explain
from veru_desk.db.models import Agency
from veru_desk.domain.enums import AgencyType, Role
from veru_desk.services import Services
from veru_desk.services.users import actor_for, add_user


def test_a_nul_refused_by_postgresql_names_the_field_and_blames_the_value(
    pg_db: Database,
) -> None:
    with pytest.raises(DBAPIError) as raised, pg_db.write() as session:
        session.execute(
            insert(Agency).values(name="Luton\x00 Police", agency_type=AgencyType.POLICE)
        )
    failure = explain(raised.value)
    assert failure is not None
    assert failure.cause is Cause.BAD_INPUT
    assert "in name contains a NUL character" in str(failure)
    assert "restore" not in str(failure).lower()


def test_a_service_meeting_a_lock_says_locked_not_damaged(db_path: Path) -> None:
    db = Database.open(resolve_database(str(db_path)))
    with db.write() as session:
        actor = actor_for(add_user(session, "priya", "Priya Raghunathan", {Role.ADMIN}, None))
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA busy_timeout = 100")
        services = Services(db, actor)
        with pytest.raises(DatabaseFailure) as raised:
            services.settings.set_lock_after_minutes(10)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        db.dispose()
    assert raised.value.cause is Cause.LOCKED
    assert "waited" in str(raised.value)
    assert "restore" not in str(raised.value).lower()


@pytest.mark.parametrize(
    ("message", "cause"),
    [
        ("database is locked", Cause.LOCKED),
        ("database or disk is full", Cause.DISK),
        ("disk I/O error", Cause.DISK),
        ("attempt to write a readonly database", Cause.READ_ONLY),
        ("unable to open database file", Cause.CANNOT_OPEN),
        ("no such table: young_person", Cause.NOT_SET_UP),
        ("database disk image is malformed", Cause.DAMAGED),
        ("file is not a database", Cause.DAMAGED),
    ],
)
def test_sqlite_errors_each_have_their_cause(message: str, cause: Cause) -> None:
    failure = explain(sqlite3.OperationalError(message))
    assert failure is not None and failure.cause is cause
    assert ("restore" in str(failure).lower()) == (cause is Cause.DAMAGED)


def test_an_encrypted_file_that_will_not_decrypt_is_the_wrong_key_first() -> None:
    failure = explain(sqlite3.DatabaseError("file is not a database"), encrypted=True)
    assert failure is not None and failure.cause is Cause.SIGN_IN
    assert "key file may belong to another database" in str(failure)


def test_an_error_we_do_not_recognise_is_not_guessed_at() -> None:
    assert explain(sqlite3.OperationalError('near "SELEC": syntax error')) is None
    assert explain(ValueError("not a database error")) is None
