"""Reading the audit trail: the viewer's pages, its count, and its CSV export.

Who may read it: managers (they supervise the casework the trail describes) and
administrators (scenario 8: after a laptop is stolen, the administrator must show which cases
its user opened). An administrator without a case role still sees no case data: for an event
about a young person they see who, when, which action, which record and the case reference,
but its summary and the changed values are withheld. Reading the trail is itself audited, once
per look (the first page of a query, or an export), so the trail shows who looked at it.

The trail grows to millions of rows, so a reader asks for pages: newest first, by ``offset``
or (cheaper, for a table scrolling down) ``before_id``, the id of the last row already shown.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from veru_desk.db.csv_files import open_csv
from veru_desk.db.models import AuditEvent, User, YoungPerson
from veru_desk.domain import audit_words
from veru_desk.domain.case_reference import format_case_reference, parse_case_reference
from veru_desk.domain.cells import neutralise
from veru_desk.domain.dates import format_uk_date, format_uk_datetime
from veru_desk.domain.enums import AuditAction, Role
from veru_desk.domain.errors import NotFound, ValidationError
from veru_desk.domain.names import display_name
from veru_desk.services.access import require_role
from veru_desk.services.base import Service, utc_to_local
from veru_desk.services.exports import write_then_record

DEFAULT_PAGE = 200
MAX_PAGE = 5000
EXPORT_BATCH = 2000
WITHHELD = "(withheld: case details are shown to managers only)"
CSV_HEADINGS = (
    "Event",
    "When",
    "Username",
    "User",
    "Action",
    "Record",
    "Record id",
    "Case ref",
    "Summary",
    "Changes",
)

Progress = Callable[[int, int], bool]


@dataclass(frozen=True)
class AuditFilter:
    """Which events to show; every part left empty matches everything.

    ``username`` also matches events by a name that is no user (failed sign-ins typed with
    an unknown name); dates are the local calendar days, both ends included.
    """

    user_id: int | None = None
    username: str | None = None
    case_ref: str | None = None
    actions: frozenset[AuditAction] = field(default_factory=frozenset)
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def describe(self) -> str:
        parts: list[str] = []
        if self.user_id is not None:
            parts.append(f"user id {self.user_id}")
        if self.username:
            parts.append(f"user {self.username.strip().lower()}")
        if self.case_ref:
            parts.append(f"case {self.case_ref.strip().upper()}")
        if self.actions:
            parts.append("actions " + ", ".join(sorted(a.label.lower() for a in self.actions)))
        if self.date_from or self.date_to:
            parts.append(
                f"from {format_uk_date(self.date_from) or 'the start'} "
                f"to {format_uk_date(self.date_to) or 'today'}"
            )
        return "; ".join(parts)


@dataclass(frozen=True)
class FieldChange:
    name: str
    old: Any
    new: Any


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: dt.datetime  # local wall-clock time
    user_id: int | None
    username: str
    user_display_name: str
    action: AuditAction
    entity_type: str | None
    entity_id: int | None
    person_id: int | None
    case_ref: str | None
    summary: str
    changes: tuple[FieldChange, ...]
    withheld: bool  # the summary and changed values are hidden from this reader
    person_name: str | None = None  # the young person's name, for a reader who may see it
    chain_hash: str | None = None  # this row's link in the hash chain (``db.audit_chain``)
    content_hash: str | None = None

    @property
    def when_text(self) -> str:
        return format_uk_datetime(self.at)

    @property
    def action_text(self) -> str:
        """The action as the app says it: "Signed in", "Changed", "Exported"."""
        return audit_words.action_words(self.action)

    @property
    def record_kind(self) -> str:
        return audit_words.record_kind(self.entity_type)

    @property
    def record_text(self) -> str:
        """The record as the app names it: "Mentoring session #57", "Young person
        VERU-2026-00012, Łukasz Wiśniewski" (the name only for a reader who may see it)."""
        return audit_words.record_words(
            self.entity_type, self.entity_id, case_ref=self.case_ref, person_name=self.person_name
        )

    @property
    def case_text(self) -> str:
        """The case reference, with the young person's name where this reader may see it."""
        if not self.case_ref:
            return ""
        return f"{self.case_ref} {self.person_name}" if self.person_name else self.case_ref

    @property
    def changes_words(self) -> str:
        """The changed fields in words: "Risk level: Medium → High; Notes changed (the trail
        does not keep what they say)"; for a reader without case details, only which fields."""
        return audit_words.changes_words(
            ((c.name, c.old, c.new) for c in self.changes), withheld=self.withheld
        )

    @property
    def changes_text(self) -> str:
        if self.withheld and self.changes:
            return "Changed: " + ", ".join(c.name for c in self.changes)
        return "; ".join(f"{c.name}: {_shown(c.old)} → {_shown(c.new)}" for c in self.changes)

    def csv_cells(self) -> list[object]:
        return [
            self.id,
            self.when_text,
            self.username,
            self.user_display_name,
            self.action.label,
            self.entity_type or "",
            self.entity_id if self.entity_id is not None else "",
            self.case_ref or "",
            self.summary,
            self.changes_text,
        ]


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    return str(value)


