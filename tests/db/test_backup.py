from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from veru_desk.config import resolve_database
from veru_desk.db.backup import (
    BackupFile,
    RetentionPolicy,
    backup_sqlite,
    backups_to_keep,
    check_backup_file,
    daily_backup_if_due,
    list_backups,
)
from veru_desk.db.engine import Database
from veru_desk.db.migrate import head_revision
from veru_desk.db.models import Agency
from veru_desk.db.opening import open_database, start_of_day_checks
from veru_desk.domain.errors import StorageError


def test_backup_is_a_consistent_checked_copy(db: Database, tmp_path: Path) -> None:
    with db.write() as session:
        session.add(Agency(name="Luton Sixth Form", agency_type="school"))
    copy = backup_sqlite(db.engine, tmp_path / "b" / "manual-20260101-090000.db")
    assert check_backup_file(copy) == head_revision()
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT name FROM agency").fetchall() == [("Luton Sixth Form",)]
    assert not list(copy.parent.glob("*.partial"))


def test_first_start_of_the_day_backs_up_once(tmp_path: Path) -> None:
    location = resolve_database(str(tmp_path / "veru.db"))
    for _ in range(2):
        db = open_database(location)
        start_of_day_checks(db)
        db.dispose()
    backups = list_backups(tmp_path / "backups")
    assert [b.kind for b in backups] == ["daily"]


def test_rotation_keeps_seven_days_four_weeks_twelve_months() -> None:
    start = dt.datetime(2026, 11, 25, 9, 0)
    backups = [
        BackupFile(Path(f"daily-{i}.db"), "daily", start - dt.timedelta(days=i), 1)
        for i in range(400)
    ]
    backups.append(BackupFile(Path("before-migration.db"), "before-migration", start, 1))
    keep = backups_to_keep(backups, RetentionPolicy())
    kept_days = sorted(
        (start - b.taken_at).days for b in backups if b.path in keep and b.kind == "daily"
    )
    assert kept_days[:7] == [0, 1, 2, 3, 4, 5, 6]
    assert Path("before-migration.db") in keep
    assert len(keep) <= 1 + 7 + 4 + 12
    assert max(d for d in kept_days) > 300  # a monthly backup from nearly a year ago


def test_daily_backup_rotates_old_ones(db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "rot"
    now = dt.datetime(2026, 11, 25, 9, 0)
    for day in range(12):
        daily_backup_if_due(db.engine, folder, now=now - dt.timedelta(days=40 - day))
    daily_backup_if_due(db.engine, folder, now=now)
    assert len(list_backups(folder)) < 13


def test_a_damaged_file_is_not_accepted_as_a_backup(tmp_path: Path) -> None:
    bogus = tmp_path / "manual-20260101-090000.db"
    bogus.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageError):
        check_backup_file(bogus)


def test_a_backup_abandoned_mid_write_is_cleared_and_never_listed(
    db: Database, tmp_path: Path
) -> None:
    """A process killed while writing a backup leaves ``….partial`` files: never offered
    for restoring, and cleared at a later backup once they are clearly abandoned."""
    import os

    folder = tmp_path / "backups"
    folder.mkdir()
    database = Path(str(db.engine.url.database))
    label = database.name.removesuffix(".db")
    abandoned = folder / f"{label}-daily-20261201-090000.db.partial"
    abandoned_key = folder / f"{label}-daily-20261201-090000.db.keys.partial"
    being_written = folder / f"{label}-manual-20261205-090000.db.partial"
    for path in (abandoned, abandoned_key, being_written):
        path.write_bytes(b"SQLite format 3\x00 half")
    two_hours_ago = dt.datetime.now().timestamp() - 7200
    for path in (abandoned, abandoned_key):
        os.utime(path, (two_hours_ago, two_hours_ago))
    assert list_backups(folder, database) == []

    made = daily_backup_if_due(db.engine, folder)
    assert made is not None
    assert [b.path for b in list_backups(folder, database)] == [made]
    assert not abandoned.exists() and not abandoned_key.exists()
    assert being_written.exists()  # perhaps another process's backup in progress


def test_a_backup_held_by_another_program_is_called_locked_not_foreign(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A good backup another program holds must not be written off as another database's:
    the person would throw it away. The check says it is locked and to try again."""
    backup = tmp_path / "veru-manual-20261204-170000.db"
    backup.write_bytes(db_path.read_bytes())
    holder = sqlite3.connect(backup, isolation_level=None)
    holder.execute("PRAGMA journal_mode=DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    real_connect = sqlite3.connect
    monkeypatch.setattr(
        sqlite3, "connect", lambda *a, **k: real_connect(*a, **{**k, "timeout": 0.2})
    )
    try:
        with pytest.raises(StorageError) as refused:
            check_backup_file(backup)
    finally:
        holder.rollback()
        holder.close()
    message = str(refused.value)
    assert "locked" in message and "another program" in message
    assert "not a VERU Desk backup" not in message
    assert check_backup_file(backup) == head_revision()
