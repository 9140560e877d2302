"""A case's contact: add or correct one (family or professional), choose a professional from
the unit's directory, or end a contact's involvement.

Choosing from the directory fills the name, the agency, the phone and the secure email and
links the contact to the directory's entry, so the case shows that professional's details as
the directory keeps them. The service checks everything again; each message appears beside
its field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.enums import ContactRelationship
from veru_desk.domain.errors import NotFound, ValidationError
from veru_desk.services import Services
from veru_desk.services.changes import Kind
from veru_desk.services.contacts import ContactDetail, ContactInput
from veru_desk.services.directory import AgencyView, ProfessionalView
from veru_desk.ui.dialogs.case_dialog import CaseDialog, chosen_enum, enum_combo, gather
from veru_desk.ui.shell.tasks import run_task
from veru_desk.ui.widgets.feedback import show_error
from veru_desk.ui.widgets.forms import DateField, select_enum
from veru_desk.ui.widgets.kit import accept_button, dialog_buttons, grow_to_fit

#: Typing in the picker's search waits this long before asking the database.
DEBOUNCE_MS = 250

_ROOM = 3  # lines of text an address or a note box shows before it scrolls


def agency_combo(agencies: list[AgencyView], current: int | None = None) -> QComboBox:
    """The directory's agencies by name (item data: the agency's id), "None" first."""
    combo = QComboBox()
    combo.addItem("None", None)
    for agency in agencies:
        combo.addItem(agency.name, agency.id)
    select_agency(combo, current)
    return combo


def select_agency(combo: QComboBox, agency_id: int | None, name: str | None = None) -> None:
    index = combo.findData(agency_id)
    if index < 0 and agency_id is not None:
        # deactivated since: still shown, so a save does not quietly drop it
        combo.addItem(name or "An agency no longer in the directory", agency_id)
        index = combo.count() - 1
    combo.setCurrentIndex(max(index, 0))


class DirectoryPicker(QDialog):
    """Search the directory's active professionals and choose one."""

    help_topic = "case-overview"

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Choose from the directory")
        self.setModal(True)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 48)
        self.services = services
        self.chosen: ProfessionalView | None = None
        self._generation = 0

        self.search = QLineEdit()
        self.search.setAccessibleName("Search the directory")
        self.search.setPlaceholderText("Name, role or agency, e.g. social worker")
        self.search.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setAccessibleName("Professionals found")
        self.results.setWordWrap(True)  # a long agency name wraps rather than scrolls
        self.results.setMinimumHeight(self.fontMetrics().lineSpacing() * 10)
        self.status = QLabel()
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        self.buttons = dialog_buttons("Choose", on_accept=self.choose, on_reject=self.reject)
        self.choose_button: QPushButton = accept_button(self.buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.search_now)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self.search_now)
        self.results.itemActivated.connect(lambda _item: self.choose())
        self.results.currentRowChanged.connect(lambda _row: self._fit_buttons())
        self._fit_buttons()
        self.search_now()

    def search_now(self) -> None:
        self._timer.stop()
        self._generation += 1
        generation = self._generation
        directory, text = self.services.directory, self.search.text()

        def shown(found: list[ProfessionalView]) -> None:
            if generation == self._generation:
                self.show_found(found)

        run_task(
            self,
            "Searching the directory",
            lambda _progress: directory.professionals(text),
            shown,
            lambda error: show_error(self, error),
            cancellable=False,
            show_progress=False,
        )

    def show_found(self, found: list[ProfessionalView]) -> None:
        self.results.clear()
        for professional in found:
            item = QListWidgetItem(professional.label)
            item.setData(Qt.ItemDataRole.UserRole, professional)
            item.setToolTip(
                "\n".join(part for part in (professional.phone, professional.secure_email) if part)
            )
            self.results.addItem(item)
        if found:
            self.results.setCurrentRow(0)
            self.status.setText(
                f"{len(found)} professional{'s' if len(found) != 1 else ''} in the directory."
            )
        elif self.search.text().strip():
            self.status.setText(
                "Nobody in the directory matches. Add them on the Directory page, or type "
                "their details in the form."
            )
        else:
            self.status.setText("The directory is empty: add professionals on its page.")
        self._fit_buttons()

    def _fit_buttons(self) -> None:
        self.choose_button.setEnabled(self.results.currentItem() is not None)

    def choose(self) -> None:
        item = self.results.currentItem()
        if item is None:
            return
        self.chosen = item.data(Qt.ItemDataRole.UserRole)
        self.accept()


