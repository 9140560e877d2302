"""Doing something once a widget has first been painted: the desktop app completes its
start behind the painted window, and the benchmark times launch to that first paint."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class _FirstPaint(QObject):
    def __init__(self, widget: QWidget, then: Callable[[], object]) -> None:
        super().__init__(widget)
        self._then = then
        self._done = False
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self._done and event.type() == QEvent.Type.Paint:
            self._done = True
            watched.removeEventFilter(self)
            # The paint event is on its way to the widget: act on the next turn, after it.
            QTimer.singleShot(0, self._then)
        return False


def when_painted(widget: QWidget, then: Callable[[], object]) -> None:
    """Calls ``then`` once, on the turn of the event loop after ``widget`` first painted."""
    _FirstPaint(widget, then)
