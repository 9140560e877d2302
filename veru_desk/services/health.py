"""The database health check, for administrators and managers (``veru-desk check``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from veru_desk.db.audit_chain import Head
from veru_desk.db.backup import list_backups, read_chain_head
from veru_desk.db.health import HealthReport, check_database
from veru_desk.db.models import AuditEvent
from veru_desk.domain.enums import AuditAction, Role
from veru_desk.domain.errors import StorageError
from veru_desk.services import audit
from veru_desk.services.access import require_role
from veru_desk.services.base import Service


class HealthService(Service):
    def check(self) -> HealthReport:
        """Integrity, foreign keys, migrations and the audit trail; reads only, so nothing is
        audited."""
        with self._read():  # a refusal is audited like any other
            require_role(self.actor, Role.ADMIN, Role.MANAGER, doing="check the database")
        return check_database(self.db.engine, self.chain_heads())

    def chain_heads(self) -> list[Head]:
        """Where the audit chain ended when it was last recorded outside the database: the
        key file (encrypted files) and each backup taken since the last restore (a restore
        rightly goes back past the backups taken after the one restored), but for the copies
        a restore takes of the database it replaces."""
        heads: list[Head] = []
        try:
            in_key_file = audit.head_in_key_file(self.db)
        except StorageError:
            in_key_file = None  # the key file's own damage is reported where it is opened
        if in_key_file is not None:
            heads.append(in_key_file)
        path = self.db.location.path
        if path is None or not self.db.location.is_sqlite_file:
            return heads
        from veru_desk.config import backup_dir_for

        with self._read() as session:
            restored = session.scalar(
                select(func.max(AuditEvent.at)).where(AuditEvent.action == AuditAction.RESTORE)
            )
        since = (
            restored.replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None)
            if restored
            else None
        )
        try:
            backups = list_backups(backup_dir_for(self.db.location), path, key=self.db.key)
        except (StorageError, OSError):
            return heads
        for backup in backups:
            if since is not None and backup.taken_at <= since:
                continue
            if backup.kind == "before-restore":
                # Taken as a restore starts, so always before its RESTORE event: a restore that
                # finished has already put it out of the count above. One that did not either
                # left the database as this copy (nothing to find) or was stopped after the
                # backup's records were in and before its event was (a killed process): the
                # trail then rightly ends earlier, and counting the copy called it tampering.
                continue
            recorded = read_chain_head(backup.path)
            if recorded is not None:
                heads.append(Head(*recorded, f"the backup {backup.path.name}"))
        return heads