class ContactDialog(CaseDialog):
    """Adds a contact (``contact`` None) or corrects one already recorded."""

    help_topic = "case-overview"

    def __init__(
        self,
        services: Services,
        person_id: int,
        contact: ContactDetail | None = None,
        parent: QWidget | None = None,
    ) -> None:
        title = "Add a contact" if contact is None else "Change a contact"
        super().__init__(title, person_id, Kind.PERSON, parent)
        self.services = services
        self.contact = contact
        self.professional_id: int | None = None
        today = dt.date.today()

        self.directory_button = QPushButton("Choose from the directory…")
        self.directory_button.setToolTip(
            "Pick a professional the unit has entered once, to link them to this case"
        )
        self.directory_button.clicked.connect(self.choose_from_directory)
        self.linked = QLabel()
        self.linked.setObjectName("hint")
        self.linked.setWordWrap(True)
        self.linked.setAccessibleName("Directory link")
        self.unlink_button = QPushButton("Unlink")
        self.unlink_button.setToolTip("Keep the details typed here, without the directory link")
        self.unlink_button.clicked.connect(lambda: self._link(None, ""))
        pick_row = QHBoxLayout()
        pick_row.addWidget(self.directory_button)
        pick_row.addWidget(self.unlink_button)
        pick_row.addStretch(1)
        self.form.addRow(pick_row)
        self.form.addRow(self.linked)

        self.name = QLineEdit()
        self.name.setMaxLength(200)
        self.relationship = enum_combo(ContactRelationship, "Relationship")
        self.relationship.setPlaceholderText("Choose how they know the young person")
        self.relationship.setCurrentIndex(-1)
        self.agency = agency_combo(self._agencies())
        self.phone = QLineEdit()
        self.phone.setMaxLength(40)
        self.email = QLineEdit()
        self.email.setMaxLength(254)
        self.email.setPlaceholderText("A secure (gcsx, nhs.net, police) address for a professional")
        self.address = QPlainTextEdit()
        self.address.setTabChangesFocus(True)
        self.address.setMaximumHeight(self.fontMetrics().lineSpacing() * (_ROOM + 1))
        self.parental = QCheckBox("Has parental responsibility")
        self.involved_from = DateField(accessible_name="Involved from", latest=today)
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setMaximumHeight(self.fontMetrics().lineSpacing() * (_ROOM + 1))
        self.notes.setPlaceholderText("e.g. best time to call, speaks Polish")

        self.add_row("Name*", self.name, "name")
        self.add_row("Relationship*", self.relationship, "relationship")
        self.add_row("Agency", self.agency, "agency_id")
        self.add_row("Phone", self.phone, "phone")
        self.add_row("Email", self.email, "email")
        self.add_row("Address", self.address, "address", accessible="Contact's address")
        self.add_row(
            "", self.parental, "parental_responsibility", accessible="Parental responsibility"
        )
        self.add_row("Involved from", self.involved_from, "involved_from")
        self.add_row("Notes", self.notes, "notes", accessible="Contact notes")

        if contact is None:
            self.involved_from.set_date(today)
            self._link(None, "")
        else:
            self.load(contact)

    def _agencies(self) -> list[AgencyView]:
        try:
            return self.services.directory.agencies()
        except Exception as error:  # the form still works without the list: say why
            show_error(self, error)
            return []

    def _link(self, professional_id: int | None, label: str) -> None:
        self.professional_id = professional_id
        self.linked.setText(
            f"Linked to the directory: {label}. Their name, agency, phone and email are kept "
            "there, for every case they are on."
            if professional_id is not None
            else ""
        )
        linked = professional_id is not None
        self.unlink_button.setVisible(linked)
        self.linked.setVisible(linked)
        # A linked professional's details are the directory's, changed there for every case.
        for field in (self.name, self.phone, self.email):
            field.setReadOnly(linked)
            field.setToolTip(
                "Shared with the directory: change it there, or unlink" if linked else ""
            )
        self.agency.setEnabled(not linked)
        grow_to_fit(self)  # the link's line wraps: room for it, never clipped

    def choose_from_directory(self) -> None:
        picker = DirectoryPicker(self.services, self)
        if picker.exec() != QDialog.DialogCode.Accepted or picker.chosen is None:
            return
        self.use_professional(picker.chosen)

    def use_professional(self, professional: ProfessionalView) -> None:
        """Fills the form from the directory's entry and links the contact to it."""
        try:
            filled = self.services.contacts.from_directory(professional.id)
        except (ValidationError, NotFound) as error:
            show_error(self, error)
            return
        self.name.setText(filled.name)
        if self.contact is None or chosen_enum(self.relationship, ContactRelationship) is None:
            select_enum(self.relationship, filled.relationship)
        select_agency(self.agency, filled.agency_id, professional.agency)
        self.phone.setText(filled.phone or "")
        self.email.setText(filled.email or "")
        self._link(professional.id, professional.label)

    # --- loading and saving ------------------------------------------------------------------

    def fill(self, contact: ContactDetail) -> None:
        self.name.setText(contact.name)
        select_enum(self.relationship, contact.relationship)
        select_agency(self.agency, contact.agency_id, contact.agency)
        self.phone.setText(contact.phone or "")
        self.email.setText(contact.email or "")
        self.address.setPlainText(contact.address or "")
        self.parental.setChecked(contact.parental_responsibility)
        self.involved_from.set_date(contact.involved_from)
        self.notes.setPlainText(contact.notes or "")
        label = contact.name + (f", {contact.job_title}" if contact.job_title else "")
        self._link(contact.professional_id, label)

    def reread(self) -> ContactDetail | None:
        if self.contact is None:
            return None
        return _reread(self.services, self.person_id, self.contact.id)

    def build_on(self, saved: ContactDetail) -> None:
        self.contact = saved

    def prepare(self) -> Callable[[], Any]:
        errors: dict[str, str] = {}
        relationship = chosen_enum(self.relationship, ContactRelationship)
        if relationship is None:
            errors["relationship"] = "Choose how they know the young person."
        if not self.name.text().strip():
            errors["name"] = "Enter the contact's name."
        involved = gather(errors, lambda: self.involved_from.date_or_none("involved_from"))
        if errors or relationship is None:
            raise ValidationError(errors)
        data = ContactInput(
            name=self.name.text(),
            relationship=relationship,
            agency_id=self.agency.currentData(),
            phone=self.phone.text(),
            email=self.email.text(),
            address=self.address.toPlainText(),
            parental_responsibility=self.parental.isChecked(),
            notes=self.notes.toPlainText(),
            involved_from=involved,
            professional_id=self.professional_id,
        )
        service = self.services.contacts
        if self.contact is None:
            return lambda: service.add(self.person_id, data)
        contact_id, version = self.contact.id, self.contact.version
        return lambda: service.change(contact_id, data, version)


