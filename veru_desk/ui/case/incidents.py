"""A case's incidents: what happened, when and where, this young person's part in it and on
whose information, with Record and Change. The list is read through the service, which
audits the view and shows a colleague's young people only by case reference and worker.
"""

from __future__ import annotations

from typing import ClassVar

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from veru_desk.domain.dates import format_uk_date, format_uk_datetime
from veru_desk.domain.incidents import IncidentInput
from veru_desk.domain.network import IncidentKind
from veru_desk.domain.safeguarding import FlagKind
from veru_desk.services import Services
from veru_desk.services.changes import Kind
from veru_desk.services.incidents import IncidentView
from veru_desk.services.safeguarding import FlagView
from veru_desk.ui.case.tab import CaseTab, button_row
from veru_desk.ui.dialogs.incident import IncidentDialog
from veru_desk.ui.dialogs.safeguarding_flag import SafeguardingFlagDialog
from veru_desk.ui.shell.tasks import run_task
from veru_desk.ui.widgets.feedback import confirm, show_error
from veru_desk.ui.widgets.record_table import Column, RecordTable, RecordTableModel


def _reference(incident: IncidentView) -> str:
    return incident.reference or ""


INCIDENT_COLUMNS = [
    Column("When", lambda i: format_uk_datetime(i.occurred_at)),
    Column(
        "Kind",
        lambda i: i.kind.label,
        warning=lambda i: i.kind in (IncidentKind.KNIFE, IncidentKind.MISSING),
    ),
    Column("Place", lambda i: i.where, tooltip=lambda i: i.where),
    Column("Role", lambda i: i.role.label if i.role else ""),
    Column("Source", lambda i: i.source.label),
    Column("Reference", _reference, tooltip=_reference),
]


def details_text(incident: IncidentView) -> str:
    """The selected incident in full: the others involved (as the reader may see them), what
    happened, and who recorded it."""
    lines = [
        f"{incident.kind.label}, {format_uk_datetime(incident.occurred_at)}"
        + (f", at {incident.where}" if incident.where else "")
    ]
    if incident.others:
        lines.append(
            "Also involved: "
            + "; ".join(f"{p.label} ({p.role.label.lower()})" for p in incident.others)
        )
    source = f"Source: {incident.source.label}"
    if incident.reference:
        source += f"; reference {incident.reference}"
    lines.append(source)
    lines.append(f"Recorded by {incident.recorded_by or 'a former user'}")
    lines.append("")
    lines.append(incident.summary)
    return "\n".join(lines)


class IncidentsTab(CaseTab):
    kinds: ClassVar[frozenset[Kind]] = frozenset({Kind.INCIDENT, Kind.NETWORK})

    def __init__(self, services: Services, person_id: int, parent: QWidget | None = None) -> None:
        super().__init__(services, person_id, parent)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Incidents summary")
        self.add_button = QPushButton("Record incident…")
        self.add_button.clicked.connect(self.add_incident)
        self.change_button = QPushButton("Change selected…")
        self.change_button.clicked.connect(self.change_selected)
        self.model = RecordTableModel(INCIDENT_COLUMNS, self)
        self.table = RecordTable(self.model, "Incidents", stretch_column=2)
        self.table.doubleClicked.connect(self.change_selected)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setAccessibleName("Incident details")

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(button_row(self.add_button, self.change_button))
        layout.addWidget(splitter, 1)
        self.table.selectionModel().selectionChanged.connect(self._show_selected)

    def refresh(self) -> None:
        service, person_id = self.services.incidents, self.person_id
        self.load("Loading incidents", lambda: service.for_case(person_id), self.show_incidents)

    def show_incidents(self, incidents: list[IncidentView]) -> None:
        self.model.set_rows(incidents)
        if not incidents:
            self.summary.setText(
                "No incidents recorded. Record one for a knife incident, an assault, a "
                "robbery, an exploitation concern, a missing episode or an arrest."
            )
        else:
            count = len(incidents)
            self.summary.setText(
                f"{count} incident{'s' if count != 1 else ''}, newest first. An incident "
                "shows in the case of every young person involved."
            )
        self.table.select_first()
        self._show_selected()

    def _show_selected(self) -> None:
        incident: IncidentView | None = self.table.selected()
        self.change_button.setEnabled(incident is not None)
        self.details.setText(details_text(incident) if incident is not None else "")

    def add_incident(self) -> None:
        dialog = IncidentDialog(self.services, self.person_id, parent=self)
        if dialog.exec() and dialog.saved_input is not None:
            self.offer_missing_flag(dialog.saved_input)

    def offer_missing_flag(self, data: IncidentInput) -> None:
        """A missing episode recorded as an incident usually wants the case's Missing flag
        too (the banner, the caseload's column): offered, never added unasked, and not when
        a Missing flag already covers that day."""
        if data.kind is not IncidentKind.MISSING or data.occurred_at is None:
            return
        day = data.occurred_at.date()
        service, person_id = self.services.safeguarding, self.person_id

        def covered(flags: list[FlagView]) -> bool:
            return any(
                f.kind is FlagKind.MISSING
                and f.started_on <= day
                and (f.ended_on is None or f.ended_on >= day)
                for f in flags
            )

        def offer(flags: list[FlagView]) -> None:
            if covered(flags) or not shiboken6.isValid(self):
                return
            if not confirm(
                self,
                "Add a safeguarding flag",
                f"Add a 'Missing episode' safeguarding flag from {format_uk_date(day)}? It "
                "shows in the case's banner until you record when they were found.",
                action="Add the flag…",
                keep="Not now",
            ):
                return
            dialog = SafeguardingFlagDialog(
                self.services, self.person_id, parent=self, kind=FlagKind.MISSING
            )
            dialog.started_on.set_date(day)
            dialog.exec()

        run_task(
            self,
            "Reading safeguarding flags",
            lambda _progress: service.for_case(person_id),
            offer,
            lambda error: show_error(self, error),
            cancellable=False,
            show_progress=False,
        )

    def change_selected(self) -> None:
        incident = self.table.selected()
        if incident is not None:
            IncidentDialog(self.services, self.person_id, incident, parent=self).exec()
