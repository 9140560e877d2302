"""The database health check, for administrators and managers (``veru-desk check``)."""

from __future__ import annotations

from veru_desk.db.health import HealthReport, check_database
from veru_desk.domain.enums import Role
from veru_desk.services.access import require_role
from veru_desk.services.base import Service


class HealthService(Service):
    def check(self) -> HealthReport:
        """Integrity, foreign keys and migrations; reads only, so nothing is audited."""
        with self._read():  # a refusal is audited like any other
            require_role(self.actor, Role.ADMIN, Role.MANAGER, doing="check the database")
        return check_database(self.db.engine)
