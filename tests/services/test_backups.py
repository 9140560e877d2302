from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text

from tests.conftest import Team
from veru_desk.db.backup import list_backups
from veru_desk.db.engine import Database
from veru_desk.db.models import Agency, AuditEvent
from veru_desk.domain.enums import AuditAction
from veru_desk.domain.errors import PermissionDenied, StorageError
from veru_desk.services import Services
from veru_desk.services.backups import BackupService


def _agency(db: Database, name: str) -> None:
    with db.write() as session:
        session.add(Agency(name=name, agency_type="school"))


@pytest.mark.sqlite_only
def test_restore_brings_back_the_backup_and_keeps_a_safety_copy(
    db: Database, team: Team, db_path: Path
) -> None:
    service = BackupService(db, team.admin)
    _agency(db, "Challney High School for Boys")
    backup = service.backup_now()
    _agency(db, "Mistake Academy")
    safety = service.restore(backup)
    with db.read() as session:
        names = session.scalars(select(Agency.name)).all()
        actions = session.scalars(select(AuditEvent.action)).all()
    assert names == ["Challney High School for Boys"]
    assert AuditAction.RESTORE in actions
    assert safety.parent == db_path.parent / "backups"
    assert {b.kind for b in list_backups(safety.parent)} >= {"manual", "before-restore"}


@pytest.mark.sqlite_only
def test_a_backup_from_a_newer_release_is_refused(db: Database, team: Team) -> None:
    service = BackupService(db, team.admin)
    backup = service.backup_now()
    future = Database.open(db.location.__class__(url=f"sqlite:///{backup}", path=backup))
    with future.write() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    future.dispose()
    with pytest.raises(StorageError, match="newer version"):
        service.restore(backup)


def test_only_administrators_back_up_and_restore(as_manager: Services) -> None:
    with pytest.raises(PermissionDenied):
        BackupService(as_manager.db, as_manager.actor).backup_now()


