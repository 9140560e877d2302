"""The save of a small form dialog, written once: check what was typed (``prepare``), run the
service call off the GUI thread, close on success, and on a refusal show each message beside
its field (the rest under the form) with everything typed kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QDialog, QLabel, QPushButton

from veru_desk.domain.errors import ValidationError
from veru_desk.ui.shell.tasks import run_task
from veru_desk.ui.widgets.feedback import show_error
from veru_desk.ui.widgets.forms import FieldErrors
from veru_desk.ui.widgets.kit import grow_to_fit


class SavesInBackground(QDialog):
    """A dialog whose Save runs ``prepare()``'s call as a background task. Subclasses set
    ``errors``, ``general_error``, ``save_button`` and ``_busy`` in their constructor."""

    help_topic = "getting-started"  # a base: each dialog names its own topic
    errors: FieldErrors
    general_error: QLabel
    save_button: QPushButton
    _busy: bool
    result_value: Any

    def prepare(self) -> Callable[[], Any]:
        """The service call to make, or a ValidationError naming what to fix."""
        raise NotImplementedError

    def save(self) -> None:
        if self._busy:
            return
        self.errors.clear()
        self.general_error.setVisible(False)
        try:
            action = self.prepare()
        except ValidationError as error:
            self.show_validation(error)
            return
        self._busy = True
        self.save_button.setEnabled(False)
        run_task(
            self,
            self.windowTitle(),
            lambda _progress: action(),
            self._saved,
            self._failed,
            cancellable=False,
            show_progress=False,
        )

    def show_validation(self, error: ValidationError) -> None:
        unplaced = self.errors.show(error)
        if unplaced:
            self.general_error.setText("\n".join(unplaced))
            self.general_error.setVisible(True)
        grow_to_fit(self, [*self.errors.labels(), self.general_error])

    def _saved(self, result: Any) -> None:
        self._busy = False
        self.save_button.setEnabled(True)
        self.result_value = result
        self.accept()

    def _failed(self, error: Exception) -> None:
        self._busy = False
        self.save_button.setEnabled(True)
        if isinstance(error, ValidationError):
            self.show_validation(error)
        else:
            show_error(self, error)  # a clash or a locked database: the form stays as typed
