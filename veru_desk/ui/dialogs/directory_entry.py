"""The directory's two editors: a professional (name, role, agency, phone, secure email) and
an agency (name, type, phone, email). Saved off the GUI thread; the service's messages appear
beside their fields and the form stays open with what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from veru_desk.domain.enums import AgencyType
from veru_desk.domain.errors import ValidationError
from veru_desk.services import Services
from veru_desk.services.directory import (
    AgencyInput,
    AgencyView,
    ProfessionalInput,
    ProfessionalView,
)
from veru_desk.ui.dialogs.contact import agency_combo, select_agency
from veru_desk.ui.dialogs.saving import SavesInBackground
from veru_desk.ui.widgets.forms import FieldErrors, chosen_enum, enum_combo, select_enum
from veru_desk.ui.widgets.kit import accept_button, dialog_buttons, house_form


class DirectoryDialog(SavesInBackground):
    """A form with Save and Cancel whose ``prepare`` returns the service call to make."""

    help_topic = "case-overview"  # the guide's page on a case's contacts and the directory

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 34)
        self.result_value: Any = None
        self._busy = False
        self.form = house_form()
        self.errors = FieldErrors()
        self.general_error = QLabel()
        self.general_error.setObjectName("formError")
        self.general_error.setWordWrap(True)
        self.general_error.setVisible(False)
        self.buttons = dialog_buttons("Save", on_accept=self.save, on_reject=self.reject)
        self.save_button: QPushButton = accept_button(self.buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)



class ProfessionalDialog(DirectoryDialog):
    """Adds a professional to the directory (``professional`` None) or corrects one."""

    def __init__(
        self,
        services: Services,
        agencies: list[AgencyView],
        professional: ProfessionalView | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            "Add a professional" if professional is None else "Change a professional", parent
        )
        self.services = services
        self.professional = professional
        self.name = QLineEdit()
        self.name.setMaxLength(200)
        self.job_title = QLineEdit()
        self.job_title.setMaxLength(200)
        self.job_title.setPlaceholderText("e.g. Social worker, Designated safeguarding lead")
        self.agency = agency_combo(agencies)
        self.phone = QLineEdit()
        self.phone.setMaxLength(40)
        self.secure_email = QLineEdit()
        self.secure_email.setMaxLength(254)
        self.secure_email.setPlaceholderText("e.g. name@luton.gcsx.gov.uk, name@nhs.net")
        self.errors.add_row(self.form, "Name*", self.name, "name")
        self.errors.add_row(self.form, "Role", self.job_title, "job_title")
        self.errors.add_row(self.form, "Agency", self.agency, "agency_id")
        self.errors.add_row(self.form, "Phone", self.phone, "phone")
        self.errors.add_row(self.form, "Secure email", self.secure_email, "secure_email")
        if professional is not None:
            self.name.setText(professional.name)
            self.job_title.setText(professional.job_title or "")
            select_agency(self.agency, professional.agency_id, professional.agency)
            self.phone.setText(professional.phone or "")
            self.secure_email.setText(professional.secure_email or "")

    def prepare(self) -> Callable[[], Any]:
        if not self.name.text().strip():
            raise ValidationError({"name": "Enter the professional's name."})
        data = ProfessionalInput(
            name=self.name.text(),
            job_title=self.job_title.text(),
            agency_id=self.agency.currentData(),
            phone=self.phone.text(),
            secure_email=self.secure_email.text(),
        )
        directory = self.services.directory
        if self.professional is None:
            return lambda: directory.add_professional(data)
        ident, version = self.professional.id, self.professional.version
        return lambda: directory.change_professional(ident, data, version)


class AgencyDialog(DirectoryDialog):
    """Adds an agency to the directory (``agency`` None) or corrects one."""

    def __init__(
        self, services: Services, agency: AgencyView | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__("Add an agency" if agency is None else "Change an agency", parent)
        self.services = services
        self.agency = agency
        self.name = QLineEdit()
        self.name.setMaxLength(200)
        self.agency_type = enum_combo(AgencyType, "Type of agency")
        self.agency_type.setPlaceholderText("Choose the type of agency")
        self.agency_type.setCurrentIndex(-1)
        self.phone = QLineEdit()
        self.phone.setMaxLength(40)
        self.email = QLineEdit()
        self.email.setMaxLength(254)
        self.errors.add_row(self.form, "Name*", self.name, "name")
        self.errors.add_row(self.form, "Type*", self.agency_type, "agency_type")
        self.errors.add_row(self.form, "Phone", self.phone, "phone")
        self.errors.add_row(self.form, "Email", self.email, "email")
        if agency is not None:
            self.name.setText(agency.name)
            select_enum(self.agency_type, agency.agency_type)
            self.phone.setText(agency.phone or "")
            self.email.setText(agency.email or "")

    def prepare(self) -> Callable[[], Any]:
        errors: dict[str, str] = {}
        kind = chosen_enum(self.agency_type, AgencyType)
        if not self.name.text().strip():
            errors["name"] = "Enter the agency's name."
        if kind is None:
            errors["agency_type"] = "Choose the type of agency."
        if errors or kind is None:
            raise ValidationError(errors)
        data = AgencyInput(self.name.text(), kind, self.phone.text(), self.email.text())
        directory = self.services.directory
        if self.agency is None:
            return lambda: directory.add_agency(data)
        ident = self.agency.id
        return lambda: directory.change_agency(ident, data)
