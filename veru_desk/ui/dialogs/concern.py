"""The editor of a person of concern: an adult (or an older young person not on record)
suspected of exploitation or violence, known by a name, a street name or both. Saved off the
GUI thread; the service's messages appear beside their fields and the form stays as typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QSpinBox, QWidget

from veru_desk.domain.errors import ValidationError
from veru_desk.domain.network import ConcernInput, concern_problems
from veru_desk.services import Services
from veru_desk.services.network import ConcernView
from veru_desk.ui.dialogs.directory_entry import DirectoryDialog

#: The spin box's "not known": below the youngest age the rules accept.
_AGE_NOT_KNOWN = 9


class PersonOfConcernDialog(DirectoryDialog):
    """Adds a person of concern (``concern`` None) or corrects one."""

    help_topic = "people-and-places"

    def __init__(
        self, services: Services, concern: ConcernView | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            "Add a person of concern" if concern is None else "Change a person of concern",
            parent,
        )
        self.services = services
        self.concern = concern
        self.name = QLineEdit()
        self.name.setMaxLength(200)
        self.name.setPlaceholderText("e.g. Dean Walsh")
        self.street_name = QLineEdit()
        self.street_name.setMaxLength(100)
        self.street_name.setPlaceholderText("e.g. D-Money")
        self.age = QSpinBox()
        self.age.setRange(_AGE_NOT_KNOWN, 90)
        self.age.setSpecialValueText("Not known")
        self.age.setValue(_AGE_NOT_KNOWN)
        self.age.setAccessibleName("Approximate age")
        self.description = QPlainTextEdit()
        self.description.setPlaceholderText(
            "What helps a colleague recognise them: appearance, vehicle, where they are seen"
        )
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(self.fontMetrics().lineSpacing() * 5)
        self.errors.add_row(self.form, "Name", self.name, "name")
        self.errors.add_row(self.form, "Street name", self.street_name, "street_name")
        self.errors.add_row(self.form, "Approximate age", self.age, "approximate_age")
        self.errors.add_row(self.form, "Description", self.description, "description")
        if concern is not None:
            self.name.setText(concern.name or "")
            self.street_name.setText(concern.street_name or "")
            if concern.approximate_age is not None:
                self.age.setValue(concern.approximate_age)
            self.description.setPlainText(concern.description or "")

    def data(self) -> ConcernInput:
        age = self.age.value()
        return ConcernInput(
            name=self.name.text(),
            street_name=self.street_name.text(),
            approximate_age=None if age == _AGE_NOT_KNOWN else age,
            description=self.description.toPlainText(),
        )

    def prepare(self) -> Callable[[], Any]:
        data = self.data()
        problems = concern_problems(data)
        if problems:
            raise ValidationError(problems)
        network = self.services.network
        if self.concern is None:
            return lambda: network.add_concern(data)
        ident, version = self.concern.id, self.concern.version
        return lambda: network.change_concern(ident, data, version)
