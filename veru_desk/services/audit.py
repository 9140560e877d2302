"""Writing the audit trail. Every service write calls ``record`` inside its transaction, so
an event exists exactly when the change it describes was committed. Every event is linked
into the hash chain (``db.audit_chain``) as it is recorded: there is no other way in.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from contextlib import suppress
from enum import Enum
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from veru_desk.db import audit_chain
from veru_desk.db.models import AuditEvent, Base, User
from veru_desk.domain.enums import AuditAction
from veru_desk.domain.errors import StorageError
from veru_desk.domain.text import clean_free_text
from veru_desk.services.actor import SYSTEM, Actor

if TYPE_CHECKING:
    from veru_desk.db.engine import Database
    from veru_desk.db.keyfile import KeyFile


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def record(
    session: Session,
    actor: Actor,
    action: AuditAction,
    *,
    entity: Base | None = None,
    entity_type: str | None = None,
    entity_id: int | None = None,
    person_id: int | None = None,
    summary: str | None = None,
    changes: Mapping[str, tuple[Any, Any]] | None = None,
) -> AuditEvent:
    if entity is not None:
        session.flush()
        entity_type = entity_type or entity.__tablename__
        entity_id = entity_id or inspect(entity).identity[0]  # type: ignore[index]  # flushed: it has one
    event = new_event(
        actor,
        action,
        entity_type=entity_type,
        entity_id=entity_id,
        person_id=person_id,
        summary=summary,
        changes=changes,
    )
    audit_chain.append(session, event)  # adds it, linked into the hash chain
    return event


def record_many(session: Session, events: list[AuditEvent]) -> None:
    """Records events made by ``new_event`` in one batch, linked into the chain in order."""
    audit_chain.append_many(session, events)


def new_event(
    actor: Actor,
    action: AuditAction,
    *,
    entity_type: str | None = None,
    entity_id: int | None = None,
    person_id: int | None = None,
    summary: str | None = None,
    changes: Mapping[str, tuple[Any, Any]] | None = None,
) -> AuditEvent:
    """An audit row not yet recorded: ``record`` and ``record_many`` link it into the chain."""
    return AuditEvent(
        user_id=actor.user_id,
        username=actor.username,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        young_person_id=person_id,
        summary=clean_free_text(summary),  # often quotes what was typed (domain.text)
        changes=(
            json.dumps({k: [_plain(o), _plain(n)] for k, (o, n) in changes.items()})
            if changes
            else None
        ),
    )


def apply_changes(obj: Base, values: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Sets attributes and returns ``{field: (old, new)}`` for those that really changed."""
    changed: dict[str, tuple[Any, Any]] = {}
    for name, new in values.items():
        old = getattr(obj, name)
        if old != new:
            setattr(obj, name, new)
            changed[name] = (old, new)
    return changed


def take_sign_in_failures(session: Session, db: Database) -> Callable[[], None]:
    """Writes the failed sign-ins queued in an encrypted file's key file into the trail, in
    the sign-in's own transaction (``db.sign_in_queue``). Returns what to do once that has
    committed: start the key file's next queue and record the chain's head there."""
    from veru_desk.db import sign_in_queue
    from veru_desk.db.keyfile import RECOVERY_SLOT, KeyFile, user_slot

    key_file = db.key_file
    if key_file is None or not key_file.is_file():
        return lambda: None
    keys = KeyFile.load(key_file)
    head = audit_chain.locked_head(session)
    state = json.loads(head.failure_queue) if head.failure_queue else None
    reading = sign_in_queue.read(keys.audit_record("failures"), state)
    users: dict[str, tuple[int | None, str]] = {
        keys.keyed_name(user_slot(name)): (user_id, name)
        for user_id, name in session.execute(select(User.id, User.username))
    }
    users[keys.keyed_name(RECOVERY_SLOT)] = (None, "recovery-key")
    for failure in reading.failures:
        user_id, name = users.get(failure.slot or "", (None, "unknown username"))
        when = failure.at.replace(tzinfo=dt.UTC).astimezone()
        trust = {
            True: "",
            None: "; unsigned: queued before the database gave the key file a signing key",
            False: "; not verified: the key file's record was altered",
        }[failure.verified]
        record(
            session,
            Actor(user_id, name, name, frozenset()),
            AuditAction.FAILED_LOGIN,
            summary=f"{failure.what}, at {when:%d/%m/%Y %H:%M:%S} (queued in the key file "
            f"while the database was closed{trust})",
        )
    if reading.problem is not None:
        record(session, SYSTEM, AuditAction.FAILED_LOGIN, summary=reading.problem)
    head.failure_queue = json.dumps(reading.state)

    def after_commit() -> None:
        record_head_outside(db, failures=reading.fresh)

    return after_commit


def queue_sign_in_failure(keys: KeyFile, slot_name: str | None, what: str) -> None:
    """Queues a failed sign-in in an encrypted file's key file (saved by the caller), signed
    so it cannot be altered or dropped unseen before the next open writes it to the trail."""
    from veru_desk.db import sign_in_queue

    slot = keys.keyed_name(slot_name) if slot_name and keys.has_slot(slot_name) else None
    queue = sign_in_queue.queue_failure(
        keys.audit_record("failures"), slot, what, dt.datetime.now(dt.UTC)
    )
    keys.set_audit_record("failures", queue)


def record_head_outside(db: Database, *, failures: dict[str, Any] | None = None) -> None:
    """Keeps the chain's head in an encrypted file's key file, so cutting off the newest rows
    is caught by ``check`` (``db.audit_chain``). Done at sign-in, sign-out and backup, not at
    every save: each write of the key file is a flush to disk (see README, Security)."""
    from veru_desk.db.keyfile import KeyFile

    key_file = db.key_file
    if key_file is None or not key_file.is_file():
        return
    with db.engine.connect() as connection:
        end = audit_chain.chain_end(connection)
    # A key file that cannot be written now is written at the next sign-in: the database
    # keeps its queue keys, and an older head is only a shorter prefix to check against.
    with suppress(StorageError, OSError):
        keys = KeyFile.load(key_file)
        recorded = keys.audit_record("head") or {}
        changed = failures is not None
        if failures is not None:
            keys.set_audit_record("failures", failures)
        if end is not None and int(recorded.get("id", 0)) < end[0]:
            keys.set_audit_record("head", {"id": end[0], "hash": end[1]})
            changed = True
        if changed:
            keys.save()


def head_in_key_file(db: Database) -> audit_chain.Head | None:
    from veru_desk.db.keyfile import KeyFile

    key_file = db.key_file
    if key_file is None or not key_file.is_file():
        return None
    recorded = KeyFile.load(key_file).audit_record("head")
    if not recorded:
        return None
    return audit_chain.Head(int(recorded["id"]), str(recorded["hash"]), "the key file")
