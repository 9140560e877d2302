"""The sign-in reminder of overdue tasks, shown above the page. Apart from the Tasks page
because the window builds it before its first paint, when the tasks service (and with it the
database layer) must not be imported yet: the window calls ``check`` once the sign-in is
complete, behind the painted window (``MainWindow.after_sign_in``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from veru_desk.ui.shell.tasks import run_task

if TYPE_CHECKING:
    from veru_desk.services import Services


class OverdueReminder(QFrame):
    """The sign-in reminder: "You have 3 overdue tasks", a button to them and one to put the
    message away. Read once, off the GUI thread, when the window opens; it never blocks and
    never comes back in the same session once dismissed."""

    show_tasks = Signal()

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.setObjectName("reminder")
        self.setAccessibleName("Reminder of overdue tasks")
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 8, 16, 8)
        self.text = QLabel()
        self.text.setObjectName("warning")
        self.text.setWordWrap(True)
        self.open_button = QPushButton("Show my tasks")
        self.open_button.clicked.connect(self._open)
        self.dismiss_button = QPushButton("Dismiss")
        self.dismiss_button.setAccessibleName("Dismiss the reminder")
        self.dismiss_button.clicked.connect(self.hide)
        row.addWidget(self.text, 1)
        row.addWidget(self.open_button)
        row.addWidget(self.dismiss_button)
        self.setVisible(False)
        self.count: int | None = None

    def check(self) -> None:
        if not self.services.actor.has_case_role:
            return
        tasks = self.services.tasks

        def shown(count: int) -> None:
            if shiboken6.isValid(self):
                self.show_count(count)

        run_task(
            self,
            "Looking for overdue tasks",
            lambda _progress: tasks.overdue_count_for(),
            shown,
            lambda _error: None,  # a reminder that cannot be read is no reason to interrupt
            cancellable=False,
            show_progress=False,
        )

    def show_count(self, count: int) -> None:
        self.count = count
        if count <= 0:
            self.setVisible(False)
            return
        plural = "task" if count == 1 else "tasks"
        self.text.setText(f"You have {count} overdue {plural}.")
        self.setVisible(True)

    def _open(self) -> None:
        self.hide()
        self.show_tasks.emit()
