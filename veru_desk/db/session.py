"""Opening a database for use: refuse a damaged file (offering the latest good backup) and
one from a newer release, back up before migrating, bring the schema to the current version,
and take the day's first backup."""

from __future__ import annotations

from sqlalchemy import inspect

from veru_desk.config import DatabaseLocation, backup_dir_for
from veru_desk.db import migrate
from veru_desk.db.backup import backup_sqlite, daily_backup_if_due, timestamped_name
from veru_desk.db.engine import Database
from veru_desk.db.integrity import damaged_database_error, quick_check


def open_database(
    location: DatabaseLocation,
    *,
    key: bytes | None = None,
    upgrade: bool = True,
    daily_backup: bool = True,
) -> Database:
    """Opens (creating if need be) and upgrades a database; every entry point uses this."""
    db = Database.open(location, key=key)
    if location.path is not None and location.path.is_file() and location.path.stat().st_size:
        # Never carry on silently with a damaged file: every later save would build on it.
        problem = quick_check(db.engine)
        if problem is not None:
            db.dispose()
            raise damaged_database_error(problem, location.path, backup_dir_for(location), key=key)
    if upgrade:
        migrate.refuse_if_newer(db.engine)
        if migrate.needs_upgrade(db.engine):
            if location.is_sqlite_file and inspect(db.engine).get_table_names():
                backup_sqlite(
                    db.engine,
                    backup_dir_for(location) / timestamped_name("before-migration"),
                    key=key,
                    key_file=db.key_file,
                )
            migrate.upgrade(db.engine)
    if daily_backup and location.is_sqlite_file:
        daily_backup_if_due(db.engine, backup_dir_for(location), key=key, key_file=db.key_file)
    return db
