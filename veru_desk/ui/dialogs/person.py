"""Editing a young person's details from the case workspace: a new address, a school move,
a preferred name, a safeguarding flag. Intake records them first (referral_form.py); this
keeps them right afterwards, with the same checks and optimistic locking as every save.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QCheckBox, QGridLayout, QLabel, QLineEdit, QPlainTextEdit, QWidget

from veru_desk.domain.enums import EducationStatus, Ethnicity, Gender
from veru_desk.domain.errors import ValidationError
from veru_desk.domain.nhs import format_nhs_number
from veru_desk.services import Services
from veru_desk.services.changes import Kind
from veru_desk.services.people import SAFEGUARDING_FLAGS, PersonDetails, PersonView
from veru_desk.ui.dialogs.case_dialog import CaseDialog, gather
from veru_desk.ui.widgets.forms import DateField, chosen_enum, enum_combo, select_enum


class PersonDialog(CaseDialog):
    def __init__(
        self, services: Services, person: PersonView, parent: QWidget | None = None
    ) -> None:
        super().__init__(f"Edit details · {person.case_ref}", person.id, Kind.PERSON, parent)
        self.services = services
        self.person = person
        self.first_name = QLineEdit()
        self.last_name = QLineEdit()
        self.preferred_name = QLineEdit()
        self.date_of_birth = DateField(accessible_name="Date of birth", latest=dt.date.today())
        self.age = QLabel()
        self.date_of_birth.textChanged.connect(
            lambda _t: self.age.setText(self.date_of_birth.age_text())
        )
        self.gender = enum_combo(Gender, "Gender")
        self.gender_detail = QLineEdit()
        self.ethnicity = enum_combo(Ethnicity, "Ethnicity")
        self.address = QPlainTextEdit()
        self.address.setTabChangesFocus(True)
        self.address.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.postcode = QLineEdit()
        self.phone = QLineEdit()
        self.email = QLineEdit()
        self.nhs_number = QLineEdit()
        self.education_setting = QLineEdit()
        self.education_status = enum_combo(EducationStatus, "Education status")
        flags = QWidget()
        grid = QGridLayout(flags)
        grid.setContentsMargins(0, 0, 0, 0)
        self.flags: dict[str, QCheckBox] = {}
        for position, (name, label) in enumerate(SAFEGUARDING_FLAGS):
            box = QCheckBox(label)
            self.flags[name] = box
            grid.addWidget(box, position // 2, position % 2)

        self.add_row("First name", self.first_name, "first_name")
        self.add_row("Last name", self.last_name, "last_name")
        self.add_row("Preferred name", self.preferred_name, "preferred_name")
        self.add_row("Date of birth", self.date_of_birth, "date_of_birth")
        self.form.addRow("", self.age)
        self.add_row("Gender", self.gender, "gender")
        self.add_row("Gender (own words)", self.gender_detail, "gender_detail")
        self.add_row("Ethnicity", self.ethnicity, "ethnicity")
        self.add_row("Address", self.address, "address")
        self.add_row("Postcode", self.postcode, "postcode")
        self.add_row("Phone", self.phone, "phone")
        self.add_row("Email", self.email, "email")
        self.add_row("NHS number", self.nhs_number, "nhs_number")
        self.add_row("Education setting", self.education_setting, "education_setting")
        self.add_row("Education status", self.education_status, "education_status")
        self.add_row("Safeguarding", flags, "flags", accessible="Safeguarding flags")
        self.load(person)

    def fill(self, person: PersonView) -> None:
        d = person.details
        self.first_name.setText(d.first_name)
        self.last_name.setText(d.last_name)
        self.preferred_name.setText(d.preferred_name or "")
        self.date_of_birth.set_date(d.date_of_birth)
        select_enum(self.gender, d.gender)
        self.gender_detail.setText(d.gender_detail or "")
        select_enum(self.ethnicity, d.ethnicity)
        self.address.setPlainText(d.address or "")
        self.postcode.setText(d.postcode or "")
        self.phone.setText(d.phone or "")
        self.email.setText(d.email or "")
        self.nhs_number.setText(format_nhs_number(d.nhs_number) if d.nhs_number else "")
        self.education_setting.setText(d.education_setting or "")
        select_enum(self.education_status, d.education_status)
        for name, box in self.flags.items():
            box.setChecked(bool(getattr(d, name)))

    def prepare(self) -> Callable[[], Any]:
        errors: dict[str, str] = {}
        dob = gather(errors, lambda: self.date_of_birth.date_or_none("date_of_birth"))
        details = PersonDetails(
            first_name=self.first_name.text(),
            last_name=self.last_name.text(),
            preferred_name=self.preferred_name.text(),
            date_of_birth=dob,  # type: ignore[arg-type]  # None: the service says it is required
            gender=chosen_enum(self.gender, Gender) or Gender.NOT_KNOWN,
            gender_detail=self.gender_detail.text(),
            ethnicity=chosen_enum(self.ethnicity, Ethnicity) or Ethnicity.NOT_STATED,
            address=self.address.toPlainText(),
            postcode=self.postcode.text(),
            phone=self.phone.text(),
            email=self.email.text(),
            nhs_number=self.nhs_number.text(),
            education_setting=self.education_setting.text(),
            education_status=(
                chosen_enum(self.education_status, EducationStatus) or EducationStatus.NOT_KNOWN
            ),
            **{name: box.isChecked() for name, box in self.flags.items()},
        )
        try:
            details = details.validated()
        except ValidationError as error:
            errors = {**error.fields, **errors}
        if errors:
            raise ValidationError(errors)
        people, person_id, version = self.services.people, self.person.id, self.person.version
        return lambda: people.update(person_id, details, version)

    def reread(self) -> PersonView:
        return self.services.people.get(self.person.id)

    def build_on(self, saved: PersonView) -> None:
        self.person = saved
