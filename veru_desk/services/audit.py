"""Writing the audit trail. Every service write calls ``record`` inside its transaction, so
an event exists exactly when the change it describes was committed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from enum import Enum
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from veru_desk.db.models import AuditEvent, Base
from veru_desk.domain.enums import AuditAction
from veru_desk.domain.text import clean_free_text
from veru_desk.services.actor import Actor


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
        entity_id = entity_id or inspect(entity).identity[0]  # type: ignore[index]
    event = AuditEvent(
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
    session.add(event)
    return event


def apply_changes(obj: Base, values: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Sets attributes and returns ``{field: (old, new)}`` for those that really changed."""
    changed: dict[str, tuple[Any, Any]] = {}
    for name, new in values.items():
        old = getattr(obj, name)
        if old != new:
            setattr(obj, name, new)
            changed[name] = (old, new)
    return changed
