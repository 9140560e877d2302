"""The shape every case dialog shares: a form, Save and Cancel, Ctrl+S, Esc, errors kept apart.

A dialog reads its fields into a service input (parse errors are shown beside the fields at
once), then saves off the GUI thread. A validation error from the service goes beside the
field it names; a conflict or a database problem gets the standard dialog, and the form stays
open with everything the person typed, so nothing is lost to a locked database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.enums import LabelledEnum
from veru_desk.domain.errors import ValidationError
from veru_desk.ui.events import announce
from veru_desk.ui.feedback import show_error
from veru_desk.ui.forms import FieldErrors
from veru_desk.ui.tasks import run_task

T = TypeVar("T")
E = TypeVar("E", bound=LabelledEnum)

NOT_RECORDED = "Not recorded"


class CaseDialog(QDialog):
    """Subclasses build their rows with ``add_row`` and implement ``prepare``."""

    def __init__(
        self,
        title: str,
        person_id: int,
        event_kind: str,
        parent: QWidget | None = None,
        *,
        save_text: str = "Save",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 36)
        self.person_id = person_id
        self.event_kind = event_kind
        self.result_value: Any = None
        self._busy = False

        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.errors = FieldErrors()
        self.general_error = QLabel()
        self.general_error.setObjectName("formError")
        self.general_error.setStyleSheet("color: #b00020;")
        self.general_error.setWordWrap(True)
        self.general_error.setVisible(False)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button: QPushButton = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(save_text)
        self.save_button.setToolTip(f"{save_text} (Ctrl+S)")
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, activated=self.save)

        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)

    # --- building --------------------------------------------------------------------------

    def add_row(self, label: str, widget: QWidget, field: str, *, accessible: str = "") -> QWidget:
        """A labelled row with its own error line underneath, keyed by the service's field."""
        self.errors.add_row(self.form, label, widget, field, accessible=accessible)
        return widget

    # --- saving ----------------------------------------------------------------------------

    def prepare(self) -> Callable[[], Any]:
        """Reads the form and returns the service call to make; raises ValidationError."""
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

    def _saved(self, result: Any) -> None:
        self._busy = False
        self.save_button.setEnabled(True)
        self.result_value = result
        announce(self.event_kind, self.person_id)
        self.accept()

    def _failed(self, error: Exception) -> None:
        self._busy = False
        self.save_button.setEnabled(True)
        if isinstance(error, ValidationError):
            self.show_validation(error)
        else:
            show_error(self, error)


def gather(errors: dict[str, str], read: Callable[[], T]) -> T | None:
    """Runs one field's parser, collecting its message so every field is checked at once."""
    try:
        return read()
    except ValidationError as error:
        errors.update(error.fields)
        return None


def enum_combo(
    enum_type: type[E], *, blank: str | None = None, current: E | None = None
) -> QComboBox:
    """A combo of an enum's labels (codes kept as item data); ``blank`` adds a no-value item."""
    combo = QComboBox()
    if blank is not None:
        combo.addItem(blank, None)
    for member in enum_type:
        combo.addItem(member.label, member.value)
    select_enum(combo, current)
    return combo


def select_enum(combo: QComboBox, value: LabelledEnum | None) -> None:
    index = combo.findData(value.value if value is not None else None)
    if index >= 0:
        combo.setCurrentIndex(index)


def chosen_enum(combo: QComboBox, enum_type: type[E]) -> E | None:
    value = combo.currentData()
    return None if value is None or combo.currentIndex() < 0 else enum_type(value)


def count_spin(maximum: int = 99, *, blank: bool = True) -> QSpinBox:
    """A whole-number field where 'Not recorded' (below the range) means no value."""
    spin = QSpinBox()
    spin.setRange(-1 if blank else 0, maximum)
    if blank:
        spin.setSpecialValueText(NOT_RECORDED)
        spin.setValue(-1)
    return spin


def spin_value(spin: QSpinBox) -> int | None:
    return None if spin.value() < 0 else spin.value()


def set_spin(spin: QSpinBox, value: int | None) -> None:
    spin.setValue(-1 if value is None else value)
