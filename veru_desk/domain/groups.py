"""Group sessions: the words and rules a group and its register keep, for the screen, the
chronology and the service alike.

A group (Thursday football, a knife-crime awareness workshop) is run by a facilitator for young
people from several caseloads. Each young person's place is their own session, so what one
worker may read of a register is decided per row: their own young people by name, anyone
else's only as a case reference and the worker to ask.

Pure rules: no Qt, no SQL.
"""

from __future__ import annotations

from veru_desk.domain.enums import SessionType

MAX_TITLE_CHARS = 120
MAX_NOTES_CHARS = 4000
#: A register longer than a sports hall holds is a mistake, not a group.
MAX_REGISTER = 40

#: The kinds of session a group can be (a one-to-one or a home visit is not a group).
GROUP_TYPES: tuple[SessionType, ...] = (SessionType.GROUP, SessionType.DIVERSIONARY)


def group_label(title: str) -> str:
    """``Group: Thursday football``: how a group session reads on one young person's record."""
    return f"Group: {title.strip()}" if title.strip() else "Group session"


def others_label(case_ref: str, worker: str | None) -> str:
    """Someone on a register whose case the reader may not open: enough to know who to ask,
    nothing about the young person."""
    allocated = f"allocated to {worker}" if worker else "not allocated to a caseworker"
    return f"{case_ref}, {allocated}"


def title_problems(title: str) -> dict[str, str]:
    cleaned = " ".join(title.split())
    if not cleaned:
        return {"title": "Give the group a name people know it by, e.g. 'Thursday football'."}
    if len(cleaned) > MAX_TITLE_CHARS:
        return {"title": f"Keep the group's name under {MAX_TITLE_CHARS} characters."}
    return {}


def type_problems(kind: SessionType) -> dict[str, str]:
    if kind not in GROUP_TYPES:
        names = " or ".join(t.label.lower() for t in GROUP_TYPES)
        return {"session_type": f"A group session is a {names}: choose one of those."}
    return {}


def notes_problems(notes: str) -> dict[str, str]:
    if len(notes.strip()) > MAX_NOTES_CHARS:
        return {
            "notes": f"Keep the group's notes under {MAX_NOTES_CHARS} characters; write about "
            "one young person in their own session notes."
        }
    return {}
