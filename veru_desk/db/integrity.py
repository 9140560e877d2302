"""The start-up check: is the database file sound before anything is saved to it? And if
not, which backup is the newest one that is, so the app can offer it instead of carrying on.

A SQLite file can be damaged by a failing disk, a sync tool copying it mid-write or a power
cut on a laptop whose disk lies about flushing; SQLite's own check is the only reliable test.
``quick_check`` takes seconds even on a large file, so it runs at every start; the full
checks for the `check` command are in ``db.health``.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from veru_desk.db.backup import OLD_STYLE_PATTERN, check_backup_file, list_backups
from veru_desk.db.engine import is_sqlite
from veru_desk.db.failures import Cause, explain
from veru_desk.domain.errors import StorageError

MAX_PROBLEMS = 5
NO_BACKUP = "There is no good backup in the backup folder: ask IT to recover the file."


class DamagedDatabase(StorageError):
    """The database failed its integrity check. ``backup`` is the newest backup that passed
    its own check (None if there is none), so the app can offer to restore it."""

    def __init__(
        self, message: str, *, problem: str, backup: Path | None, advice: str = NO_BACKUP
    ) -> None:
        super().__init__(message)
        self.problem = problem
        self.backup = backup
        self.advice = advice  # what the folder holds, said the same way by the CLI and the app


def quick_check(engine: Engine) -> str | None:
    """None when the file is sound, else what SQLite found. A server database looks after
    its own storage, so it is only asked to answer."""
    try:
        with engine.connect() as conn:
            if not is_sqlite(engine):
                conn.exec_driver_sql("SELECT 1")
                return None
            rows = [str(row[0]) for row in conn.exec_driver_sql("PRAGMA quick_check")]
    except DBAPIError as error:  # "file is not a database", "database disk image is malformed"
        # Locked by another program, a share gone, a server down: not damage, and saying it
        # is would send someone to restore a backup over a sound file (db.failures).
        failure = explain(error)
        if failure is not None and failure.cause is not Cause.DAMAGED:
            raise failure from error
        return str(error.orig)
    if rows == ["ok"]:
        return None
    more = len(rows) - MAX_PROBLEMS
    return "; ".join(rows[:MAX_PROBLEMS]) + (f" (and {more} more problems)" if more > 0 else "")


def latest_good_backup(
    folder: Path, *, key: bytes | None = None, database: Path | None = None
) -> Path | None:
    """The newest backup of ``database`` in ``folder`` that opens with ``key`` and passes its
    check (never another database's, which would not be this one's data)."""
    for backup in list_backups(folder, database, key=key):
        try:
            check_backup_file(backup.path, key=key)
        except StorageError:
            continue
        return backup.path
    return None


def _unproven_old_backups(folder: Path) -> list[Path]:
    """Backups named by releases before backups carried their database's name, newest first:
    shared by every database in the folder, so not offered, but not hidden either."""
    if not folder.is_dir():
        return []
    found = {
        match["stamp"] + path.name: path
        for path in folder.iterdir()
        if (match := OLD_STYLE_PATTERN.match(path.name)) and path.is_file()
    }
    return [found[stamp] for stamp in sorted(found, reverse=True)]


def damaged_database_error(
    problem: str, database: Path, backup_folder: Path, *, key: bytes | None = None
) -> DamagedDatabase:
    backup = latest_good_backup(backup_folder, key=key, database=database)
    if backup is not None:
        advice = (
            f"The latest good backup is {backup.name}: restore it, or ask IT to recover the file."
        )
    elif unproven := _unproven_old_backups(backup_folder):
        advice = (
            f"There is no good backup of it in the backup folder; {len(unproven)} backup(s) "
            f"named by an earlier release (such as {unproven[0].name}) may be another "
            "database's: ask IT to recover the file, or to check one and restore it with "
            "`veru-desk restore FILE`."
        )
    else:
        advice = NO_BACKUP
    return DamagedDatabase(
        f"The database {database.name} is damaged: it failed its integrity check ({problem}), "
        f"so VERU Desk has not opened it. {advice}",
        problem=problem,
        backup=backup,
        advice=advice,
    )