class EndContactDialog(CaseDialog):
    """Ends a contact's involvement with the case, on a date and for a reason."""

    help_topic = "case-overview"

    def __init__(
        self,
        services: Services,
        person_id: int,
        contact: ContactDetail,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            f"End involvement: {contact.name}",
            person_id,
            Kind.PERSON,
            parent,
            save_text="End involvement",
        )
        self.services = services
        self.contact = contact
        about = QLabel(
            f"{contact.name}, {contact.relationship.label.lower()}"
            + (f" ({contact.agency})" if contact.agency else "")
            + f". {contact.involvement}."
            + " They stay on the case's record as no longer involved."
        )
        about.setWordWrap(True)
        self.form.addRow(about)
        self.ended_on = DateField(accessible_name="Involvement ended", latest=dt.date.today())
        self.ended_on.set_date(dt.date.today())
        self.reason = QLineEdit()
        self.reason.setMaxLength(200)
        self.reason.setPlaceholderText("e.g. case closed by social care, moved school")
        self.add_row("Ended on*", self.ended_on, "ended_on", accessible="Involvement ended")
        self.add_row("Reason", self.reason, "end_reason", accessible="Reason involvement ended")
        grow_to_fit(self)

    def prepare(self) -> Callable[[], Any]:
        errors: dict[str, str] = {}
        ended = gather(errors, lambda: self.ended_on.date_or_none("ended_on"))
        if ended is None and "ended_on" not in errors:
            errors["ended_on"] = "Enter the date their involvement ended (dd/mm/yyyy)."
        if errors or ended is None:
            raise ValidationError(errors)
        service = self.services.contacts
        contact_id, version, reason = self.contact.id, self.contact.version, self.reason.text()
        return lambda: service.end(contact_id, ended, reason, version)


def _reread(services: Services, person_id: int, contact_id: int) -> ContactDetail:
    for contact in services.contacts.for_case(person_id):
        if contact.id == contact_id:
            return contact
    raise NotFound("This contact is no longer on the case.")
