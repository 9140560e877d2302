"""Making a new database so that it appears complete or not at all.

``veru-desk init``, ``veru-desk demo-data`` and the desktop app's first start all build the
new file (users, key file, demo cases) under a temporary name beside the final one and move it
into place only when it is finished (``db.staging``). Killed half-way, they leave nothing the
next start could take for a database: no file without users, no key file without a database,
no indexes dropped by the bulk loader.

A server database cannot be built aside; there the users are added in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from veru_desk.config import DatabaseLocation
from veru_desk.db import staging
from veru_desk.db.opening import open_database
from veru_desk.services.vault import NewDatabase


def build_complete(
    location: DatabaseLocation, build: Callable[[DatabaseLocation], NewDatabase]
) -> NewDatabase:
    """Runs ``build`` on a temporary location beside ``location`` and moves the result into
    place when it returns; if it raises (or the process dies), nothing appears at
    ``location``. Returns the database opened at its final place."""
    if location.path is None:
        return build(location)
    with staging.building(location.path) as staged:
        created = build(DatabaseLocation(url=f"sqlite:///{staged}", path=staged))
        # Every connection closed, so SQLite folds its write-ahead log into the file.
        created.db.dispose()
    db = open_database(location, key=created.db.key)
    return NewDatabase(db, created.actor, created.recovery_key)
