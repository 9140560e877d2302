"""Crash safety: a save either fully happens or not at all.

A child process saves notes and sessions through the real services in a loop, printing each
id only after its transaction committed, and is killed with SIGKILL at random moments. After
every kill the file must pass SQLite's integrity check and hold every save the child
reported. Then the start-up check: a damaged file is refused, naming the latest good backup.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from tests.db.child_processes import allocated_case, finished_lines, go, start_child
from veru_desk.config import backup_dir_for, resolve_database
from veru_desk.db.backup import backup_sqlite, timestamped_name
from veru_desk.db.engine import Database
from veru_desk.db.health import check_database
from veru_desk.db.integrity import DamagedDatabase, quick_check
from veru_desk.db.session import open_database, start_of_day_checks
from veru_desk.services import Services

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

TABLES = {"note": "case_note", "session": "mentoring_session"}


def kill_at_random_moments(db_path: Path, person_id: int, kills: int, seed: int) -> int:
    """Runs ``kills`` child lives; returns how many saves the children reported in all."""
    rng = random.Random(seed)
    reported_total = 0
    for life in range(kills):
        child = start_child(db_path, "dariusz", "loop", person_id)
        go(child)
        time.sleep(rng.uniform(0.020, 0.300))
        child.send_signal(signal.SIGKILL)
        output, errors = child.communicate(timeout=30)
        assert child.returncode == -signal.SIGKILL, errors
        reported = finished_lines(output)
        reported_total += len(reported)
        connection = sqlite3.connect(db_path)
        try:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok", life
            for line in reported:
                kind, _, ident = line.partition(":")
                found = connection.execute(
                    f"SELECT count(*) FROM {TABLES[kind]} WHERE id = ?", (int(ident),)
                ).fetchone()[0]
                assert found == 1, f"life {life}: {line} was reported saved but is missing"
        finally:
            connection.close()
    return reported_total


def _run(db: Database, as_manager: Services, as_dariusz: Services, kills: int, seed: int) -> None:
    assert as_dariusz.actor.user_id is not None
    person_id = allocated_case(as_manager, as_dariusz.actor.user_id, "Łukasz", "Wiśniewski")
    db_path = db.location.path
    assert db_path is not None
    db.dispose()  # the parent holds no connection while children write
    started = time.monotonic()
    saves = kill_at_random_moments(db_path, person_id, kills, seed)
    elapsed = time.monotonic() - started
    print(f"{kills} kills, {saves} committed saves checked, {elapsed:.1f} s")
    assert saves > 0, "the children never got to save: the kills tested nothing"
    assert len(as_manager.notes.for_person(person_id)) >= saves // 2


def test_a_killed_writer_never_leaves_a_damaged_file_or_loses_a_reported_save(
    db: Database, as_manager: Services, as_dariusz: Services
) -> None:
    _run(db, as_manager, as_dariusz, kills=5, seed=20260101)


@pytest.mark.slow
def test_fifty_kills_at_random_moments_lose_nothing(
    db: Database, as_manager: Services, as_dariusz: Services
) -> None:
    _run(db, as_manager, as_dariusz, kills=50, seed=8)


def _damage(path: Path) -> None:
    """Overwrites the middle of the file, as a failing disk or a torn copy would."""
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.seek(size // 2)
        handle.write(b"\x5a" * 4096 * 2)


def _table_heavy_database(path: Path) -> Database:
    db = open_database(resolve_database(str(path)))
    with db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE filler (id INTEGER PRIMARY KEY, words TEXT)")
        conn.exec_driver_sql("CREATE INDEX ix_filler_words ON filler (words)")
        for number in range(3000):
            conn.exec_driver_sql(
                "INSERT INTO filler (words) VALUES (?)", (f"Łukasz Wiśniewski {number:05d}",)
            )
    return db


def test_a_sound_database_passes_the_quick_check(db: Database) -> None:
    assert quick_check(db.engine) is None
    assert check_database(db.engine).ok


def test_a_damaged_database_is_refused_at_start_offering_the_latest_good_backup(
    tmp_path: Path,
) -> None:
    path = tmp_path / "veru.db"
    db = _table_heavy_database(path)
    folder = backup_dir_for(resolve_database(str(path)))
    good = backup_sqlite(db.engine, folder / timestamped_name("daily", database=path))
    newer_but_broken = folder / "veru-manual-29991231-235959.db"
    newer_but_broken.write_bytes(b"not a database at all")
    db.dispose()
    _damage(path)

    with pytest.raises(DamagedDatabase) as refused:
        start_of_day_checks(open_database(resolve_database(str(path))))
    assert refused.value.backup == good
    assert good.name in str(refused.value)
    assert "failed its integrity check" in str(refused.value)


def test_a_damaged_database_with_no_backup_says_so(tmp_path: Path) -> None:
    path = tmp_path / "veru.db"
    _table_heavy_database(path).dispose()
    _damage(path)
    with pytest.raises(DamagedDatabase, match="no good backup") as refused:
        start_of_day_checks(open_database(resolve_database(str(path))))
    assert refused.value.backup is None
