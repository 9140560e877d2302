"""One signal that says 'case data changed', so every open screen can refresh itself.

Screens do not know about each other: the session dialog does not tell the dashboard to
reload, it announces a change and whoever shows that data listens.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class DataEvents(QObject):
    #: (what changed: "referral", "session", "risk", "plan", "outcome", "note", "person",
    #:  "user", "export"; the young person's id or 0 when not about one case)
    changed = Signal(str, int)


_EVENTS: DataEvents | None = None


def data_events() -> DataEvents:
    global _EVENTS
    if _EVENTS is None:
        _EVENTS = DataEvents()
    return _EVENTS


def announce(what: str, person_id: int = 0) -> None:
    data_events().changed.emit(what, person_id)
