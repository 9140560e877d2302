"""What every tab of the case workspace shares: its services, its case, and loading off the
GUI thread so a slow disk never freezes the window while a tab fills.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import shiboken6
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLayout,
    QLayoutItem,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from veru_desk.domain.errors import ConflictError
from veru_desk.services import Services
from veru_desk.services.changes import Changes, Kind
from veru_desk.ui.shell.events import seen_elsewhere
from veru_desk.ui.shell.tasks import run_task
from veru_desk.ui.widgets.feedback import show_error, show_stale

T = TypeVar("T")

#: Everything the workspace's header and tabs show about one young person.
CASE_KINDS: frozenset[Kind] = frozenset(Kind) - {Kind.USER, Kind.SETTINGS, Kind.AGENCY}


class CaseTab(QWidget):
    """A tab shows one part of one case; ``refresh`` re-reads it from the services.

    The workspace reads a tab when it is first shown, and again only when a change to one of
    its ``kinds`` was published (then at once if it is on screen, else when next shown).
    """

    #: The kinds of record the tab shows; a tab that does not say is read after any change.
    kinds: ClassVar[frozenset[Kind]] = CASE_KINDS

    def __init__(self, services: Services, person_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.person_id = person_id
        self.loaded = False

    def refresh(self) -> None:
        raise NotImplementedError

    def has_unsaved_changes(self) -> bool:
        return False

    def load(self, title: str, read: Callable[[], T], show: Callable[[T], None]) -> None:
        """Reads in the background and shows the result, unless the tab has gone meanwhile.
        What the services read for it is one read transaction: a tab shows one moment."""
        services = self.services

        def read_together() -> T:
            with services.reading_together():
                return read()

        def done(result: T) -> None:
            if shiboken6.isValid(self):
                self.loaded = True
                show(result)

        def failed(error: Exception) -> None:
            if shiboken6.isValid(self):
                show_error(self, error)

        run_task(
            self,
            title,
            lambda _progress: read_together(),
            done,
            failed,
            cancellable=False,
            show_progress=False,
        )

    def run_write(self, title: str, write: Callable[[], Any], shows: Kind) -> None:
        """A one-click change (attendance, an action done): saved off the GUI thread. The
        write publishes what it changed; ``shows`` is what to re-read if someone else's
        change got there first."""

        def finished(_result: Any) -> None:
            pass  # the tab refreshes from the published change

        def failed(error: Exception) -> None:
            if not shiboken6.isValid(self):
                return
            if isinstance(error, ConflictError) and error.changed_by is not None:
                # the record changed under the list: show what is saved now
                seen_elsewhere(Changes.of(shows, self.person_id))
                show_stale(self, error)
            else:
                show_error(self, error)

        run_task(
            self,
            title,
            lambda _progress: write(),
            finished,
            failed,
            cancellable=False,
            show_progress=False,
        )


class FlowRow(QLayout):
    """Buttons left to right at their full width, moving to a further line when the tab is
    too narrow (1280x720 at 150% text), rather than squeezing their words away."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        width = sum(i.sizeHint().width() for i in self._visible()) + self._gap() * max(
            len(self._visible()) - 1, 0
        )
        height = max((i.sizeHint().height() for i in self._visible()), default=0)
        return QSize(width, height)

    def minimumSize(self) -> QSize:
        widest = max((i.sizeHint().width() for i in self._visible()), default=0)
        tallest = max((i.sizeHint().height() for i in self._visible()), default=0)
        return QSize(widest, tallest)

    def _visible(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]

    def _gap(self) -> int:
        spacing = self.spacing()
        if spacing >= 0:
            return spacing
        parent = self.parentWidget()
        return (
            parent.style().layoutSpacing(
                QSizePolicy.ControlType.PushButton,
                QSizePolicy.ControlType.PushButton,
                Qt.Orientation.Horizontal,
            )
            if parent is not None
            else 6
        )

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        gap = self._gap()
        x, y, line_height = rect.x(), rect.y(), 0
        for item in self._visible():
            hint = item.sizeHint()
            if x > rect.x() and x + hint.width() > rect.right() + 1:
                x, y = rect.x(), y + line_height + gap
                line_height = 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + gap
            line_height = max(line_height, hint.height())
        return y + line_height - rect.y()


def button_row(*buttons: QPushButton, stretch_first: bool = False) -> QHBoxLayout:
    """A tab's buttons on one line; on a narrow tab they flow onto a second line whole."""
    row = QHBoxLayout()
    flow = FlowRow()
    for button in buttons:
        flow.addWidget(button)
    if stretch_first:
        row.addStretch(1)
    row.addLayout(flow, 1 if not stretch_first else 0)
    return row
