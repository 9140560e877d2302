"""Opening a database for use: refuse one from a newer release, back up before migrating,
then bring the schema to the current version."""

from __future__ import annotations

from sqlalchemy import inspect

from veru_desk.config import DatabaseLocation, default_backup_dir
from veru_desk.db import migrate
from veru_desk.db.backup import backup_sqlite, timestamped_name
from veru_desk.db.engine import Database


def open_database(
    location: DatabaseLocation, *, key: bytes | None = None, upgrade: bool = True
) -> Database:
    db = Database.open(location, key=key)
    if upgrade:
        migrate.refuse_if_newer(db.engine)
        if migrate.needs_upgrade(db.engine):
            if location.is_sqlite_file and inspect(db.engine).get_table_names():
                backup_sqlite(
                    db.engine, default_backup_dir() / timestamped_name("before-migration")
                )
            migrate.upgrade(db.engine)
    return db
