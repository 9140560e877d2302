"""Opening a database for use, and the checks of the day's first start.

Opening must be quick at any size (the window waits on it): refuse a file from a newer
release, back up and check before migrating, migrate. The whole-file checks that grow
with the database (a quick integrity check, the day's first backup) are
``start_of_day_checks``, which the desktop app runs off the GUI thread once its window
is up, and ``veru-desk check`` / ``veru-desk backup`` run on demand.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect

from veru_desk.config import DatabaseLocation, backup_dir_for
from veru_desk.db import migrate
from veru_desk.db.backup import backup_sqlite, daily_backup_if_due, timestamped_name
from veru_desk.db.engine import Database
from veru_desk.db.integrity import damaged_database_error, quick_check
from veru_desk.db.local_only import refuse_unsafe_location


def open_database(
    location: DatabaseLocation, *, key: bytes | None = None, upgrade: bool = True
) -> Database:
    """Opens (creating if need be) and upgrades a database; every entry point uses this."""
    if location.path is not None:
        refuse_unsafe_location(location.path)
    db = Database.open(location, key=key)
    if upgrade:
        try:
            migrate.refuse_if_newer(db.engine)
        except Exception as error:
            _refuse_if_unreadable(db, error)
            raise
        migrate.refuse_if_not_ours(db.engine)
        if migrate.needs_upgrade(db.engine):
            if location.is_sqlite_file and inspect(db.engine).get_table_names():
                _refuse_if_damaged(db)
                backup_sqlite(
                    db.engine,
                    backup_dir_for(location)
                    / timestamped_name("before-migration", database=location.path),
                    key=key,
                    key_file=db.key_file,
                )
            migrate.upgrade(db.engine)
        else:
            migrate.mark_as_ours(db.engine)  # a file made before databases carried the mark
    return db


MALFORMED = "database disk image is malformed"


def _refuse_if_unreadable(db: Database, error: Exception) -> None:
    """A file damaged where SQLite reads first (its schema) fails at the first statement,
    before any integrity check can run: refused the same way, offering the latest good
    backup, not as an unforeseen error."""
    path = db.location.path
    if path is None or not db.location.is_sqlite_file or MALFORMED not in str(error):
        return
    db.dispose()
    raise damaged_database_error(
        MALFORMED, path, backup_dir_for(db.location), key=db.key
    ) from error


def start_of_day_checks(db: Database) -> Path | None:
    """Quick integrity check, then the day's first backup (returned when one was taken).

    Raises ``DamagedDatabase`` naming the latest good backup: never carry on silently with a
    damaged file, since every later save would build on it.
    """
    if not db.location.is_sqlite_file:
        return None
    _refuse_if_damaged(db)
    return daily_backup_if_due(
        db.engine, backup_dir_for(db.location), key=db.key, key_file=db.key_file
    )


def _refuse_if_damaged(db: Database) -> None:
    path = db.location.path
    if path is None or not path.is_file() or not path.stat().st_size:
        return
    problem = quick_check(db.engine)
    if problem is not None:
        raise damaged_database_error(problem, path, backup_dir_for(db.location), key=db.key)
