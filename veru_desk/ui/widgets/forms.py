"""Form building blocks shared by every dialog: UK date fields and per-field error labels.

A form keeps what was typed on a validation error; messages from a service's
``ValidationError`` are shown beside the field they name.
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from veru_desk.domain.dates import age_on, format_uk_date, parse_uk_date
from veru_desk.domain.enums import LabelledEnum
from veru_desk.domain.errors import ValidationError

E = TypeVar("E", bound=LabelledEnum)


class DateField(QLineEdit):
    """Typed as dd/mm/yyyy (or any form domain.dates accepts); day first, always."""

    def __init__(self, parent: QWidget | None = None, *, accessible_name: str = "Date") -> None:
        super().__init__(parent)
        self.setPlaceholderText("dd/mm/yyyy")
        self.setAccessibleName(accessible_name)
        self.setMaxLength(30)

    def set_date(self, value: dt.date | None) -> None:
        self.setText(format_uk_date(value))

    def date_or_none(self, field: str) -> dt.date | None:
        """The typed date, None when empty; raises ValidationError naming ``field``."""
        text = self.text().strip()
        return parse_uk_date(text, field) if text else None

    def age_text(self, on: dt.date | None = None) -> str:
        try:
            value = self.date_or_none("date")
        except ValidationError:
            return ""
        if value is None or value > (on or dt.date.today()):
            return ""
        return f"Age {age_on(value, on or dt.date.today())}"


class FieldErrors:
    """Red messages under form rows, keyed by the field names services use."""

    def __init__(self) -> None:
        self._labels: dict[str, QLabel] = {}

    def add_row(
        self, form: QFormLayout, label: str, widget: QWidget, field: str, *, accessible: str = ""
    ) -> QLabel:
        widget.setAccessibleName(accessible or label.rstrip(":*").strip())
        form.addRow(label, widget)
        error = QLabel()
        error.setObjectName("fieldError")
        error.setStyleSheet("color: #b00020;")
        error.setWordWrap(True)
        error.setVisible(False)
        form.addRow("", error)
        self._labels[field] = error
        return error

    def clear(self) -> None:
        for label in self._labels.values():
            label.clear()
            label.setVisible(False)

    def show(self, error: ValidationError) -> list[str]:
        """Shows each message beside its field; returns messages with no field on this form."""
        self.clear()
        unplaced: list[str] = []
        for field, message in error.fields.items():
            label = self._labels.get(field)
            if label is None:
                unplaced.append(message)
                continue
            label.setText(message)
            label.setVisible(True)
        return unplaced

    def message(self, field: str) -> str:
        label = self._labels.get(field)
        return label.text() if label is not None and label.isVisible() else ""


def enum_combo(
    enum_type: type[E], accessible: str = "", *, blank: str | None = None, current: E | None = None
) -> QComboBox:
    """A drop-down of an enum's labels (codes kept as item data); ``blank`` adds a no-value
    first item."""
    combo = QComboBox()
    if accessible:
        combo.setAccessibleName(accessible)
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


def password_field(accessible: str = "") -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    if accessible:
        field.setAccessibleName(accessible)
    return field


class Credentials:
    """Username, password and the line that says what went wrong: the same on the sign-in
    dialog and the lock screen, so a person meets one way of signing in."""

    def __init__(self, username: str = "") -> None:
        self.username = QLineEdit(username)
        self.username.setAccessibleName("Username")
        self.password = password_field("Password")
        self.message = QLabel()
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Sign-in problem")
        self.message.setVisible(False)

    def add_to(self, layout: QBoxLayout) -> None:
        form = QFormLayout()
        form.addRow("Username", self.username)
        form.addRow("Password", self.password)
        layout.addLayout(form)
        layout.addWidget(self.message)

    def show_problem(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(True)
