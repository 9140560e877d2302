"""The unit's directory: the partner agencies and the named professionals in them, searched,
added, corrected and deactivated by caseworkers and managers. A professional entered here is
chosen from the contact editor of any case (``ui.dialogs.contact``), so the same social worker
is typed once and their new number reaches every case they are on.
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from veru_desk.services import Services
from veru_desk.services.changes import Changes, Kind
from veru_desk.services.directory import AgencyView, ProfessionalView
from veru_desk.ui.dialogs.directory_entry import AgencyDialog, ProfessionalDialog
from veru_desk.ui.shell.events import data_events
from veru_desk.ui.shell.tasks import run_task
from veru_desk.ui.widgets.feedback import confirm, show_error
from veru_desk.ui.widgets.page import page_frame
from veru_desk.ui.widgets.record_table import Column, RecordTable, RecordTableModel

DEBOUNCE_MS = 250


def _cases(p: ProfessionalView) -> str:
    return "None" if p.cases == 0 else str(p.cases)


PROFESSIONAL_COLUMNS = [
    Column("Name", lambda p: p.name, quiet=lambda p: not p.active),
    Column("Role", lambda p: p.job_title or "", quiet=lambda p: not p.active),
    Column("Agency", lambda p: p.agency or "", quiet=lambda p: not p.active),
    Column("Phone", lambda p: p.phone or "", quiet=lambda p: not p.active),
    Column("Secure email", lambda p: p.secure_email or "", quiet=lambda p: not p.active),
    Column(
        "Cases",
        _cases,
        tooltip=lambda p: "Cases where they are involved now",
        quiet=lambda p: not p.active,
        numeric=True,
    ),
    Column("Status", lambda p: "Active" if p.active else "No longer active"),
]

AGENCY_COLUMNS = [
    Column("Name", lambda a: a.name, quiet=lambda a: not a.active),
    Column("Type", lambda a: a.agency_type.label, quiet=lambda a: not a.active),
    Column("Phone", lambda a: a.phone or "", quiet=lambda a: not a.active),
    Column("Email", lambda a: a.email or "", quiet=lambda a: not a.active),
    Column("Professionals", lambda a: str(a.professionals), numeric=True),
    Column("Status", lambda a: "Active" if a.active else "No longer active"),
]


class DirectoryPage(QWidget):
    help_topic = "case-overview"  # the guide's page on a case's contacts

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self._generation = 0
        self._stale = False
        layout = page_frame(
            self,
            "Directory",
            subtitle="The partner agencies and professionals the unit works with. Enter a "
            "professional once here, then choose them as a contact on each of their cases.",
        ).layout

        search_row = QHBoxLayout()
        self.query = QLineEdit()
        self.query.setAccessibleName("Search the directory")
        self.query.setPlaceholderText("Name, role or agency, e.g. youth justice")
        self.query.setClearButtonEnabled(True)
        self.inactive = QCheckBox("Show those no longer active")
        search_row.addWidget(self.query, 1)
        search_row.addWidget(self.inactive)
        layout.addLayout(search_row)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setAccessibleName("Directory sections")

        people = QWidget()
        self.add_professional_button = QPushButton("Add professional…")
        self.add_professional_button.setObjectName("primary")
        self.add_professional_button.clicked.connect(self.add_professional)
        self.change_professional_button = QPushButton("Change selected…")
        self.change_professional_button.clicked.connect(self.change_professional)
        self.deactivate_professional_button = QPushButton("Deactivate…")
        self.deactivate_professional_button.clicked.connect(self.deactivate_professional)
        self.professional_model = RecordTableModel(PROFESSIONAL_COLUMNS, self)
        self.professional_table = RecordTable(
            self.professional_model, "Professionals", stretch_column=4
        )
        self.professional_table.doubleClicked.connect(self.change_professional)
        self.professional_table.fit_columns()
        people_layout = QVBoxLayout(people)
        people_layout.addLayout(
            _buttons(
                self.add_professional_button,
                self.change_professional_button,
                self.deactivate_professional_button,
            )
        )
        people_layout.addWidget(self.professional_table, 1)

        agencies = QWidget()
        self.add_agency_button = QPushButton("Add agency…")
        self.add_agency_button.clicked.connect(self.add_agency)
        self.change_agency_button = QPushButton("Change selected…")
        self.change_agency_button.clicked.connect(self.change_agency)
        self.deactivate_agency_button = QPushButton("Deactivate…")
        self.deactivate_agency_button.clicked.connect(self.deactivate_agency)
        self.agency_model = RecordTableModel(AGENCY_COLUMNS, self)
        self.agency_table = RecordTable(self.agency_model, "Agencies", stretch_column=0)
        self.agency_table.doubleClicked.connect(self.change_agency)
        self.agency_table.fit_columns()
        agency_layout = QVBoxLayout(agencies)
        agency_layout.addLayout(
            _buttons(
                self.add_agency_button, self.change_agency_button, self.deactivate_agency_button
            )
        )
        agency_layout.addWidget(self.agency_table, 1)

        self.tabs.addTab(people, "&Professionals")
        self.tabs.addTab(agencies, "&Agencies")
        layout.addWidget(self.tabs, 1)
        self.result_label = QLabel()
        self.result_label.setObjectName("hint")
        self.result_label.setAccessibleName("Directory results")
        layout.addWidget(self.result_label)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.refresh)
        self.query.textChanged.connect(lambda _t: self._timer.start())
        self.query.returnPressed.connect(self.refresh)
        self.inactive.toggled.connect(lambda _on: self.refresh())
        for table in (self.professional_table, self.agency_table):
            table.selectionModel().selectionChanged.connect(lambda *_: self._fit_buttons())
        self._fit_buttons()
        data_events().changed.connect(self._data_changed)

    # --- reading ----------------------------------------------------------------------------

    def _data_changed(self, changes: Changes) -> None:
        if not shiboken6.isValid(self) or not changes.touches(Kind.AGENCY):
            return
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.refresh()

    def refresh(self) -> None:
        self._timer.stop()
        self._generation += 1
        generation = self._generation
        directory = self.services.directory
        text, everyone = self.query.text(), self.inactive.isChecked()

        def read(_progress: object) -> tuple[list[ProfessionalView], list[AgencyView]]:
            return (
                directory.professionals(text, include_inactive=everyone),
                directory.agencies(text, include_inactive=everyone),
            )

        def shown(found: tuple[list[ProfessionalView], list[AgencyView]]) -> None:
            if shiboken6.isValid(self) and generation == self._generation:
                self.show_found(*found)

        run_task(
            self,
            "Reading the directory",
            read,
            shown,
            lambda error: show_error(self, error),
            cancellable=False,
            show_progress=False,
        )

    def show_found(self, professionals: list[ProfessionalView], agencies: list[AgencyView]) -> None:
        self.professional_model.set_rows(professionals)
        self.agency_model.set_rows(agencies)
        people = f"{len(professionals)} professional{'s' if len(professionals) != 1 else ''}"
        places = f"{len(agencies)} agenc{'ies' if len(agencies) != 1 else 'y'}"
        if self.query.text().strip():
            self.result_label.setText(f"Found {people} and {places}.")
        else:
            self.result_label.setText(f"{people} and {places} in the directory.")
        self.professional_table.select_first()
        self.agency_table.select_first()
        self._fit_buttons()

    def _fit_buttons(self) -> None:
        professional: ProfessionalView | None = self.professional_table.selected()
        agency: AgencyView | None = self.agency_table.selected()
        self.change_professional_button.setEnabled(professional is not None)
        self.deactivate_professional_button.setEnabled(
            professional is not None and professional.active
        )
        self.change_agency_button.setEnabled(agency is not None)
        self.deactivate_agency_button.setEnabled(agency is not None and agency.active)

    def _agency_list(self) -> list[AgencyView]:
        try:
            return self.services.directory.agencies()
        except Exception as error:
            show_error(self, error)
            return []

    # --- professionals ----------------------------------------------------------------------

    def add_professional(self) -> None:
        ProfessionalDialog(self.services, self._agency_list(), parent=self).exec()

    def change_professional(self) -> None:
        chosen = self.professional_table.selected()
        if chosen is not None:
            ProfessionalDialog(self.services, self._agency_list(), chosen, parent=self).exec()

    def deactivate_professional(self) -> None:
        chosen: ProfessionalView | None = self.professional_table.selected()
        if chosen is None or not chosen.active:
            return
        cases = (
            f" They are a contact on {chosen.cases} case{'s' if chosen.cases != 1 else ''} "
            "now and stay on them until their involvement is ended there."
            if chosen.cases
            else ""
        )
        if not confirm(
            self,
            "Deactivate a professional",
            f"{chosen.name} will no longer be offered when adding a contact.{cases}",
            action="Deactivate",
        ):
            return
        directory = self.services.directory
        ident, version = chosen.id, chosen.version
        self._write("Deactivating", lambda: directory.deactivate_professional(ident, version))

    # --- agencies ---------------------------------------------------------------------------

    def add_agency(self) -> None:
        AgencyDialog(self.services, parent=self).exec()

    def change_agency(self) -> None:
        chosen = self.agency_table.selected()
        if chosen is not None:
            AgencyDialog(self.services, chosen, parent=self).exec()

    def deactivate_agency(self) -> None:
        chosen: AgencyView | None = self.agency_table.selected()
        if chosen is None or not chosen.active:
            return
        if not confirm(
            self,
            "Deactivate an agency",
            f"{chosen.name} will no longer be offered in the directory. Referrals and contacts "
            "that name it keep it.",
            action="Deactivate",
        ):
            return
        directory = self.services.directory
        ident = chosen.id
        self._write("Deactivating", lambda: directory.deactivate_agency(ident))

    def _write(self, title: str, write: Callable[[], object]) -> None:
        run_task(
            self,
            title,
            lambda _progress: write(),
            lambda _result: None,  # the write publishes Kind.AGENCY: the page reads again
            lambda error: show_error(self, error),
            cancellable=False,
            show_progress=False,
        )


def _buttons(*buttons: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    for button in buttons:
        row.addWidget(button)
    row.addStretch(1)
    return row