@pytest.mark.sqlite_only
def test_a_restore_that_fails_part_way_puts_the_database_back_and_says_so(
    db: Database, team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file passed every check, then the upgrade after copying it in failed (a full disk,
    say): the database must not be left as a half-restored file nobody can open."""
    service = BackupService(db, team.admin)
    _agency(db, "Challney High School for Boys")
    backup = service.backup_now()
    _agency(db, "Stopsley Community Centre")

    def disk_full(_engine: object, _revision: str = "head") -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("veru_desk.services.backups.migrate.upgrade", disk_full)
    with pytest.raises(StorageError) as failed:
        service.restore(backup)
    message = str(failed.value)
    assert "No space left on device" in message
    assert "put back as it was" in message and "before-restore" in message
    with db.read() as session:
        names = sorted(session.scalars(select(Agency.name)).all())
    assert names == ["Challney High School for Boys", "Stopsley Community Centre"]


@pytest.mark.sqlite_only
def test_daily_backups_of_two_databases_in_one_folder_do_not_overwrite_each_other(
    db: Database, team: Team, db_path: Path, tmp_path: Path
) -> None:
    import datetime as dt

    from veru_desk.config import resolve_database
    from veru_desk.db.backup import daily_backup_if_due
    from veru_desk.db.opening import open_database

    folder = tmp_path / "shared-backups"
    now = dt.datetime(2026, 12, 5, 8, 30)
    other = open_database(resolve_database(str(tmp_path / "youth-club.db")))
    _agency(db, "Luton Sixth Form College")
    ours = daily_backup_if_due(db.engine, folder, now=now)
    theirs = daily_backup_if_due(other.engine, folder, now=now)
    other.dispose()
    assert ours is not None and theirs is not None and ours != theirs
    assert [b.path for b in list_backups(folder, db_path)] == [ours]
    restored = BackupService(db, team.admin)
    restored.restore(ours)  # its own backup, whole
    with db.read() as session:
        assert session.scalars(select(Agency.name)).all() == ["Luton Sixth Form College"]


@pytest.mark.sqlite_only
def test_a_failed_restore_over_a_damaged_database_puts_the_damaged_file_back_for_it(
    db: Database, team: Team, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The damaged file is what IT recovers from: a failed restore must not lose it either."""
    service = BackupService(db, team.admin)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE filler (id INTEGER PRIMARY KEY, words TEXT)")
        for number in range(3000):
            conn.exec_driver_sql(
                "INSERT INTO filler (words) VALUES (?)", (f"Oluwaseun Adebayo {number:05d}",)
            )
    backup = service.backup_now()
    db.dispose()
    size = db_path.stat().st_size
    with db_path.open("r+b") as handle:
        handle.seek(size * 3 // 4)
        handle.write(b"\x5a" * 8192)
    damaged = db_path.read_bytes()

    def fails(_engine: object, _revision: str = "head") -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr("veru_desk.services.backups.migrate.upgrade", fails)
    with pytest.raises(StorageError, match="put back as it was"):
        service.restore(backup)
    db.dispose()
    assert db_path.read_bytes() == damaged
    assert not list(db_path.parent.glob("*.putting-back"))


@pytest.mark.sqlite_only
def test_old_style_backups_are_listed_only_where_they_provably_belong(tmp_path: Path) -> None:
    """Backups named by earlier releases (``daily-DATE.db``) were shared by every database in
    the folder. An encrypted database lists one only if its own key opens it; an unencrypted
    one cannot prove it and lists none (they stay restorable by naming the file)."""
    import datetime as dt

    from veru_desk.config import resolve_database
    from veru_desk.db.backup import backup_sqlite, timestamped_name
    from veru_desk.services.vault import create_database

    password = "Tomasz Łukasiewicz keeps the keys"
    made = {
        name: create_database(
            resolve_database(str(tmp_path / f"{name}.db")), "tomasz", "Tomasz Łukasiewicz",
            password,
        )
        for name in ("office", "training")
    }  # fmt: skip
    folder = tmp_path / "backups"
    old = dt.datetime(2026, 10, 1, 9, 0)
    mine = backup_sqlite(made["office"].db.engine, folder / timestamped_name("daily", old),
                         key=made["office"].db.key)  # fmt: skip
    theirs = backup_sqlite(
        made["training"].db.engine,
        folder / timestamped_name("daily", old + dt.timedelta(days=1)),
        key=made["training"].db.key,
    )
    office = BackupService(made["office"].db, made["office"].actor)
    new = office.backup_now()
    assert [b.path for b in office.list()] == [new, mine]
    assert theirs not in [b.path for b in office.list()]
    for created in made.values():
        created.db.dispose()


@pytest.mark.sqlite_only
def test_a_backup_is_never_written_over_the_database_itself(db: Database, team: Team) -> None:
    service = BackupService(db, team.admin)
    assert db.location.path is not None
    with pytest.raises(StorageError, match="is the database being backed up"):
        service.backup_now(db.location.path, force=True)


@pytest.mark.sqlite_only
def test_two_backups_in_the_same_second_are_both_kept(db: Database, team: Team) -> None:
    service = BackupService(db, team.admin)
    made = [service.backup_now() for _ in range(3)]
    assert len(set(made)) == 3 and all(path.is_file() for path in made)


@pytest.mark.sqlite_only
def test_an_unrelated_sqlite_file_with_our_revision_is_refused_before_anything_changes(
    db: Database, team: Team, tmp_path: Path
) -> None:
    import sqlite3

    from veru_desk.db.migrate import head_revision

    service = BackupService(db, team.admin)
    _agency(db, "Denbigh High School")
    stranger = tmp_path / "minutes.db"
    with sqlite3.connect(stranger) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        connection.execute("INSERT INTO alembic_version VALUES (?)", (head_revision(),))
    with pytest.raises(StorageError, match=r"minutes\.db is not a VERU Desk backup"):
        service.restore(stranger)
    with db.read() as session:
        assert session.scalars(select(Agency.name)).all() == ["Denbigh High School"]
    assert [b.kind for b in service.list()] == []  # not even a safety copy was needed


@pytest.mark.sqlite_only
def test_backup_to_an_existing_file_needs_force_and_then_replaces_it_whole(
    db: Database, team: Team, tmp_path: Path
) -> None:
    service = BackupService(db, team.admin)
    target = tmp_path / "elsewhere" / "handover.db"
    target.parent.mkdir()
    target.write_bytes(b"Ngozi's notes, not a database")
    stray_key = target.with_name("handover.db.keys")
    stray_key.write_text('{"format": 1, "slots": {}}', encoding="utf-8")
    with pytest.raises(StorageError, match="--force") as refused:
        service.backup_now(target)
    assert str(target) in str(refused.value)
    assert target.read_bytes() == b"Ngozi's notes, not a database"

    service.backup_now(target, force=True)
    assert target.read_bytes().startswith(b"SQLite format 3\x00")
    assert not stray_key.exists()  # a plain backup has no key file: the old one would lie
