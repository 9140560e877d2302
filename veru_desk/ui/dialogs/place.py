"""The editor of a place of concern: a park, a station, an address, a takeaway, an estate,
with its kind and a postcode or a description of where it is. Saved off the GUI thread; the
service's messages (a postcode that is not one) appear beside their fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget

from veru_desk.domain.errors import ValidationError
from veru_desk.domain.network import PlaceInput, PlaceKind
from veru_desk.services import Services
from veru_desk.services.network import PlaceView
from veru_desk.ui.dialogs.directory_entry import DirectoryDialog
from veru_desk.ui.widgets.forms import chosen_enum, enum_combo, select_enum


class PlaceOfConcernDialog(DirectoryDialog):
    """Adds a place (``place`` None) or corrects one."""

    help_topic = "people-and-places"

    def __init__(
        self, services: Services, place: PlaceView | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__("Add a place" if place is None else "Change a place", parent)
        self.services = services
        self.place = place
        self.name = QLineEdit()
        self.name.setMaxLength(200)
        self.name.setPlaceholderText("e.g. Wardown Park")
        self.kind = enum_combo(PlaceKind, "Kind of place")
        self.kind.setPlaceholderText("Choose the kind of place")
        self.kind.setCurrentIndex(-1)
        self.postcode = QLineEdit()
        self.postcode.setMaxLength(10)
        self.postcode.setPlaceholderText("e.g. LU2 7HA")
        self.description = QPlainTextEdit()
        self.description.setPlaceholderText("Where it is, or what happens there")
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(self.fontMetrics().lineSpacing() * 4)
        self.errors.add_row(self.form, "Name*", self.name, "name")
        self.errors.add_row(self.form, "Kind*", self.kind, "kind")
        self.errors.add_row(self.form, "Postcode", self.postcode, "postcode")
        self.errors.add_row(self.form, "Description", self.description, "description")
        if place is not None:
            self.name.setText(place.name)
            select_enum(self.kind, place.kind)
            self.postcode.setText(place.postcode or "")
            self.description.setPlainText(place.description or "")

    def prepare(self) -> Callable[[], Any]:
        errors: dict[str, str] = {}
        kind = chosen_enum(self.kind, PlaceKind)
        if not self.name.text().strip():
            errors["name"] = "Enter the place's name, e.g. 'Wardown Park'."
        if kind is None:
            errors["kind"] = "Choose the kind of place."
        if errors or kind is None:
            raise ValidationError(errors)
        data = PlaceInput(
            self.name.text(), kind, self.postcode.text(), self.description.toPlainText()
        )
        network = self.services.network
        if self.place is None:
            return lambda: network.add_place(data)
        ident, version = self.place.id, self.place.version
        return lambda: network.change_place(ident, data, version)
