"""Moving an office from a local SQLite file to a shared PostgreSQL database (``migrate-to``).

Only an administrator may do it: the copy carries every record and the whole audit trail.
The copy itself only reads the SQLite file (``db.transfer.copy_database`` proves each table
by row count and checksum), so the file stays as it was and remains the fallback until the
office has checked the server. The move is written into the new database's audit trail.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from veru_desk.config import DatabaseLocation
from veru_desk.db.engine import Database
from veru_desk.db.transfer import copy_database
from veru_desk.domain.enums import AuditAction, Role
from veru_desk.domain.errors import StorageError
from veru_desk.services import audit
from veru_desk.services.access import require_role
from veru_desk.services.base import Service


@dataclass(frozen=True)
class TableCopy:
    table: str
    rows: int
    checksum: str


@dataclass(frozen=True)
class MigrationReport:
    source: str
    target: str
    tables: tuple[TableCopy, ...]
    seconds: float

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


class TransferService(Service):
    def migrate_to(
        self, target: DatabaseLocation, progress: Callable[[str, int], None] | None = None
    ) -> MigrationReport:
        """Copies this (SQLite) database into the empty server database at ``target``.

        Raises:
            StorageError: the source is not a SQLite file, the target is not a server
                database, the target already holds data, or the copy did not verify.
        """
        with self._read():
            require_role(self.actor, Role.ADMIN, doing="move the database to a server")
        if not self.db.location.is_sqlite_file:
            raise StorageError(
                "migrate-to copies a local SQLite file: give the file with --database "
                f"({self.db.location.display} is already a server database)."
            )
        if target.is_sqlite_file or not target.url.startswith("postgresql"):
            raise StorageError(
                "migrate-to copies into an empty PostgreSQL database: give its URL, "
                "for example postgresql+psycopg://veru@dbserver/veru"
            )
        started = time.perf_counter()
        server = Database.open(target)
        try:
            checks = copy_database(self.db.engine, server.engine, progress)
            seconds = time.perf_counter() - started
            with server.write() as session:
                audit.record(
                    session,
                    self.actor,
                    AuditAction.IMPORT,
                    entity_type="database",
                    summary=f"Database copied from {self.db.location.display}: "
                    f"{sum(c.rows for c in checks):,} rows in {len(checks)} tables, each "
                    "verified by row count and checksum",
                )
        finally:
            server.dispose()
        return MigrationReport(
            source=self.db.location.display,
            target=target.display,
            tables=tuple(TableCopy(c.table, c.rows, c.checksum) for c in checks),
            seconds=seconds,
        )
