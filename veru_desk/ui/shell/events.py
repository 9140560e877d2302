"""One signal that carries what a write changed, so every open screen can refresh itself.

Screens do not know about each other, and the code that saves does not tell anyone: each
service write publishes its typed change set (``services.changes``) after it commits, and
this bridge turns it into ``changed(Changes)`` on the GUI thread. A screen asks
``changes.touches(Kind.SESSION, person_id)`` and reads again if it shows that data.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QThread, Signal, Slot

from veru_desk.services.changes import Changes, subscribe


class DataEvents(QObject):
    #: what one committed write changed: kinds of record and, for each, which young people
    changed = Signal(object)
    #: a change published off the GUI thread (an import, a restore), queued to it
    _arrived = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self._arrived.connect(self._relay)  # queued when emitted from a worker thread
        self._unsubscribe = subscribe(self._published)

    def _published(self, changes: Changes) -> None:
        if QThread.currentThread() is self.thread():
            self.changed.emit(changes)  # at once: the screen is current when save returns
        else:
            self._arrived.emit(changes)

    @Slot(object)
    def _relay(self, changes: Changes) -> None:
        self.changed.emit(changes)


_EVENTS: DataEvents | None = None


def data_events() -> DataEvents:
    global _EVENTS
    if _EVENTS is None:
        _EVENTS = DataEvents()
    return _EVENTS


def seen_elsewhere(changes: Changes) -> None:
    """A save refused because someone else changed the record first: their write was
    published on their PC, not here, so the screens showing it are told from the refusal."""
    data_events().changed.emit(changes)
