"""Opening a database for use: refuse one from a newer release, back up before migrating,
bring the schema to the current version, and take the day's first backup."""

from __future__ import annotations

from sqlalchemy import inspect

from veru_desk.config import DatabaseLocation, backup_dir_for
from veru_desk.db import migrate
from veru_desk.db.backup import backup_sqlite, daily_backup_if_due, timestamped_name
from veru_desk.db.engine import Database


def open_database(
    location: DatabaseLocation,
    *,
    key: bytes | None = None,
    upgrade: bool = True,
    daily_backup: bool = True,
) -> Database:
    """Opens (creating if need be) and upgrades a database; every entry point uses this."""
    db = Database.open(location, key=key)
    if upgrade:
        migrate.refuse_if_newer(db.engine)
        if migrate.needs_upgrade(db.engine):
            if location.is_sqlite_file and inspect(db.engine).get_table_names():
                backup_sqlite(
                    db.engine,
                    backup_dir_for(location) / timestamped_name("before-migration"),
                    key=key,
                )
            migrate.upgrade(db.engine)
    if daily_backup and location.is_sqlite_file:
        daily_backup_if_due(db.engine, backup_dir_for(location), key=key)
    return db
