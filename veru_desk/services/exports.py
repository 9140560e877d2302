"""The documents made from a case: the case workspace's Exports tab.

A summary that left the unit must be traceable (who made it, when, for which meeting, with
which sharing profile), so every export is listed here from its ``document_export`` row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from veru_desk.db.models import DocumentExport, User
from veru_desk.services.access import require_case_access
from veru_desk.services.base import Service, utc_to_local


@dataclass(frozen=True)
class ExportView:
    id: int
    at: dt.datetime  # local wall-clock time
    by: str | None
    kind: str
    profile: str | None
    prepared_for: str | None
    filename: str | None
    pages: int | None

    @property
    def kind_label(self) -> str:
        return self.kind.replace("_", " ").capitalize()


class ExportService(Service):
    def for_person(self, person_id: int) -> list[ExportView]:
        """Every document exported from the case, newest first."""
        with self._read() as session:
            require_case_access(session, self.actor, person_id, doing="read the case's exports")
            rows = session.execute(
                select(DocumentExport, User.display_name)
                .outerjoin(User, User.id == DocumentExport.by_user_id)
                .where(DocumentExport.young_person_id == person_id)
                .order_by(DocumentExport.at.desc(), DocumentExport.id.desc())
            ).all()
            return [
                ExportView(
                    id=row.id,
                    at=utc_to_local(row.at),
                    by=name,
                    kind=row.kind,
                    profile=row.profile,
                    prepared_for=row.prepared_for,
                    filename=row.filename,
                    pages=row.pages,
                )
                for row, name in rows
            ]
