"""Making a panel meeting's pack: which cases (those on the agenda the person may share), one
combined PDF or one per case, the multi-agency profile or the unit's own, and the sharing
step for each case that has no decision ready.

Each case's row says whether its sharing decision is ready; "Record sharing decision…" opens
the same sharing step as a single summary's export (``ui.dialogs.sharing_step``), with the
meeting already named. The pack is drawn off the GUI thread and opened (or its folder shown).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.errors import ValidationError
from veru_desk.domain.panels import ActionStatus
from veru_desk.reports.panel_pack import PackExport, make_pack
from veru_desk.services import Services
from veru_desk.services.panels import MeetingView, PackCase
from veru_desk.services.summary import SharingProfile
from veru_desk.ui.dialogs.export_summary import documents_folder
from veru_desk.ui.dialogs.sharing_step import SharingStep
from veru_desk.ui.shell.tasks import Progress, run_task
from veru_desk.ui.widgets.feedback import SavedLine, show_error
from veru_desk.ui.widgets.kit import (
    accept_button,
    dialog_buttons,
    fit_to_screen,
    form_section,
    grow_to_fit,
    secondary_button,
)
from veru_desk.ui.widgets.record_table import Column, RecordTable, RecordTableModel


def _last_time(case: PackCase) -> str:
    if case.previous_meeting is None:
        return "Not discussed before"
    counts = {status: 0 for status in ActionStatus}
    for action in case.previous_actions:
        counts[action.status] += 1
    parts = [f"{n} {status.label.lower()}" for status, n in counts.items() if n]
    return f"{case.previous_meeting}: " + (", ".join(parts) if parts else "no actions")


def _sharing_words(case: PackCase) -> str:
    """Short, so last time's actions keep their room; the tooltip says it in full."""
    if case.decision is None:
        return "None recorded"
    return "Ready" if case.decision.ready else "Awaiting approval"


CASE_COLUMNS = [
    Column("Case", lambda c: c.case_ref),
    Column(
        "Young person",
        lambda c: c.name,
        tooltip=lambda c: f"Caseworker: {c.worker or 'not allocated'}",
    ),
    Column(
        "Sharing decision",
        _sharing_words,
        tooltip=lambda c: c.sharing_text,
        warning=lambda c: c.decision is None or not c.decision.ready,
    ),
    Column(
        "Last meeting",
        _last_time,
        warning=lambda c: any(a.status is ActionStatus.OVERDUE for a in c.previous_actions),
    ),
]


