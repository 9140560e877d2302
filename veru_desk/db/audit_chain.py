"""The audit trail's hash chain: what is hashed, how rows are appended, and how it is checked.

Anyone who can sign in to an encrypted file holds its key, and so could drop the append-only
triggers and rewrite the trail. The chain makes that visible: each row stores
``chain_hash = SHA-256(previous row's chain_hash + "\\n" + canonical row)``, so editing or
deleting any row breaks every link after it, and the newest head is also kept outside the
database (the key file, each backup's metadata), so cutting off the newest rows is caught too.
Someone with the key can recompute the hashes, but only as far as the head recorded elsewhere.

The canonical serialisation is defined here and only here, and must never change (it would
break every stored chain): JSON with sorted keys, no spaces, ASCII escapes, of

    at (UTC, ``YYYY-MM-DDTHH:MM:SS.ffffff``), user_id, username, action (its stored value),
    entity_type, entity_id, young_person_id, content

The row's ``id`` is not in it: the database gives it (a server's sequence may skip numbers
after a rollback), and the chain itself fixes the order, since each row's hash takes in the
row before it: a row removed, inserted or moved breaks the link after it whatever the ids.

where ``content`` is ``content_hash``: SHA-256 of the same JSON form of ``{"changes",
"summary"}``. Summary and changes are hashed apart because the right to erasure may redact
them (``db.guards``): a redacted row keeps its ``content_hash``, so the chain stays whole and
the row reads as redacted, never as edited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from veru_desk.db.guards import REDACTED_SUMMARY
from veru_desk.db.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64
HEAD_ROW = 1
# The triggers that make the trail and the workflow history append-only (db.guards).
EXPECTED_TRIGGERS = (
    ("audit_event", "audit_event_no_update"),
    ("audit_event", "audit_event_no_delete"),
    ("referral_transition", "referral_transition_no_update"),
    ("referral_transition", "referral_transition_no_delete"),
)


def _json(value: dict[str, Any]) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _utc_text(at: dt.datetime) -> str:
    if at.tzinfo is not None:
        at = at.astimezone(dt.UTC).replace(tzinfo=None)
    return at.strftime("%Y-%m-%dT%H:%M:%S.%f")


def content_hash(summary: str | None, changes: str | None) -> str:
    return hashlib.sha256(_json({"changes": changes, "summary": summary})).hexdigest()


def canonical_row(
    *,
    at: dt.datetime,
    user_id: int | None,
    username: str | None,
    action: Any,
    entity_type: str | None,
    entity_id: int | None,
    young_person_id: int | None,
    content: str | None,
) -> bytes:
    return _json(
        {
            "at": _utc_text(at),
            "user_id": user_id,
            "username": username,
            "action": getattr(action, "value", action),
            "entity_type": entity_type,
            "entity_id": entity_id,
            "young_person_id": young_person_id,
            "content": content,
        }
    )


def link(previous: str, canonical: bytes) -> str:
    return hashlib.sha256(previous.encode("ascii") + b"\n" + canonical).hexdigest()


def _row_hash(previous: str, row: Any) -> str:
    return link(
        previous,
        canonical_row(
            at=row.at,
            user_id=row.user_id,
            username=row.username,
            action=row.action,
            entity_type=row.entity_type,
            entity_id=row.entity_id,
            young_person_id=row.young_person_id,
            content=row.content_hash,
        ),
    )


def append(session: Session, event: AuditEvent) -> None:
    """Adds ``event`` to the session with its hashes, and moves the head to it.

    The head row is read ``FOR UPDATE`` on a server, so a second transaction appending at the
    same moment waits for this one to commit and then links to its row: the chain never forks.
    SQLite's write sessions hold the whole file's write lock from BEGIN (``db.engine``); a
    read transaction that appends after another writer committed is refused by SQLite, never
    forked. The head is read once per transaction and then kept in the session.
    """
    head = locked_head(session)
    if event.at is None:
        event.at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    event.content_hash = content_hash(event.summary, event.changes)
    event.chain_hash = _row_hash(head.last_hash, event)
    session.add(event)
    session.flush()  # its id, given while the head is locked: ids follow the chain
    head.last_id = event.id
    head.last_hash = event.chain_hash


def append_many(session: Session, events: list[AuditEvent]) -> None:
    """``append`` for a batch (an import's rows): linked in list order, then written in one
    flush, whose batched INSERT gives ids in the same order. A flush per row cost about
    1.4 ms on a server, which made a 10,000-row import half as slow again."""
    if not events:
        return
    head = locked_head(session)
    previous = head.last_hash
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for event in events:
        if event.at is None:
            event.at = now
        event.content_hash = content_hash(event.summary, event.changes)
        event.chain_hash = previous = _row_hash(previous, event)
    session.add_all(events)
    session.flush()
    head.last_id = events[-1].id
    head.last_hash = previous


_LOCKED = "veru_audit_chain_locked"


def locked_head(session: Session) -> AuditChainHead:
    """The head row, locked for this transaction (read once, then kept in the session)."""
    transaction = session.get_transaction()
    cached = session.info.get(_LOCKED)
    if cached is not None and cached[0] is transaction and cached[1] in session:
        head: AuditChainHead = cached[1]
        return head
    session.flush()  # a head changed earlier in this session is written before it is re-read
    found = session.get(AuditChainHead, HEAD_ROW, with_for_update=True, populate_existing=True)
    if found is None:  # a database made before the chain had a head (or had it removed)
        last = session.execute(
            select(AuditEvent.id, AuditEvent.chain_hash).order_by(AuditEvent.id.desc()).limit(1)
        ).first()
        found = AuditChainHead(
            id=HEAD_ROW,
            last_id=last.id if last else 0,
            last_hash=(last.chain_hash or GENESIS) if last else GENESIS,
        )
        session.add(found)
    session.info[_LOCKED] = (transaction, found)
    return found


@dataclass(frozen=True)
class Head:
    """Where the chain ended when it was recorded somewhere else (key file, backup)."""

    last_id: int
    last_hash: str
    where: str  # "the key file", "backup cases-daily-20261205-090000.db"


@dataclass(frozen=True)
class ChainReport:
    """The chain checked from its first row. ``problem`` is the first broken link, said so
    an administrator can find the row: which row, when, and what is wrong with it."""

    rows: int
    last_id: int | None
    last_at: dt.datetime | None
    problem: str | None
    broken_at: int | None = None
    broken_when: dt.datetime | None = None
    redacted: int = 0

    @property
    def ok(self) -> bool:
        return self.problem is None


def _when(at: dt.datetime | None) -> str:
    if at is None:
        return "at an unknown time"
    local = at.replace(tzinfo=dt.UTC).astimezone()
    return f"written {local:%d/%m/%Y %H:%M:%S}"


_COLUMNS = (
    AuditEvent.id,
    AuditEvent.at,
    AuditEvent.user_id,
    AuditEvent.username,
    AuditEvent.action,
    AuditEvent.entity_type,
    AuditEvent.entity_id,
    AuditEvent.young_person_id,
    AuditEvent.summary,
    AuditEvent.changes,
    AuditEvent.content_hash,
    AuditEvent.chain_hash,
)


def verify_chain(connection: Connection, external: Iterable[Head] = ()) -> ChainReport:
    """Walks the whole trail in id order (streamed, a few seconds per million rows) and stops
    at the first broken link; then compares the end with the head row and ``external`` heads."""
    previous, previous_id = GENESIS, 0
    rows = redacted = 0
    last_at: dt.datetime | None = None
    seen: dict[int, str] = {}
    head = connection.execute(
        select(AuditChainHead.last_id, AuditChainHead.last_hash).where(
            AuditChainHead.id == HEAD_ROW
        )
    ).first()
    recorded = [Head(head.last_id, head.last_hash, "the database's chain head")] if head else []
    heads = [*recorded, *external]
    wanted = {head.last_id for head in heads}
    result = connection.execution_options(yield_per=2000).execute(
        select(*_COLUMNS).order_by(AuditEvent.id)
    )

    def broken(row: Any, why: str) -> ChainReport:
        return ChainReport(
            rows,
            previous_id or None,
            last_at,
            f"The audit trail's chain is broken at row {row.id} ({_when(row.at)}): {why}. "
            "Someone with the database key changed the trail outside VERU Desk; keep this "
            "file as evidence and compare it with the latest backup.",
            row.id,
            row.at,
            redacted,
        )

    for row in result:
        if row.chain_hash is None or row.content_hash is None:
            return broken(row, "it has no hash, so it was added outside VERU Desk")
        if content_hash(row.summary, row.changes) != row.content_hash:
            if row.summary == REDACTED_SUMMARY and row.changes is None:
                redacted += 1
            else:
                return broken(row, "its summary or changes were edited")
        if _row_hash(previous, row) != row.chain_hash:
            if previous_id and row.id > previous_id + 1:
                why = f"row(s) {previous_id + 1} to {row.id - 1} before it are missing"
            else:
                why = "its who, when, action or record were edited, or the row before it removed"
            return broken(row, why)
        previous, previous_id, last_at = row.chain_hash, row.id, row.at
        if row.id in wanted:
            seen[row.id] = row.chain_hash
        rows += 1
    for expected in heads:
        problem = _against_head(expected, seen, previous_id, previous)
        if problem is not None:
            return ChainReport(
                rows, previous_id or None, last_at, problem, previous_id or None, last_at, redacted
            )
    return ChainReport(rows, previous_id or None, last_at, None, redacted=redacted)


def _against_head(head: Head, seen: dict[int, str], last_id: int, last_hash: str) -> str | None:
    if head.last_id == 0 or (head.last_id == last_id and head.last_hash == last_hash):
        return None
    if head.last_id > last_id:
        return (
            f"The audit trail ends at row {last_id or 'none'}, but {head.where} records that "
            f"it reached row {head.last_id}: the newest rows were removed outside VERU Desk."
        )
    if head.last_id == last_id or seen.get(head.last_id, head.last_hash) != head.last_hash:
        return (
            f"Row {head.last_id} of the audit trail is not the one {head.where} recorded: the "
            "trail was rewritten outside VERU Desk from there on."
        )
    return None


def chain_end(connection: Connection) -> tuple[int, str] | None:
    """The newest row's id and hash (what the key file and backups keep)."""
    row = connection.execute(
        select(AuditEvent.id, AuditEvent.chain_hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    if row is None or row.chain_hash is None:
        return None
    return int(row.id), str(row.chain_hash)


def trigger_problems(connection: Connection) -> list[str]:
    """The append-only triggers that are missing or switched off (both engines)."""
    problems: list[str] = []
    if connection.dialect.name == "sqlite":
        found = {
            name: sql or ""
            for name, sql in connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
            )
        }
        for table, name in EXPECTED_TRIGGERS:
            if name not in found:
                problems.append(_missing(table, name))
            elif "RAISE(ABORT" not in found[name].upper().replace(" ", ""):
                problems.append(_defused(table, name))
        return problems
    rows = connection.exec_driver_sql(
        "SELECT c.relname, t.tgname, t.tgenabled, p.prosrc FROM pg_trigger t "
        "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
        "WHERE NOT t.tgisinternal AND c.relname IN ('audit_event', 'referral_transition') "
        "AND c.relnamespace = to_regnamespace(current_schema())"
    ).all()
    found_pg = {(table, name): (enabled, source or "") for table, name, enabled, source in rows}
    for table, name in EXPECTED_TRIGGERS:
        if (table, name) not in found_pg:
            problems.append(_missing(table, name))
            continue
        enabled, source = found_pg[(table, name)]
        if enabled == "D":
            problems.append(
                f"The trigger {name} on {table} is disabled (ALTER TABLE ... DISABLE TRIGGER), "
                f"so {table} can be changed or deleted. Re-enable it with `ALTER TABLE {table} "
                f"ENABLE TRIGGER {name}` and check the audit trail."
            )
        elif "RAISE EXCEPTION" not in source.upper():
            problems.append(_defused(table, name))
    return problems


def _missing(table: str, name: str) -> str:
    return (
        f"The trigger {name} on {table} is missing, so {table} can be changed or deleted: it "
        "was dropped outside VERU Desk. Keep the file as evidence, and ask IT to put it back "
        "or restore the latest good backup."
    )


def _defused(table: str, name: str) -> str:
    return (
        f"The trigger {name} on {table} no longer refuses anything: it was replaced outside "
        "VERU Desk. Keep the file as evidence, and ask IT to put it back or restore the latest "
        "good backup."
    )
