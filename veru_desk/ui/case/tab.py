"""What every tab of the case workspace shares: its services, its case, and loading off the
GUI thread so a slow disk never freezes the window while a tab fills.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from veru_desk.domain.errors import ConflictError
from veru_desk.services import Services
from veru_desk.services.changes import Changes, Kind
from veru_desk.ui.shell.events import seen_elsewhere
from veru_desk.ui.shell.tasks import run_task
from veru_desk.ui.widgets.feedback import show_error, show_stale

T = TypeVar("T")


class CaseTab(QWidget):
    """A tab shows one part of one case; ``refresh`` re-reads it from the services."""

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
        """Reads in the background and shows the result, unless the tab has gone meanwhile."""

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
            lambda _progress: read(),
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


def button_row(*buttons: QPushButton, stretch_first: bool = False) -> QHBoxLayout:
    row = QHBoxLayout()
    if stretch_first:
        row.addStretch(1)
    for button in buttons:
        row.addWidget(button)
    if not stretch_first:
        row.addStretch(1)
    return row