class PanelPackDialog(QDialog):
    def __init__(self, services: Services, meeting_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.meeting_id = meeting_id
        self.meeting: MeetingView = services.panels.details(meeting_id)
        self.made: PackExport | None = None
        self.setWindowTitle(f"Make pack: {self.meeting.label}")

        self.model = RecordTableModel(CASE_COLUMNS, self)
        self.table = RecordTable(self.model, "Cases in the pack", stretch_column=3)
        self.record_button = secondary_button("Record sharing decision…", self.record_decision)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._fit())

        options = form_section("The pack")
        self.multi_agency = QRadioButton(
            "Multi-agency: for the panel, each case under its decision"
        )
        self.full = QRadioButton("The unit's own: full summaries, names on the agenda")
        self.multi_agency.setChecked(True)
        profiles = QButtonGroup(self)
        profiles.addButton(self.multi_agency)
        profiles.addButton(self.full)
        self.combined = QRadioButton("One combined PDF")
        self.per_case = QRadioButton("One PDF per case, and the agenda on its own")
        self.combined.setChecked(True)
        shapes = QButtonGroup(self)
        shapes.addButton(self.combined)
        shapes.addButton(self.per_case)
        profile_box = QWidget()
        profile_layout = QVBoxLayout(profile_box)
        profile_layout.setContentsMargins(0, 0, 0, 0)
        profile_layout.addWidget(self.multi_agency)
        profile_layout.addWidget(self.full)
        shape_box = QWidget()
        shape_layout = QVBoxLayout(shape_box)
        shape_layout.setContentsMargins(0, 0, 0, 0)
        shape_layout.addWidget(self.combined)
        shape_layout.addWidget(self.per_case)
        self.folder = QLineEdit(str(documents_folder()))
        self.folder.setAccessibleName("Folder to save the pack in")
        browse = secondary_button("Choose…", self.choose_folder)
        folder_row = QWidget()
        folder_layout = QHBoxLayout(folder_row)
        folder_layout.setContentsMargins(0, 0, 0, 0)
        folder_layout.addWidget(self.folder, 1)
        folder_layout.addWidget(browse)
        options.form.addRow("Profile", profile_box)
        options.form.addRow("Files", shape_box)
        options.form.addRow("Save in", folder_row)
        self.multi_agency.toggled.connect(lambda _on: self._fit())

        self.message = QLabel()
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self.saved = SavedLine()
        self.buttons = dialog_buttons("Make pack", reject="Close", on_reject=self.reject)
        self.buttons.accepted.connect(self.make)

        intro = QLabel(
            "Each case's summary is the case summary export, cut to its own sharing decision "
            "and recorded in its Exports tab. The cover lists the agenda and what the last "
            "meeting agreed for each case, with its status."
        )
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addWidget(self.record_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(options.box)
        layout.addWidget(self.message)
        layout.addWidget(self.saved)
        layout.addWidget(self.buttons)
        # Room for the columns at any text size (the last, last time's actions, stretches).
        self.resize(max(980, self.fontMetrics().averageCharWidth() * 150), 640)
        fit_to_screen(self)
        self.refresh()

    def refresh(self) -> None:
        try:
            cases = self.services.panels.pack_cases(self.meeting_id)
        except Exception as error:
            show_error(self, error)
            cases = []
        self.model.set_rows(cases)
        self.table.fit_columns()
        self.table.select_first()
        self._fit()

    def _fit(self) -> None:
        chosen: PackCase | None = self.table.selected()
        self.record_button.setEnabled(chosen is not None and self.multi_agency.isChecked())
        accept_button(self.buttons).setEnabled(self.model.rowCount() > 0)

    def choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Save the pack in", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def record_decision(self) -> None:
        chosen: PackCase | None = self.table.selected()
        if chosen is None:
            return
        dialog = SharingDecisionDialog(self.services, chosen, self.meeting, self)
        if dialog.exec():
            self.refresh()

    def make(self) -> None:
        self.message.setVisible(False)
        folder = Path(self.folder.text().strip()).expanduser()
        if not self.folder.text().strip():
            self._say("Choose the folder to save the pack in.")
            return
        multi = self.multi_agency.isChecked()
        profile = SharingProfile.MULTI_AGENCY if multi else SharingProfile.FULL
        combined = self.combined.isChecked()
        services, meeting_id = self.services, self.meeting_id

        def work(progress: Progress) -> PackExport:
            return make_pack(
                services, meeting_id, folder, profile, combined=combined, progress=progress.set
            )

        def done(result: PackExport) -> None:
            self.made = result
            self.saved.show_saved(result.paths[0], open_now=True)
            accept_button(self.buttons).setEnabled(False)
            self.refresh()

        def failed(error: Exception) -> None:
            if isinstance(error, ValidationError):
                self._say(" ".join(error.fields.values()))
            else:
                show_error(self, error)

        run_task(self, "Making the pack", work, done, failed, cancellable=False)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(True)
        grow_to_fit(self, [self.message])


class SharingDecisionDialog(QDialog):
    """The sharing step for one case of the pack, the meeting already named."""

    def __init__(
        self, services: Services, case: PackCase, meeting: MeetingView, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.case = case
        self.meeting = meeting
        self.setWindowTitle(f"Sharing decision: {case.case_ref}")
        self.step = SharingStep(services, case.person_id, self)
        agencies = sorted({a.agency for a in meeting.attendees if a.agency})
        if agencies and not self.step.agencies.text():
            self.step.agencies.setText("; ".join(agencies))
        self.message = QLabel()
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        heading = QLabel(f"For {meeting.label}: {case.case_ref}, {case.name}")
        heading.setWordWrap(True)
        buttons = dialog_buttons("Record decision", on_reject=self.reject)
        buttons.accepted.connect(self.record)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.step, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        fit_to_screen(self)

    def record(self) -> None:
        if self.step.chosen() is not None:
            try:
                self.step.check_chosen()
            except ValidationError as error:
                self._say(" ".join(error.fields.values()))
                return
            self.accept()
            return
        draft = self.step.draft(self.meeting.title, self.meeting.held_at.date())
        try:
            view = self.services.sharing.record(self.case.person_id, draft)
        except ValidationError as error:
            self._say(" ".join(error.fields.values()))
            return
        except Exception as error:
            show_error(self, error)
            return
        if not view.ready:
            self._say(
                "Recorded. Consent was refused on the referral, so a manager must approve it "
                "before this case's summary can go in the pack."
            )
            return
        self.accept()

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(True)
        grow_to_fit(self, [self.message])