def _local_midnight_utc(day: dt.date) -> dt.datetime:
    """The UTC instant of local midnight starting ``day`` (the trail stores naive UTC)."""
    return dt.datetime.combine(day, dt.time()).astimezone(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class ChainStatus:
    """The audit chain checked, said as the audit viewer shows it."""

    ok: bool
    text: str


class AuditLogService(Service):
    def verify_chain(self) -> ChainStatus:
        """The hash chain and the append-only triggers checked from the first row, against
        the heads kept in the key file and the backups (``db.audit_chain``). Reads only."""
        from veru_desk.db import audit_chain
        from veru_desk.services.health import HealthService

        with self._read():
            self._require_reader()
        heads = HealthService(self.db, self.actor).chain_heads()
        with self.db.engine.connect() as connection:
            triggers = audit_chain.trigger_problems(connection)
            report = audit_chain.verify_chain(connection, heads)
        if report.problem is not None:
            return ChainStatus(False, report.problem)
        if triggers:
            return ChainStatus(False, " ".join(triggers))
        if report.last_id is None:
            return ChainStatus(True, "Chain verified: the trail is empty.")
        when = format_uk_datetime(utc_to_local(report.last_at)) if report.last_at else ""
        return ChainStatus(
            True, f"Chain verified up to row {report.last_id:,} ({when}): nothing was altered."
        )

    def query(
        self,
        where: AuditFilter | None = None,
        limit: int = DEFAULT_PAGE,
        offset: int = 0,
        *,
        before_id: int | None = None,
    ) -> list[AuditRow]:
        """A page of events, newest first. The first page of a look is audited as a view."""
        where = where or AuditFilter()
        limit = max(1, min(limit, MAX_PAGE))
        first_page = offset == 0 and before_id is None
        if first_page:
            with self._write() as session:
                self._require_reader()
                statement, person_id = self._statement(session, where)
                rows = self._page(session, statement, limit, offset, before_id)
                self._audit(
                    session,
                    AuditAction.VIEW,
                    entity_type="audit_event",
                    person_id=person_id,
                    summary=_viewed(where),
                )
                return rows
        with self._read() as session:
            self._require_reader()
            statement, _person_id = self._statement(session, where)
            return self._page(session, statement, limit, offset, before_id)

    def count(self, where: AuditFilter | None = None) -> int:
        with self._read() as session:
            self._require_reader()
            statement, _person_id = self._statement(session, where or AuditFilter())
            counted = statement.with_only_columns(func.count(AuditEvent.id)).order_by(None)
            return session.scalar(counted) or 0

    def write_csv(
        self,
        where: AuditFilter | None,
        handle: TextIO,
        *,
        destination: str = "standard output",
        limit: int | None = None,
    ) -> int:
        """Streams the matching events as CSV (formula-neutralised) and audits the export.

        A stream cannot be taken back once rows have gone out, so the export is recorded
        *before* the first row, as ``cases`` does; the rows are the events on record at that
        moment (not the export's own row). Returns the number of events written. ``limit``
        keeps only the newest events.
        """
        where = where or AuditFilter()
        expected = self.count(where) if limit is None else min(limit, self.count(where))
        newest = self._record_export(where, destination, expected)
        written, _finished = self._write_rows(where, handle, None, limit, newest)
        return written

    def export_csv(
        self, where: AuditFilter | None, path: Path, *, progress: Progress | None = None
    ) -> int:
        """Exports to a file (UTF-8 with a byte-order mark, so Excel reads accented names).

        The export is audited only once the file is in its place, and a failed or cancelled
        export leaves no file and no audit row (``services.exports.write_then_record``).
        """
        where = where or AuditFilter()
        written = 0

        def write(temp: Path) -> None:
            nonlocal written
            with open_csv(temp) as handle:
                written, finished = self._write_rows(where, handle, progress, None)
            if not finished:
                raise _Cancelled

        with contextlib.suppress(_Cancelled):  # cancelled: no file, nothing audited
            write_then_record(
                [(path, write)], lambda: self._record_export(where, path.name, written)
            )
        return written

    def _write_rows(
        self,
        where: AuditFilter,
        handle: TextIO,
        progress: Progress | None,
        limit: int | None,
        newest: int | None = None,
    ) -> tuple[int, bool]:
        """The CSV rows (none after event ``newest``, when given); returns how many were
        written and whether the export ran to the end (False when ``progress`` asked it to
        stop)."""
        total = self.count(where) if limit is None else min(limit, self.count(where))
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADINGS)
        written = 0
        for batch in self._batches(where, newest):
            if limit is not None:
                batch = batch[: limit - written]
            for row in batch:
                writer.writerow([neutralise(cell) for cell in row.csv_cells()])
            written += len(batch)
            if progress is not None and not progress(written, total):
                return written, False
            if limit is not None and written >= limit:
                break
        return written, True

    def _record_export(self, where: AuditFilter, destination: str, written: int) -> int:
        """Records the export; returns the id of the newest event before its own row."""
        with self._write() as session:
            self._require_reader()
            newest = session.scalar(select(func.max(AuditEvent.id))) or 0
            _statement, person_id = self._statement(session, where)
            described = where.describe()
            self._audit(
                session,
                AuditAction.EXPORT,
                entity_type="audit_event",
                person_id=person_id,
                summary=f"Audit trail exported to {destination}: {written} events"
                + (f" ({described})" if described else ""),
            )
            return newest

    # --- inside ------------------------------------------------------------------------------

    def _require_reader(self) -> None:
        require_role(self.actor, Role.MANAGER, Role.ADMIN, doing="read the audit trail")

    @property
    def _sees_case_details(self) -> bool:
        return self.actor.is_manager

    def _statement(
        self, session: Session, where: AuditFilter
    ) -> tuple[Select[*tuple[Any, ...]], int | None]:
        errors: dict[str, str] = {}
        if where.date_from and where.date_to and where.date_from > where.date_to:
            errors["date_to"] = "The end date is before the start date: swap them or clear one."
        person_id: int | None = None
        if where.case_ref and where.case_ref.strip():
            parsed = parse_case_reference(where.case_ref)
            if parsed is None:
                errors["case_ref"] = (
                    f"{where.case_ref.strip()} is not a case reference: type it as VERU-YYYY-NNNNN."
                )
            else:
                reference = format_case_reference(*parsed)
                person_id = session.scalar(
                    select(YoungPerson.id).where(YoungPerson.case_ref == reference)
                )
                if person_id is None:
                    raise NotFound(f"There is no case {reference} (or it has been erased).")
        if errors:
            raise ValidationError(errors)
        statement = select(
            AuditEvent,
            YoungPerson.case_ref,
            User.display_name,
            YoungPerson.first_name,
            YoungPerson.last_name,
            YoungPerson.preferred_name,
        )
        statement = statement.outerjoin(
            YoungPerson, YoungPerson.id == AuditEvent.young_person_id
        ).outerjoin(User, User.id == AuditEvent.user_id)
        if where.user_id is not None:
            statement = statement.where(AuditEvent.user_id == where.user_id)
        if where.username and where.username.strip():
            name = where.username.strip().lower()
            user_id = session.scalar(select(User.id).where(User.username == name))
            by_name = AuditEvent.username == name
            statement = statement.where(
                AuditEvent.user_id == user_id if user_id is not None else by_name
            )
        if person_id is not None:
            statement = statement.where(AuditEvent.young_person_id == person_id)
        if where.actions:
            statement = statement.where(AuditEvent.action.in_(sorted(where.actions)))
        if where.date_from is not None:
            statement = statement.where(AuditEvent.at >= _local_midnight_utc(where.date_from))
        if where.date_to is not None:
            end = _local_midnight_utc(where.date_to + dt.timedelta(days=1))
            statement = statement.where(AuditEvent.at < end)
        return statement.order_by(AuditEvent.id.desc()), person_id

    def _page(
        self,
        session: Session,
        statement: Select[Any],
        limit: int,
        offset: int,
        before_id: int | None,
    ) -> list[AuditRow]:
        if before_id is not None:
            statement = statement.where(AuditEvent.id < before_id)
        elif offset:
            statement = statement.offset(offset)
        found = session.execute(statement.limit(limit)).all()
        return [
            self._row(
                event,
                case_ref,
                name,
                display_name(first, last, preferred) if first or last else None,
            )
            for event, case_ref, name, first, last, preferred in found
        ]

    def _batches(self, where: AuditFilter, newest: int | None = None) -> Iterator[list[AuditRow]]:
        before_id = None if newest is None else newest + 1
        while True:
            with self._read() as session:
                self._require_reader()
                statement, _person_id = self._statement(session, where)
                batch = self._page(session, statement, EXPORT_BATCH, 0, before_id)
            if not batch:
                return
            yield batch
            before_id = batch[-1].id

    def _row(
        self,
        event: AuditEvent,
        case_ref: str | None,
        user_name: str | None,
        person_name: str | None = None,
    ) -> AuditRow:
        withheld = event.young_person_id is not None and not self._sees_case_details
        changes: tuple[FieldChange, ...] = ()
        if event.changes:
            try:
                decoded = json.loads(event.changes)
            except ValueError:
                decoded = {}
            changes = tuple(
                FieldChange(name, None if withheld else values[0], None if withheld else values[1])
                for name, values in decoded.items()
                if isinstance(values, list) and len(values) == 2
            )
        username = event.username or ""
        return AuditRow(
            id=event.id,
            at=utc_to_local(event.at),
            user_id=event.user_id,
            username=username,
            user_display_name=user_name or username,
            action=event.action,
            entity_type=event.entity_type,
            entity_id=event.entity_id,
            person_id=event.young_person_id,
            case_ref=case_ref,
            summary=WITHHELD if withheld and event.summary else (event.summary or ""),
            changes=changes,
            withheld=withheld,
            person_name=None if withheld else person_name,
            chain_hash=event.chain_hash,
            content_hash=event.content_hash,
        )


class _Cancelled(Exception):
    """The person cancelled a file export part-way: the partial file is discarded."""


def _viewed(where: AuditFilter) -> str:
    described = where.describe()
    return "Viewed audit trail" + (f" ({described})" if described else "")
