"""Documents gathered in one read transaction, so they print one moment.

A case summary or a subject access copy is read by a dozen queries. Read in separate
transactions (or, on a server, at READ COMMITTED) a session saved on another PC half-way
through could be in the chronology and the attendance figures but not among the recent
sessions. A service that gathers a document reads it all through ``_snapshot`` and hands the
open session to the ``*_in`` read variants of the services whose sections it borrows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from veru_desk.services.base import Service


class SnapshotService(Service):
    @contextmanager
    def _snapshot(self, *, wide: bool = False) -> Iterator[Session]:
        """Like ``_read``, but one moment on every engine (``Database.snapshot``); ``wide``
        for a document read across the whole database."""
        with self._translated_errors(), self.db.snapshot(wide=wide) as session:
            self._check_account(session)
            yield session
