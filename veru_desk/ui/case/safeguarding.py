"""A case's safeguarding flags: the list with their dates and who recorded them, the Add,
Change and End buttons, and the banner of active flags the workspace shows under its header.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.safeguarding import FlagKind, end_label, start_label
from veru_desk.services import Services
from veru_desk.services.changes import Kind
from veru_desk.services.safeguarding import FlagView
from veru_desk.ui.case.tab import CaseTab, button_row
from veru_desk.ui.dialogs.safeguarding_flag import EndFlagDialog, SafeguardingFlagDialog
from veru_desk.ui.shell.tasks import run_task
from veru_desk.ui.widgets.record_table import Column, RecordTable, RecordTableModel

#: The banner: calm amber, apart from the red disengagement alert above it.
BANNER_STYLE = (
    "QLabel { background: #fff4dc; border: 1px solid #e0b54a; border-radius: 4px;"
    " padding: 0.4em 0.6em; color: #4d3600; }"
)


def _status(flag: FlagView) -> str:
    if flag.active:
        return "Still missing" if flag.kind is FlagKind.MISSING else "Active"
    return "Ended" if flag.ended_on is not None else "Not yet started"


FLAG_COLUMNS = [
    Column("Flag", lambda f: f.kind.label, quiet=lambda f: not f.active),
    Column(
        "From",
        lambda f: format_uk_date(f.started_on),
        tooltip=lambda f: start_label(f.kind),
        quiet=lambda f: not f.active,
    ),
    Column(
        "To",
        lambda f: format_uk_date(f.ended_on),
        tooltip=lambda f: end_label(f.kind),
        quiet=lambda f: not f.active,
    ),
    Column(
        "Status",
        _status,
        warning=lambda f: f.active and f.kind is FlagKind.MISSING,
        quiet=lambda f: not f.active,
    ),
    Column("Details", lambda f: f.details, tooltip=lambda f: f.details),
    Column("Recorded by", lambda f: f.recorded_by or "", quiet=lambda f: not f.active),
]


def banner_text(flags: list[FlagView]) -> str:
    """The active flags in one line: "Safeguarding: Missing episode since 03/12/2026 · ..."."""
    active = [flag for flag in flags if flag.active]
    if not active:
        return ""
    parts = []
    for flag in active:
        since = format_uk_date(flag.started_on)
        if flag.kind is FlagKind.MISSING:
            parts.append(f"MISSING since {since}")
        else:
            parts.append(f"{flag.kind.label} since {since}")
    return "Safeguarding: " + "  ·  ".join(part.replace(" ", "\u00a0") for part in parts)


class FlagBanner(QLabel):
    """The case's active flags under the header; hidden when there are none. The workspace
    re-reads it with its header (on show, and on every change to the case)."""

    def __init__(self, services: Services, person_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.person_id = person_id
        self.setObjectName("flagBanner")
        self.setStyleSheet(BANNER_STYLE)
        self.setWordWrap(True)
        self.setAccessibleName("Active safeguarding flags")
        self.setVisible(False)

    def refresh(self) -> None:
        service, person_id = self.services.safeguarding, self.person_id

        def shown(flags: list[FlagView]) -> None:
            if shiboken6.isValid(self):
                self.show_flags(flags)

        def failed(_error: Exception) -> None:
            pass  # the case's tab says what went wrong; a banner never raises a dialog

        run_task(
            self,
            "Loading safeguarding flags",
            lambda _progress: service.for_case(person_id),
            shown,
            failed,
            cancellable=False,
            show_progress=False,
        )

    def show_flags(self, flags: list[FlagView]) -> None:
        text = banner_text(flags)
        self.setText(text)
        self.setToolTip(
            "\n".join(f"{f.kind.label}: {f.details}" for f in flags if f.active and f.details)
        )
        self.setVisible(bool(text))


class SafeguardingTab(CaseTab):
    kinds: ClassVar[frozenset[Kind]] = frozenset({Kind.FLAG})

    def __init__(self, services: Services, person_id: int, parent: QWidget | None = None) -> None:
        super().__init__(services, person_id, parent)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Safeguarding flags summary")
        self.add_button = QPushButton("Add flag…")
        self.add_button.clicked.connect(self.add_flag)
        self.change_button = QPushButton("Change selected…")
        self.change_button.clicked.connect(self.change_selected)
        self.end_button = QPushButton("End selected…")
        self.end_button.clicked.connect(self.end_selected)
        self.model = RecordTableModel(FLAG_COLUMNS, self)
        self.table = RecordTable(self.model, "Safeguarding flags", stretch_column=4)
        self.table.doubleClicked.connect(self.change_selected)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setAccessibleName("Flag details")

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(button_row(self.add_button, self.change_button, self.end_button))
        layout.addWidget(splitter, 1)
        self.table.selectionModel().selectionChanged.connect(self._show_selected)

    def refresh(self) -> None:
        service, person_id = self.services.safeguarding, self.person_id
        self.load(
            "Loading safeguarding flags", lambda: service.for_case(person_id), self.show_flags
        )

    def show_flags(self, flags: list[FlagView]) -> None:
        self.model.set_rows(flags)
        active = sum(1 for flag in flags if flag.active)
        if not flags:
            self.summary.setText(
                "No safeguarding flags recorded. Add one for a concern (CSE, CCE, county "
                "lines), an NRM referral, a missing episode or a statutory status."
            )
        else:
            ended = len(flags) - active
            self.summary.setText(
                f"{active} active flag{'s' if active != 1 else ''}"
                + (f", {ended} ended." if ended else ".")
            )
        self.table.select_first()
        self._show_selected()

    def _show_selected(self) -> None:
        flag: FlagView | None = self.table.selected()
        self.change_button.setEnabled(flag is not None)
        self.end_button.setEnabled(flag is not None and flag.ended_on is None)
        if flag is None:
            self.details.clear()
            return
        lines = [
            f"{flag.kind.label}: {start_label(flag.kind).lower()} "
            f"{format_uk_date(flag.started_on)}"
            + (
                f", {end_label(flag.kind).lower()} {format_uk_date(flag.ended_on)}"
                if flag.ended_on
                else ""
            )
        ]
        if flag.details:
            lines.append(flag.details)
        recorded = _local_date(flag.recorded_at)
        lines.append(f"Recorded by {flag.recorded_by or 'a former user'} on {recorded}")
        if flag.ended_by:
            lines.append(f"Ended by {flag.ended_by}")
        if flag.note:
            lines.append(f"Note: {flag.note}")
        self.details.setText("\n".join(lines))

    def add_flag(self) -> None:
        SafeguardingFlagDialog(self.services, self.person_id, parent=self).exec()

    def change_selected(self) -> None:
        flag = self.table.selected()
        if flag is not None:
            SafeguardingFlagDialog(self.services, self.person_id, flag, parent=self).exec()

    def end_selected(self) -> None:
        flag = self.table.selected()
        if flag is not None and flag.ended_on is None:
            EndFlagDialog(self.services, self.person_id, flag, parent=self).exec()


def _local_date(value: dt.datetime) -> str:
    return format_uk_date(value.replace(tzinfo=dt.UTC).astimezone().date())
