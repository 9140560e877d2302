"""A case's people: the family and the professionals around the young person, those involved
now first and those whose involvement ended after them (greyed, with when and why), and the
Add, Change and End involvement buttons.

A professional linked to the unit's directory shows the directory's current details, so the
tab reads again when the directory changes (``Kind.AGENCY``) as well as when the case does.
"""

from __future__ import annotations

from typing import ClassVar

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from veru_desk.services import Services
from veru_desk.services.changes import Changes, Kind
from veru_desk.services.contacts import ContactDetail
from veru_desk.ui.case.tab import CaseTab, button_row
from veru_desk.ui.dialogs.contact import ContactDialog, EndContactDialog
from veru_desk.ui.shell.events import data_events
from veru_desk.ui.widgets.record_table import Column, RecordTable, RecordTableModel


def _role(contact: ContactDetail) -> str:
    role = contact.relationship.label
    if contact.job_title and contact.job_title.lower() != role.lower():
        role += f" ({contact.job_title})"
    return role


CONTACT_COLUMNS = [
    Column("Name", lambda c: c.name, quiet=lambda c: not c.current),
    Column("Relationship or role", _role, quiet=lambda c: not c.current),
    Column("Agency", lambda c: c.agency or "", quiet=lambda c: not c.current),
    Column("Phone", lambda c: c.phone or "", quiet=lambda c: not c.current),
    Column("Email", lambda c: c.email or "", quiet=lambda c: not c.current),
    Column(
        "Involvement",
        lambda c: c.involvement,
        tooltip=lambda c: c.involvement,
        quiet=lambda c: not c.current,
    ),
]


def details_text(contact: ContactDetail) -> str:
    lines = [
        f"{contact.name}: {_role(contact)}" + (f", {contact.agency}" if contact.agency else "")
    ]
    lines.append(
        contact.involvement if contact.current else f"No longer involved: {contact.involvement}"
    )
    if contact.parental_responsibility:
        lines.append("Has parental responsibility")
    if contact.professional_id is not None:
        lines.append("From the unit's directory: its details are shown as the directory keeps them")
    if contact.address:
        lines.append(f"Address: {contact.address}")
    if contact.notes:
        lines.append(f"Notes: {contact.notes}")
    return "\n".join(lines)


class ContactsTab(CaseTab):
    help_topic = "case-overview"  # the guide describes a case's contacts there
    kinds: ClassVar[frozenset[Kind]] = frozenset({Kind.PERSON, Kind.AGENCY})

    def __init__(self, services: Services, person_id: int, parent: QWidget | None = None) -> None:
        super().__init__(services, person_id, parent)
        self._directory_changed = False
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Contacts summary")
        self.add_button = QPushButton("Add contact…")
        self.add_button.clicked.connect(self.add_contact)
        self.change_button = QPushButton("Change selected…")
        self.change_button.clicked.connect(self.change_selected)
        self.end_button = QPushButton("End involvement…")
        self.end_button.clicked.connect(self.end_selected)
        self.model = RecordTableModel(CONTACT_COLUMNS, self)
        self.table = RecordTable(self.model, "Contacts", stretch_column=5)
        self.table.doubleClicked.connect(self.change_selected)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setAccessibleName("Contact details")

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(button_row(self.add_button, self.change_button, self.end_button))
        layout.addWidget(splitter, 1)
        self.table.selectionModel().selectionChanged.connect(self._show_selected)
        self._show_selected()
        # The workspace passes on changes to the case; the directory is not the case's.
        data_events().changed.connect(self._data_changed)

    def _data_changed(self, changes: Changes) -> None:
        if not shiboken6.isValid(self) or not self.loaded or not changes.touches(Kind.AGENCY):
            return
        if self.isVisible():
            self.refresh()
        else:
            self._directory_changed = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._directory_changed:
            self._directory_changed = False
            self.refresh()

    def refresh(self) -> None:
        service, person_id = self.services.contacts, self.person_id
        self.load("Loading contacts", lambda: service.for_case(person_id), self.show_contacts)

    def show_contacts(self, contacts: list[ContactDetail]) -> None:
        self.model.set_rows(contacts)
        current = sum(1 for c in contacts if c.current)
        ended = len(contacts) - current
        if not contacts:
            self.summary.setText(
                "No contacts recorded. Add the young person's family and the professionals "
                "working with them; choose professionals from the unit's directory to enter "
                "them once for every case."
            )
        else:
            self.summary.setText(
                f"{current} involved now" + (f", {ended} no longer involved." if ended else ".")
            )
        self.table.select_first()
        self._show_selected()

    def _show_selected(self) -> None:
        contact: ContactDetail | None = self.table.selected()
        self.change_button.setEnabled(contact is not None)
        self.end_button.setEnabled(contact is not None and contact.ended_on is None)
        self.details.setText(details_text(contact) if contact is not None else "")

    def add_contact(self) -> None:
        ContactDialog(self.services, self.person_id, parent=self).exec()

    def change_selected(self) -> None:
        contact = self.table.selected()
        if contact is not None:
            ContactDialog(self.services, self.person_id, contact, parent=self).exec()

    def end_selected(self) -> None:
        contact = self.table.selected()
        if contact is not None and contact.ended_on is None:
            EndContactDialog(self.services, self.person_id, contact, parent=self).exec()
