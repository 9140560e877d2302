"""``veru-desk migrate-to``: a unit's demo database of 3,000 young people moves from its
SQLite file onto the PostgreSQL server, verified table by table, and the file is left as
it was."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, select

from veru_desk import cli
from veru_desk.config import resolve_database
from veru_desk.db.engine import Database
from veru_desk.db.migrate import upgrade
from veru_desk.db.models import Agency, AuditEvent
from veru_desk.db.transfer import TableCheck, table_checks
from veru_desk.demo import DEMO_PASSWORD
from veru_desk.domain.enums import AgencyType, AuditAction

pytestmark = pytest.mark.postgres

PEOPLE = 3_000


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plain SQLite demo database with the demo team (built once for the module)."""
    path = tmp_path_factory.mktemp("office") / "veru-desk.db"
    code = cli.main(
        ["demo-data", "--people", str(PEOPLE), "--seed", "7", "--database", str(path),
         "--no-encryption"]
    )  # fmt: skip
    assert code == 0
    return path


@pytest.fixture
def empty_server_db(postgres_server: str, pg_admin: Engine) -> Iterator[str]:
    """A new database straight from CREATE DATABASE, as IT would hand it over: no schema."""
    name = f"office_{uuid.uuid4().hex[:10]}"
    with pg_admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    yield f"{postgres_server}/{name}"
    with pg_admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")


def _checks(target: str) -> dict[str, TableCheck]:
    db = Database.open(resolve_database(target))
    try:
        return {c.table: c for c in table_checks(db.engine)}
    finally:
        db.dispose()


def _tables(target: str) -> list[str]:
    db = Database.open(resolve_database(target))
    try:
        return inspect(db.engine).get_table_names()
    finally:
        db.dispose()


def _migrate(
    capsys: pytest.CaptureFixture[str], source: Path, url: str, user: str
) -> tuple[int, str, str]:
    code = cli.main(["migrate-to", url, "--database", str(source), "--user", user])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.slow
def test_migrate_to_copies_every_table_verified_and_leaves_the_file_as_it_was(
    demo_file: Path,
    empty_server_db: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VERU_DESK_PASSWORD", DEMO_PASSWORD)
    before = _checks(str(demo_file))
    started = time.perf_counter()
    code, out, err = _migrate(capsys, demo_file, empty_server_db, "admin")
    seconds = time.perf_counter() - started
    assert code == 0, err
    source = _checks(str(demo_file))
    server = _checks(empty_server_db)

    # The file gained only the administrator's sign-in (their last sign-in time and its
    # audit event); the copy itself wrote nothing there.
    signed_in = {"user", "audit_event", "audit_chain_head"}  # the head moves with the trail
    assert {t: c for t, c in source.items() if t not in signed_in} == {
        t: c for t, c in before.items() if t not in signed_in
    }
    assert source["audit_event"].rows == before["audit_event"].rows + 1
    # Every table on the server is the file's, row for row; the server's trail adds the move.
    trail = {"audit_event", "audit_chain_head"}
    assert {t: c for t, c in server.items() if t not in trail} == {
        t: c for t, c in source.items() if t not in trail
    }
    assert server["audit_event"].rows == source["audit_event"].rows + 1
    assert source["young_person"].rows == PEOPLE
    for table in ("young_person", "referral", "mentoring_session", "audit_event"):
        line = next(x for x in out.splitlines() if x.startswith(f"{table} "))
        assert f"{source[table].rows:,}" in line
    assert "young_person: 3,000 rows copied" in err
    assert "was not changed" in out
    db = Database.open(resolve_database(empty_server_db))
    try:
        with db.read() as session:
            last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    finally:
        db.dispose()
    assert last is not None and last.action is AuditAction.IMPORT
    assert last.username == "admin" and "verified by row count and checksum" in (last.summary or "")
    with capsys.disabled():
        rows = sum(c.rows for c in source.values())
        print(f"\nmigrate-to: {PEOPLE:,} people, {rows:,} rows in {seconds:.1f} s")


def test_migrate_to_refuses_a_server_database_that_already_holds_data(
    demo_file: Path,
    empty_server_db: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VERU_DESK_PASSWORD", DEMO_PASSWORD)
    server = Database.open(resolve_database(empty_server_db))
    upgrade(server.engine)
    with server.write() as session:
        session.add(Agency(name="Luton Sixth Form College", agency_type=AgencyType.SCHOOL))
    server.dispose()
    code, out, err = _migrate(capsys, demo_file, empty_server_db, "admin")
    assert code == 1 and out == ""
    assert "not empty" in err and err.count("\n") == 2  # the "Copying ..." line and the refusal


def test_only_an_administrator_may_move_the_database_and_only_onto_a_server(
    demo_file: Path,
    empty_server_db: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VERU_DESK_PASSWORD", DEMO_PASSWORD)
    code, _out, err = _migrate(capsys, demo_file, empty_server_db, "priya")
    assert code == 1 and "administrator" in err
    assert _tables(empty_server_db) == []  # the server was not touched
    code, _out, err = _migrate(capsys, demo_file, str(tmp_path / "other.db"), "admin")
    assert code == 1 and "PostgreSQL" in err
