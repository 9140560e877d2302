"""An incident: when (a date and a time), what kind, where (a known place, a new one, or typed
words), who was involved and how, and on whose information.

The young person whose case it is opened from is always in the list, with their role; others
are added through the same look-ups the network uses (``services.network``): young people on
record (a colleague's young person is shown only by case reference and worker), and persons
of concern. The service checks every rule; its messages appear beside their fields and the
form keeps everything typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.errors import NotFound, ValidationError
from veru_desk.domain.incidents import IncidentInput, PartyInput, incident_problems
from veru_desk.domain.network import IncidentKind, IncidentRole, InfoSource
from veru_desk.services import Services
from veru_desk.services.changes import Kind
from veru_desk.services.incidents import IncidentView, PartyView
from veru_desk.ui.dialogs.case_dialog import CaseDialog, chosen_enum, enum_combo, gather
from veru_desk.ui.dialogs.link import ConcernDialog, PlaceDialog
from veru_desk.ui.shell.tasks import run_task
from veru_desk.ui.widgets.feedback import show_error
from veru_desk.ui.widgets.forms import DateField, select_enum
from veru_desk.ui.widgets.kit import dialog_buttons

_TYPED = "Not a known place: type where below"
_ID = Qt.ItemDataRole.UserRole


def role_combo(role: IncidentRole | None = None) -> QComboBox:
    combo = QComboBox()
    for member in IncidentRole:
        combo.addItem(member.label, member)
    combo.setAccessibleName("Role in the incident")
    if role is not None:
        combo.setCurrentIndex(combo.findData(role))
    return combo


class IncidentDialog(CaseDialog):
    """Records an incident from a case (``incident`` None) or corrects one."""

    def __init__(
        self,
        services: Services,
        person_id: int,
        incident: IncidentView | None = None,
        parent: QWidget | None = None,
    ) -> None:
        title = "Record an incident" if incident is None else "Change an incident"
        super().__init__(title, person_id, Kind.INCIDENT, parent)
        self.services = services
        self.incident = incident
        self.saved_input: IncidentInput | None = None
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 48)

        self.occurred_on = DateField(accessible_name="Date of the incident", latest=dt.date.today())
        self.time = QTimeEdit()
        self.time.setDisplayFormat("HH:mm")
        self.time.setAccessibleName("Time of the incident")
        when = QWidget()
        when_row = QHBoxLayout(when)
        when_row.setContentsMargins(0, 0, 0, 0)
        when_row.addWidget(self.occurred_on, 2)
        when_row.addWidget(QLabel("at"))
        when_row.addWidget(self.time, 1)

        self.kind = enum_combo(IncidentKind, "Kind of incident")
        self.kind.setPlaceholderText("Choose the kind of incident")
        self.kind.setCurrentIndex(-1)

        self.place = QComboBox()
        self.place.setAccessibleName("Known place")
        self.new_place = QPushButton("New place…")
        self.new_place.clicked.connect(self.add_place)
        where = QWidget()
        where_row = QHBoxLayout(where)
        where_row.setContentsMargins(0, 0, 0, 0)
        where_row.addWidget(self.place, 1)
        where_row.addWidget(self.new_place)
        self.location = QLineEdit()
        self.location.setMaxLength(200)
        self.location.setPlaceholderText("e.g. outside Luton station, on the 27 bus")

        self.parties = QTableWidget(0, 2)
        self.parties.setHorizontalHeaderLabels(["Person", "Role"])
        self.parties.setAccessibleName("People involved")
        self.parties.verticalHeader().setVisible(False)
        self.parties.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.parties.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.parties.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.parties.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.parties.setMinimumHeight(self.fontMetrics().lineSpacing() * 7)
        self.add_young_person = QPushButton("Add a young person…")
        self.add_young_person.clicked.connect(lambda: self.choose_party(young=True))
        self.add_concern = QPushButton("Add a person of concern…")
        self.add_concern.clicked.connect(lambda: self.choose_party(young=False))
        self.remove_party = QPushButton("Remove")
        self.remove_party.clicked.connect(self.remove_selected)
        people = QWidget()
        people_box = QVBoxLayout(people)
        people_box.setContentsMargins(0, 0, 0, 0)
        people_box.addWidget(self.parties)
        buttons = QHBoxLayout()
        for button in (self.add_young_person, self.add_concern, self.remove_party):
            buttons.addWidget(button)
        buttons.addStretch(1)
        people_box.addLayout(buttons)

        self.source = enum_combo(InfoSource, "Source of the information")
        self.source.setPlaceholderText("Who told the unit")
        self.source.setCurrentIndex(-1)
        self.reference = QLineEdit()
        self.reference.setMaxLength(60)
        self.reference.setPlaceholderText("e.g. police log CAD 4417/03DEC")
        self.summary = QPlainTextEdit()
        self.summary.setTabChangesFocus(True)
        self.summary.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)
        self.summary.setPlaceholderText("What happened, as the source told it")

        self.add_row("When*", when, "occurred_at", accessible="Date of the incident")
        self.add_row("Kind of incident*", self.kind, "kind")
        self.add_row("Place", where, "place", accessible="Known place")
        self.add_row("Or where", self.location, "location", accessible="Where it happened")
        self.add_row("People involved*", people, "parties", accessible="People involved")
        self.add_row("Source*", self.source, "source")
        self.add_row("Reference", self.reference, "reference", accessible="Reference")
        self.add_row("What happened*", self.summary, "summary", accessible="Incident summary")

        self.place.currentIndexChanged.connect(self._place_chosen)
        self.parties.itemSelectionChanged.connect(self._selection_changed)
        if incident is None:
            self.occurred_on.set_date(dt.date.today())
            now = dt.datetime.now()
            self.time.setTime(QTime(now.hour, 0))
            self._append_party(person_id, None, "This young person", IncidentRole.HARMED)
            self.load_places()
        else:
            self.load(incident)
        self._selection_changed()

    # --- places ------------------------------------------------------------------------------

    def load_places(self, select_id: int | None = None) -> None:
        """The places the reader may see, off the GUI thread; keeps the choice made."""
        network = self.services.network
        wanted = select_id if select_id is not None else self.place.currentData()

        def shown(places: list[Any]) -> None:
            if not shiboken6.isValid(self):
                return
            self.show_places([(p.id, p.label) for p in places], wanted)

        run_task(
            self,
            "Reading the places of concern",
            lambda _progress: network.places(),
            shown,
            lambda error: show_error(self, error),
            cancellable=False,
            show_progress=False,
        )

    def show_places(self, places: list[tuple[int, str]], select_id: int | None) -> None:
        self.place.blockSignals(True)
        self.place.clear()
        self.place.addItem(_TYPED, None)
        for place_id, label in places:
            self.place.addItem(label, place_id)
        if select_id is not None and self.place.findData(select_id) < 0 and self.incident:
            self.place.addItem(self.incident.place_label or "The recorded place", select_id)
        index = self.place.findData(select_id) if select_id is not None else 0
        self.place.setCurrentIndex(max(index, 0))
        self.place.blockSignals(False)
        self._place_chosen()

    def add_place(self) -> None:
        dialog = PlaceDialog(self.services, self.person_id, self)
        typed = self.location.text().strip()
        if typed:
            dialog.name.setText(typed)
        if dialog.exec() and isinstance(dialog.result_value, int):
            self.location.clear()
            self.load_places(select_id=dialog.result_value)

    def _place_chosen(self) -> None:
        known = self.place.currentData() is not None
        self.location.setEnabled(not known)

    # --- people involved -----------------------------------------------------------------------

    def _append_party(
        self,
        young_person_id: int | None,
        concern_id: int | None,
        label: str,
        role: IncidentRole,
    ) -> None:
        row = self.parties.rowCount()
        self.parties.insertRow(row)
        item = QTableWidgetItem(label)
        item.setData(_ID, (young_person_id, concern_id))
        item.setToolTip(label)
        self.parties.setItem(row, 0, item)
        self.parties.setCellWidget(row, 1, role_combo(role))

    def party_inputs(self) -> tuple[PartyInput, ...]:
        found = []
        for row in range(self.parties.rowCount()):
            combo = self.parties.cellWidget(row, 1)
            young, concern = self._party_ids(row)
            assert isinstance(combo, QComboBox)
            found.append(PartyInput(combo.currentData(), young, concern))
        return tuple(found)

    def _party_ids(self, row: int) -> tuple[int | None, int | None]:
        """(young person, person of concern) of a row of the people involved."""
        item = self.parties.item(row, 0)
        return item.data(_ID) if item is not None else (None, None)

    def party_labels(self) -> list[str]:
        items = (self.parties.item(row, 0) for row in range(self.parties.rowCount()))
        return [item.text() for item in items if item is not None]

    def _selection_changed(self) -> None:
        row = self.parties.currentRow()
        own = row >= 0 and self._party_ids(row)[0] == self.person_id
        self.remove_party.setEnabled(row >= 0 and not own)
        self.remove_party.setToolTip(
            "The young person whose case this is stays involved" if own else ""
        )

    def remove_selected(self) -> None:
        row = self.parties.currentRow()
        if row >= 0 and self._party_ids(row)[0] != self.person_id:
            self.parties.removeRow(row)
        self._selection_changed()

    def choose_party(self, *, young: bool) -> None:
        chooser = PartyChooser(self.services, self.person_id, young=young, parent=self)
        if chooser.exec() and chooser.chosen is not None:
            record_id, label = chooser.chosen
            taken = {
                p.young_person_id if young else p.person_of_concern_id for p in self.party_inputs()
            }
            if record_id in taken:
                return
            role = IncidentRole.SUSPECTED if not young else IncidentRole.PRESENT
            self._append_party(
                record_id if young else None, None if young else record_id, label, role
            )

    # --- loading and saving --------------------------------------------------------------------

    def fill(self, incident: IncidentView) -> None:
        self.occurred_on.set_date(incident.occurred_at.date())
        self.time.setTime(QTime(incident.occurred_at.hour, incident.occurred_at.minute))
        select_enum(self.kind, incident.kind)
        select_enum(self.source, incident.source)
        self.reference.setText(incident.reference or "")
        self.summary.setPlainText(incident.summary)
        self.location.setText(incident.location or "")
        self.parties.setRowCount(0)
        for party in incident.parties:
            self._show_party(party)
        self.show_places([], incident.place_id)
        self.load_places(select_id=incident.place_id)

    def _show_party(self, party: PartyView) -> None:
        self._append_party(
            party.young_person_id, party.person_of_concern_id, party.label, party.role
        )

    def reread(self) -> IncidentView | None:
        if self.incident is None:
            return None
        for incident in self.services.incidents.for_case(self.person_id):
            if incident.id == self.incident.id:
                return incident
        raise NotFound("This incident is no longer on the case.")

    def build_on(self, saved: IncidentView) -> None:
        self.incident = saved

    def prepare(self) -> Callable[[], Any]:
        errors: dict[str, str] = {}
        day = gather(errors, lambda: self.occurred_on.date_or_none("occurred_at"))
        if day is None and "occurred_at" not in errors:
            errors["occurred_at"] = "Enter the date it happened (dd/mm/yyyy)."
        kind = chosen_enum(self.kind, IncidentKind)
        if kind is None:
            errors["kind"] = "Choose the kind of incident."
        source = chosen_enum(self.source, InfoSource)
        if source is None:
            errors["source"] = "Choose who told the unit (the source of the information)."
        clock = self.time.time()
        place_id = self.place.currentData()
        data = IncidentInput(
            occurred_at=None
            if day is None
            else dt.datetime.combine(day, dt.time(clock.hour(), clock.minute())),
            kind=kind or IncidentKind.OTHER,
            source=source or InfoSource.OTHER,
            summary=self.summary.toPlainText(),
            parties=self.party_inputs(),
            place_id=place_id,
            location=None if place_id is not None else self.location.text(),
            reference=self.reference.text(),
        )
        if errors or day is None or kind is None or source is None:
            # Every field's message at once, not the choices first and the rest on a retry.
            rest = incident_problems(data, dt.datetime.now())
            raise ValidationError({**rest, **errors})
        self.saved_input = data  # what was saved, once accepted (the tab offers a flag)
        service = self.services.incidents
        if self.incident is None:
            return lambda: service.add(data)
        ident, version = self.incident.id, self.incident.version
        return lambda: service.change(ident, data, version)


class PartyChooser(QDialog):
    """Finds a young person on record (as the people search finds them: a colleague's young
    person by case reference and worker only) or a person of concern the reader may see, with
    "New person of concern…" for one not recorded yet. ``chosen`` is (id, label)."""

    def __init__(
        self, services: Services, person_id: int, *, young: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.person_id = person_id
        self.young = young
        self.chosen: tuple[int, str] | None = None
        self.setWindowTitle("Add a young person" if young else "Add a person of concern")
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 34)
        self.find_text = QLineEdit()
        self.find_text.setAccessibleName("Find")
        self.find_text.setPlaceholderText(
            "Name, case reference or NHS number" if young else "Name or street name"
        )
        self.find_text.returnPressed.connect(self.search)
        find = QPushButton("Find")
        find.clicked.connect(self.search)
        self.found = QListWidget()
        self.found.setAccessibleName("Found")
        self.found.itemDoubleClicked.connect(lambda _item: self._accept())
        self.said = QLabel()
        self.said.setObjectName("quiet")
        self.said.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.find_text, 1)
        row.addWidget(find)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.found, 1)
        layout.addWidget(self.said)
        if not young:
            add_new = QPushButton("New person of concern…")
            add_new.clicked.connect(self.add_new)
            layout.addWidget(add_new)
        layout.addWidget(dialog_buttons("Add", on_accept=self._accept, on_reject=self.reject))
        if young:
            self.said.setText("Type a name, case reference or NHS number, then press Find.")
        else:
            self.search()

    def search(self, select_id: int | None = None) -> None:
        text = self.find_text.text().strip()
        if self.young and not text:
            return
        network, person_id, young = self.services.network, self.person_id, self.young

        def read() -> list[tuple[int, str]]:
            if young:
                return [
                    (c.person_id, c.label if c.can_open else f"Young person: {c.label}")
                    for c in network.candidates(text)
                    if c.person_id != person_id
                ]
            return [(c.id, c.label) for c in network.concerns(text)]

        def shown(rows: list[tuple[int, str]]) -> None:
            if shiboken6.isValid(self):
                self.show_found(rows, select_id)

        run_task(
            self,
            "Finding who was involved",
            lambda _progress: read(),
            shown,
            lambda error: show_error(self, error),
            cancellable=False,
            show_progress=False,
        )

    def show_found(self, rows: list[tuple[int, str]], select_id: int | None = None) -> None:
        self.found.clear()
        for record_id, label in rows:
            item = QListWidgetItem(label)
            item.setData(_ID, record_id)
            self.found.addItem(item)
            if record_id == select_id or len(rows) == 1:
                self.found.setCurrentItem(item)
        self.said.setText(
            f"{len(rows)} found: choose one." if rows else "Nobody found: check the spelling."
        )

    def add_new(self) -> None:
        dialog = ConcernDialog(self.services, self.person_id, self)
        if self.find_text.text().strip():
            dialog.name.setText(self.find_text.text().strip())
        if dialog.exec() and isinstance(dialog.result_value, int):
            self.find_text.clear()
            self.search(select_id=dialog.result_value)

    def _accept(self) -> None:
        item = self.found.currentItem()
        if item is None:
            self.said.setText("Choose someone from the list first.")
            return
        self.chosen = (int(item.data(_ID)), item.text())
        self.accept()
