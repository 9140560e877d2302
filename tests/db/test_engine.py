from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from veru_desk.config import resolve_database
from veru_desk.db.engine import Database
from veru_desk.db.migrate import upgrade
from veru_desk.db.sequences import next_case_reference


def test_an_encrypted_file_holds_no_readable_names(tmp_path: Path) -> None:
    key = os.urandom(32)
    location = resolve_database(str(tmp_path / "secret.db"))
    db = Database.open(location, key=key)
    upgrade(db.engine)
    with db.write() as session:
        session.execute(
            text(
                "INSERT INTO agency (name, agency_type, active) "
                "VALUES ('Siobhán Nic Giolla Phádraig Academy', 'school', 1)"
            )
        )
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert "Phádraig".encode() not in raw and b"Giolla" not in raw
    reopened = Database.open(location, key=key)
    with reopened.read() as session:
        assert session.scalar(text("SELECT count(*) FROM agency")) == 1
    reopened.dispose()
    wrong = Database.open(location, key=os.urandom(32))
    with pytest.raises(DatabaseError), wrong.read() as session:
        session.execute(text("SELECT count(*) FROM agency"))
    wrong.dispose()


def test_case_references_count_up_per_year_and_restart_each_year(db: Database) -> None:
    with db.write() as session:
        refs = [next_case_reference(session, 2026) for _ in range(3)]
        refs.append(next_case_reference(session, 2027))
    assert refs == ["VERU-2026-00001", "VERU-2026-00002", "VERU-2026-00003", "VERU-2027-00001"]
