"""The shape every case dialog shares: a form, Save and Cancel, Ctrl+S, Esc, errors kept apart.

A dialog reads its fields into a service input (parse errors are shown beside the fields at
once), then saves off the GUI thread. A validation error from the service goes beside the
field it names; a record someone else saved meanwhile opens the conflict dialog (both
versions side by side), and a database problem gets the standard dialog. Either way the form
stays open with everything the person typed, so nothing is lost to a locked database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.dates import format_time, format_uk_date, format_uk_datetime
from veru_desk.domain.enums import LabelledEnum
from veru_desk.domain.errors import ConflictError, ValidationError
from veru_desk.ui.conflict_dialog import ConflictChoice, ConflictDialog
from veru_desk.ui.events import announce
from veru_desk.ui.feedback import show_error
from veru_desk.ui.forms import (  # noqa: F401 - enum helpers re-exported for the dialogs
    DateField,
    FieldErrors,
    chosen_enum,
    enum_combo,
    select_enum,
)
from veru_desk.ui.tasks import run_task

T = TypeVar("T")

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
        self._rows: list[tuple[str, QWidget, str]] = []  # (label, widget, service field)

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
        self._rows.append((label.rstrip(":*").strip() or accessible or field, widget, field))
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
        elif isinstance(error, ConflictError) and error.changed_by is not None:
            self._resolve_conflict(error)
        else:
            show_error(self, error)

    # --- two people editing the same record ------------------------------------------------

    def reread(self) -> Any | None:
        """The edited record as saved now, re-read through its service (off the GUI thread)
        when a save is refused because someone else changed the record. None, the default,
        for dialogs that only add records: those get the standard conflict message instead."""
        return None

    def build_on(self, saved: Any) -> None:
        """Adopts the re-read record (its version) so the next save goes through on top of
        it, leaving the form as the person typed it. Dialogs overriding ``reread`` override
        this too."""
        raise NotImplementedError

    def my_values(self) -> list[tuple[str, str]]:
        """The unsaved values as the form shows them, label -> text."""
        return [(label, widget_text(widget)) for label, widget, _field in self._rows]

    def saved_values(self, saved: Any) -> list[tuple[str, str]]:
        """The saved record in the same rows and words as ``my_values``."""
        fields = self.saved_fields(saved)
        return [
            (label, value_as_widget_shows(widget, fields[field]))
            for label, widget, field in self._rows
            if field in fields
        ]

    def saved_fields(self, saved: Any) -> dict[str, Any]:
        """Each form field's saved value, by the service's field names (which the record's
        attributes share); dialogs whose rows split one attribute (a date and a time) add
        the parts."""
        return {
            field: getattr(saved, field) for _l, _w, field in self._rows if hasattr(saved, field)
        }

    def _resolve_conflict(self, conflict: ConflictError) -> None:
        mine = self.my_values()

        def compare(saved: Any) -> None:
            if saved is None:
                show_error(self, conflict)
                return
            dialog = ConflictDialog(conflict, mine, self.saved_values(saved), self)
            dialog.exec()
            if dialog.choice is ConflictChoice.REAPPLY:
                self.build_on(saved)
                self.general_error.setText(
                    f"Your changes are still here, now on top of {conflict.changed_by}'s "
                    "version: check them, then save again."
                )
                self.general_error.setVisible(True)
            elif dialog.choice is ConflictChoice.DISCARD:
                announce(self.event_kind, self.person_id)
                self.reject()

        run_task(
            self,
            "Reading the saved version",
            lambda _progress: self.reread(),
            compare,
            lambda error: show_error(self, error),
            cancellable=False,
            show_progress=False,
        )


def widget_text(widget: QWidget) -> str:
    """What a form widget shows, in words (a tick box as Yes or No)."""
    if isinstance(widget, QCheckBox):
        return "Yes" if widget.isChecked() else "No"
    if isinstance(widget, QComboBox):
        return widget.currentText()
    if isinstance(widget, QAbstractSpinBox):
        return widget.text()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QLineEdit):
        return widget.text()
    return widget.accessibleName()


def value_as_widget_shows(widget: QWidget, value: Any) -> str:
    """A saved value in the words the widget would show for it, so the two versions of a
    record compare like with like."""
    if isinstance(widget, QCheckBox):
        return "Yes" if value else "No"
    if isinstance(widget, QComboBox):
        index = widget.findData(value.value if isinstance(value, LabelledEnum) else value)
        if index >= 0:
            return widget.itemText(index)
        return (
            value.label if isinstance(value, LabelledEnum) else "" if value is None else str(value)
        )
    if isinstance(widget, QSpinBox) and (value is None or isinstance(value, int)):
        if value is None or (widget.specialValueText() and value == widget.minimum()):
            return widget.specialValueText()
        return f"{widget.prefix()}{widget.textFromValue(value)}{widget.suffix()}"
    if isinstance(value, dt.datetime):
        if isinstance(widget, DateField):
            return format_uk_date(value.date())
        return format_uk_datetime(value)
    if isinstance(value, dt.date):
        return format_uk_date(value)
    if isinstance(value, dt.time):
        return format_time(value)
    if isinstance(value, LabelledEnum):
        return value.label
    return "" if value is None else str(value)


def gather(errors: dict[str, str], read: Callable[[], T]) -> T | None:
    """Runs one field's parser, collecting its message so every field is checked at once."""
    try:
        return read()
    except ValidationError as error:
        errors.update(error.fields)
        return None


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
