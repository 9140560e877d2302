"""Migration 0007 adds safeguarding flags: a database at 0006 (the release with sharing
decisions) upgrades with every record intact and an empty flags table ready for use."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from sqlalchemy import create_engine

from veru_desk.config import resolve_database
from veru_desk.db import migrate
from veru_desk.db.opening import open_database

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "schema-0003.db"


def _counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as raw:
        tables = [
            name
            for (name,) in raw.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: raw.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def test_a_database_at_0006_upgrades_to_flags_with_every_record_intact(tmp_path: Path) -> None:
    path = tmp_path / "office.db"
    shutil.copy(FIXTURE, path)
    engine = create_engine(f"sqlite:///{path}")
    try:
        migrate.upgrade(engine, "0006")
        assert migrate.current_revision(engine) == "0006"
    finally:
        engine.dispose()
    before = _counts(path)
    assert "safeguarding_flag" not in before
    assert before["young_person"] > 0 and before["referral"] > 0

    db = open_database(resolve_database(str(path)))
    db.dispose()

    after = _counts(path)
    assert after["safeguarding_flag"] == 0
    assert {t: n for t, n in after.items() if t in before and t != "audit_event"} == {
        t: n for t, n in before.items() if t != "audit_event"
    }
    with sqlite3.connect(path) as raw:
        columns = {row[1] for row in raw.execute("PRAGMA table_info(safeguarding_flag)")}
        (revision,) = raw.execute("SELECT version_num FROM alembic_version").fetchone()
    assert {"kind", "started_on", "ended_on", "reasonable_grounds_on", "return_interview_done"} <= (
        columns
    )
    assert revision == migrate.head_revision()
