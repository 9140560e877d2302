"""The mouse wheel scrolls forms; it never changes a field the person has not chosen to edit.

Qt lets the wheel change any drop-down, number, date or slider under the pointer, so scrolling
down a long form (the new referral) could turn Priority from Medium to Urgent unseen, and the
referral was saved that way. One event filter on the application fixes this for every screen:
a wheel over such a field that does not have the keyboard focus goes to the scroll area around
it (the form still scrolls) and the value stays as it was. A field the person has clicked or
tabbed into keeps Qt's normal wheel behaviour: they chose to edit it and are looking at it.

These fields also take the focus from the wheel by default (``Qt.WheelFocus``), which would
make every field under a scrolling pointer "focused" before the filter sees the event; the
filter lowers that to ``Qt.StrongFocus`` (click or Tab) as each field is polished.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollBar,
    QWidget,
)

_GUARD_PROPERTY = "veruWheelGuard"


def guarded(widget: QObject) -> bool:
    """A field whose value the wheel would change (a scroll bar is for scrolling, so not it)."""
    if isinstance(widget, QScrollBar):
        return False
    return isinstance(widget, QComboBox | QAbstractSpinBox | QAbstractSlider)


def scroll_area_around(widget: QWidget) -> QAbstractScrollArea | None:
    """The nearest scroll area whose viewport holds ``widget``."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea) and parent.viewport().isAncestorOf(widget):
            return parent
        parent = parent.parentWidget()
    return None


class WheelGuard(QObject):
    """Installed once on the QApplication by ``install_wheel_guard``."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Polish and guarded(watched):
            assert isinstance(watched, QWidget)
            if watched.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            return False
        if kind != QEvent.Type.Wheel or not guarded(watched):
            return False
        assert isinstance(watched, QWidget)
        if watched.hasFocus():
            return False  # the person is editing this field: Qt's normal behaviour
        area = scroll_area_around(watched)
        while area is not None:  # an inner area already at its end passes it outwards
            event.ignore()
            QCoreApplication.sendEvent(area.viewport(), event)
            if event.isAccepted():
                break
            area = scroll_area_around(area)
        return True  # never the field's own value


def install_wheel_guard(app: QApplication) -> WheelGuard:
    """Installs the guard on ``app`` once (a second call returns the same guard); the app
    start and the tests both call this."""
    existing = app.property(_GUARD_PROPERTY)
    if isinstance(existing, WheelGuard):
        return existing
    guard = WheelGuard(app)
    app.installEventFilter(guard)
    app.setProperty(_GUARD_PROPERTY, guard)
    return guard
