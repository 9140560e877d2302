"""The one classifier of database failures (db.failures), fed real errors from real drivers:
each cause is named for what it is, and only damage is answered with "restore"."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from veru_desk.config import resolve_database
from veru_desk.db.engine import Database
from veru_desk.db.failures import Cause, DatabaseFailure, explain
from veru_desk.db.models import Agency
from veru_desk.domain.enums import AgencyType, Role
from veru_desk.services import Services
from veru_desk.services.users import actor_for, add_user


@pytest.fixture
def sqlite_db(db_path: Path) -> Iterator[Database]:
    database = Database.open(resolve_database(str(db_path)))
    yield database
    database.dispose()


def test_a_nul_refused_by_postgresql_names_the_field_and_blames_the_value(pg_url: str) -> None:
    # A bare engine, without the guard every VERU Desk engine has: the server's own refusal.
    engine = create_engine(pg_url)
    try:
        with pytest.raises(DBAPIError) as raised, Session(engine) as session, session.begin():
            session.execute(
                insert(Agency).values(name="Luton\x00 Police", agency_type=AgencyType.POLICE)
            )
    finally:
        engine.dispose()
    failure = explain(raised.value)
    assert failure is not None
    assert failure.cause is Cause.BAD_INPUT
    assert "in name contains a NUL character" in str(failure)
    assert "restore" not in str(failure).lower()


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_no_nul_reaches_a_table_on_either_engine_even_past_the_services(
    engine: str, request: pytest.FixtureRequest
) -> None:
    db: Database = (
        request.getfixturevalue("pg_db")
        if engine == "postgresql"
        else request.getfixturevalue("sqlite_db")
    )
    with pytest.raises(DatabaseFailure) as raised, db.write() as session:
        session.add(Agency(name="Bedfordshire\x00 Police", agency_type=AgencyType.POLICE))
    assert raised.value.cause is Cause.BAD_INPUT
    assert "A value in name (agency) contains an invisible character" in str(raised.value)
    with pytest.raises(DatabaseFailure), db.write() as session:
        session.execute(
            insert(Agency),
            [
                {"name": "Luton Youth Justice Service", "agency_type": AgencyType.YOUTH_JUSTICE},
                {"name": "Stopsley High\x00", "agency_type": AgencyType.SCHOOL},
            ],
        )
    with db.read() as session:
        assert session.scalars(select(Agency.name)).all() == []


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


def test_a_locked_file_at_the_start_of_day_check_is_locked_not_damaged(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file another program holds exclusively must not be called damaged: that would offer
    to restore a backup over a sound database."""
    from veru_desk.db import driver
    from veru_desk.db.integrity import quick_check

    monkeypatch.setattr(driver, "BUSY_TIMEOUT_MS", 200)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    db = Database.open(resolve_database(str(db_path)))
    try:
        with pytest.raises(DatabaseFailure) as raised:
            quick_check(db.engine)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        db.dispose()
    assert raised.value.cause is Cause.LOCKED


def test_a_server_that_is_down_is_unreachable_not_damaged() -> None:
    import socket

    from veru_desk.db.integrity import quick_check

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    db = Database.open(resolve_database(f"postgresql+psycopg://veru@127.0.0.1:{port}/veru"))
    try:
        with pytest.raises(DatabaseFailure) as raised:
            quick_check(db.engine)
    finally:
        db.dispose()
    assert raised.value.cause is Cause.UNREACHABLE


def test_a_refusal_that_cannot_be_audited_says_both_why(
    db: Database, team: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from veru_desk.db import driver

    monkeypatch.setattr(driver, "BUSY_TIMEOUT_MS", 200)
    db.engine.dispose()  # new connections take the short timeout
    assert db.location.path is not None
    holder = sqlite3.connect(db.location.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseFailure) as raised:
            Services(db, team.aisha).users.list()  # type: ignore[attr-defined]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    message = str(raised.value)
    assert raised.value.cause is Cause.LOCKED
    assert "administrator" in message.lower() and "The database is locked" in message


def test_migrate_to_names_the_record_whose_text_the_server_cannot_store(
    db_path: Path, pg_db: Database
) -> None:
    """A NUL stored in a SQLite file before text was cleaned: the copy to a server stops
    with the table, row and column to fix, not "could not be opened ... restore"."""
    from veru_desk.db.transfer import copy_database

    raw = sqlite3.connect(db_path)
    raw.execute(
        "INSERT INTO agency (id, name, agency_type, active) VALUES (7, ?, 'police', 1)",
        ("Luton\x00 Police",),
    )
    raw.commit()
    raw.close()
    source = Database.open(resolve_database(str(db_path)))
    try:
        with pytest.raises(DatabaseFailure) as raised:
            copy_database(source.engine, pg_db.engine)
    finally:
        source.dispose()
    assert "A value in name (agency 7) contains an invisible character" in str(raised.value)


def test_signing_in_while_another_program_saves_is_a_typed_locked_error(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sign-in dialog and the lock screen show typed errors beside the password: a raw
    driver error escaped them and reached the crash handler instead."""
    from veru_desk.db import driver
    from veru_desk.services.users import sign_in

    monkeypatch.setattr(driver, "BUSY_TIMEOUT_MS", 200)
    db = Database.open(resolve_database(str(db_path)))
    with db.write() as session:
        add_user(
            session, "siobhan", "Siobhán Nic Giolla", {Role.CASEWORKER}, "a long phrase of hers"
        )
    db.engine.dispose()
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseFailure) as raised:
            sign_in(db, "siobhan", "a long phrase of hers")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        db.dispose()
    assert raised.value.cause is Cause.LOCKED
