"""Migration 0008 adds contacts' involvement and the directory of professionals: a database at
0007 upgrades with every contact intact (same people, same details, involved now with no
dates) and an empty directory of professionals ready for use."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from sqlalchemy import create_engine

from veru_desk.config import resolve_database
from veru_desk.db import migrate
from veru_desk.db.opening import open_database

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "schema-0003.db"
_CONTACT = "id, young_person_id, name, relationship_to_person, agency_id, phone, email, address"


def test_a_database_at_0007_upgrades_with_every_contact_intact(tmp_path: Path) -> None:
    path = tmp_path / "office.db"
    shutil.copy(FIXTURE, path)
    engine = create_engine(f"sqlite:///{path}")
    try:
        migrate.upgrade(engine, "0007")
        assert migrate.current_revision(engine) == "0007"
    finally:
        engine.dispose()
    with sqlite3.connect(path) as raw:
        person = raw.execute("SELECT min(id) FROM young_person").fetchone()[0]
        raw.execute(
            "INSERT INTO contact (young_person_id, name, relationship_to_person, phone, "
            "parental_responsibility, notes, created_at, updated_at, version) "
            "VALUES (?, 'Grażyna Wiśniewska', 'mother', '07700 900123', 1, 'Prefers Polish', "
            "'2026-01-05 10:00:00', '2026-01-05 10:00:00', 1)",
            (person,),
        )
        before = raw.execute(f"SELECT {_CONTACT} FROM contact ORDER BY id").fetchall()
        tables = {n for (n,) in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "professional" not in tables
    assert any(row[2] == "Grażyna Wiśniewska" for row in before)

    open_database(resolve_database(str(path))).dispose()

    with sqlite3.connect(path) as raw:
        after = raw.execute(f"SELECT {_CONTACT} FROM contact ORDER BY id").fetchall()
        added = raw.execute(
            "SELECT involved_from, ended_on, end_reason, professional_id FROM contact"
        ).fetchall()
        professionals = raw.execute("SELECT count(*) FROM professional").fetchone()[0]
        (revision,) = raw.execute("SELECT version_num FROM alembic_version").fetchone()
        problems = raw.execute("PRAGMA foreign_key_check").fetchall()
    assert after == before
    assert set(added) == {(None, None, None, None)}
    assert professionals == 0 and problems == []
    assert revision == migrate.head_revision()
