"""Exporting a case summary for a meeting: which profile, for which meeting, to which file.

The multi-agency profile is the default because the usual reader is a partner agency; the
full internal profile must be chosen on purpose. The PDF is written off the GUI thread, then
opened in the system's PDF viewer, and the export shows at once in the case's Exports tab.
When the system has no PDF viewer the dialog does not close silently: it stays open and says
where the file is, with Open and Show in folder (``widgets.feedback.SavedLine``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.errors import ValidationError
from veru_desk.reports.case_summary import SummaryExport, default_filename, export_case_summary
from veru_desk.services import Services
from veru_desk.services.changes import Kind
from veru_desk.services.sharing import SharingDecisionView
from veru_desk.services.summary import MAX_MEETING_CHARS, PreparedFor, SharingProfile
from veru_desk.ui.dialogs.case_dialog import CaseDialog, gather
from veru_desk.ui.dialogs.sharing_step import SharingStep
from veru_desk.ui.widgets.feedback import SavedLine
from veru_desk.ui.widgets.forms import DateField

PROFILE_HELP = {
    SharingProfile.MULTI_AGENCY: (
        "For partners, under the sharing decision below: leaves out the address, phone "
        "numbers, contacts' details, the NHS number, confidential notes and every special "
        "category detail not ticked, and says so where each was left out."
    ),
    SharingProfile.FULL: "Everything on the case, for use within the unit only.",
}


def documents_folder() -> Path:
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(found) if found else Path.home()


class ExportSummaryDialog(CaseDialog):
    def __init__(self, services: Services, person_id: int, parent: QWidget | None = None) -> None:
        super().__init__(
            "Export case summary", person_id, Kind.EXPORT, parent, save_text="Export and open"
        )
        self.services = services
        self.case_ref = services.people.get(person_id).case_ref
        self.export: SummaryExport | None = None

        self.profile_group = QButtonGroup(self)
        self.profile_buttons: dict[SharingProfile, QRadioButton] = {}
        profiles = QWidget()
        column = QVBoxLayout(profiles)
        column.setContentsMargins(0, 0, 0, 0)
        for profile in (SharingProfile.MULTI_AGENCY, SharingProfile.FULL):
            button = QRadioButton(profile.label)
            button.setToolTip(PROFILE_HELP[profile])
            self.profile_group.addButton(button)
            self.profile_buttons[profile] = button
            column.addWidget(button)
        self.profile_help = QLabel()
        self.profile_help.setWordWrap(True)
        column.addWidget(self.profile_help)
        self.profile_buttons[SharingProfile.MULTI_AGENCY].setChecked(True)

        self.meeting = QLineEdit()
        self.meeting.setMaxLength(MAX_MEETING_CHARS)
        self.meeting.setPlaceholderText("e.g. Luton complex-case panel")
        self.meeting_date = DateField(accessible_name="Date of the meeting")
        self.meeting_date.set_date(dt.date.today())

        self.output = QLineEdit()
        self.output.setAccessibleName("File to save")
        self.choose_button = QPushButton("Choose…")
        self.choose_button.clicked.connect(self.choose_file)
        output_row = QWidget()
        row = QHBoxLayout(output_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.output, 1)
        row.addWidget(self.choose_button)
        self._default_path = ""

        self.add_row("Sharing profile:", profiles, "profile", accessible="Sharing profile")
        self.add_row("Prepared for:", self.meeting, "meeting", accessible="Meeting name")
        self.add_row("Meeting date:", self.meeting_date, "meeting_date")
        self.add_row("Save as:", output_row, "output", accessible="File to save")
        self.sharing = SharingStep(services, person_id)
        self.add_row("", self.sharing, "sharing", accessible="Sharing decision")
        self.waiting = QLabel()
        self.waiting.setWordWrap(True)
        self.waiting.setVisible(False)
        self.profile_group.buttonToggled.connect(lambda *_: self._profile_changed())
        self._profile_changed()
        self.saved = SavedLine(self)
        layout = self.layout()
        if isinstance(layout, QVBoxLayout):
            layout.insertWidget(layout.count() - 1, self.saved)
            layout.insertWidget(layout.count() - 1, self.waiting)
        self._finished = False
        # The dialog's layout keeps it at least as big as its content (case_dialog), so its
        # width comes from the content: room for a whole path and the help in a few lines.
        wide = self.fontMetrics().horizontalAdvance("M") * 34
        self.output.setMinimumWidth(wide)
        self.profile_help.setMinimumWidth(wide)

    # --- fields ----------------------------------------------------------------------------

    @property
    def profile(self) -> SharingProfile:
        for profile, button in self.profile_buttons.items():
            if button.isChecked():
                return profile
        return SharingProfile.MULTI_AGENCY

    def _profile_changed(self) -> None:
        self.profile_help.setText(PROFILE_HELP[self.profile])
        if hasattr(self, "sharing"):
            self.sharing.setVisible(self.profile is SharingProfile.MULTI_AGENCY)
        suggested = str(documents_folder() / default_filename(self.case_ref, self.profile))
        if self.output.text() in ("", self._default_path):
            self.output.setText(suggested)
        self._default_path = suggested

    def choose_file(self) -> None:
        chosen, _filter = QFileDialog.getSaveFileName(
            self, "Save the case summary as", self.output.text(), "PDF documents (*.pdf)"
        )
        if chosen:
            self.output.setText(chosen if chosen.lower().endswith(".pdf") else chosen + ".pdf")

    # --- exporting -------------------------------------------------------------------------

    def prepare(self) -> Callable[[], Any]:
        errors: dict[str, str] = {}
        meeting = " ".join(self.meeting.text().split())
        on = gather(errors, lambda: self.meeting_date.date_or_none("meeting_date"))
        profile = self.profile
        if profile is SharingProfile.MULTI_AGENCY and not meeting:
            errors["meeting"] = (
                "Name the meeting this summary is for: partners' copies must say who they "
                "were shared with."
            )
        output = self.output.text().strip()
        if not output:
            errors["output"] = "Choose where to save the PDF."
        elif not output.lower().endswith(".pdf"):
            errors["output"] = "Save the summary as a .pdf file."
        if errors:
            raise ValidationError(errors)
        prepared = PreparedFor(meeting, on) if meeting else None
        services, person_id, path = self.services, self.person_id, Path(output).expanduser()
        if profile is SharingProfile.FULL:
            return lambda: export_case_summary(services, person_id, path, profile, prepared)
        self.sharing.check_chosen()
        existing = self.sharing.chosen()
        draft = self.sharing.draft(meeting, on) if existing is None else None

        def share() -> SummaryExport | SharingDecisionView:
            """Records the decision (unless one was chosen), then exports under it; a
            decision waiting for a manager's approval is recorded and nothing exported."""
            decision = existing
            if draft is not None:
                decision = services.sharing.record(person_id, draft)
            assert decision is not None
            if not decision.ready:
                return decision
            return export_case_summary(
                services, person_id, path, profile, prepared, decision_id=decision.id
            )

        return share

    def save(self) -> None:
        if self._finished:  # exported already: Ctrl+S must not write a second copy
            return
        super().save()

    def _saved(self, result: Any) -> None:
        if isinstance(result, SharingDecisionView):
            self._stay_waiting(result)
            return
        self.export = result
        if isinstance(result, SummaryExport) and not self.saved.show_saved(
            result.path, open_now=True
        ):
            self._stay_to_say_where(result)
            return
        super()._saved(result)

    def _stay_waiting(self, decision: SharingDecisionView) -> None:
        """Consent was refused: the decision is recorded and waits for a manager; the dialog
        says so and offers only Close (nothing was exported)."""
        self.waiting.setText(
            f"Sharing decision recorded for {decision.meeting_text}. Consent was refused on "
            "the referral, so a manager must approve it before the summary is shared: ask a "
            "manager to approve it (Export case summary on this case), then export again and "
            "choose the approved decision. Nothing was exported."
        )
        self.waiting.setVisible(True)
        self._busy = False
        self._finished = True
        self.result_value = decision
        self.save_button.setVisible(False)
        close = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        close.setText("Close")
        close.setDefault(True)
        self.buttons.rejected.disconnect()
        self.buttons.rejected.connect(self.accept)
        for _label, widget, _field in self._rows:
            widget.setEnabled(False)

    def _stay_to_say_where(self, result: SummaryExport) -> None:
        """No program opened the PDF: the export is done and recorded, and the dialog stays
        to say where the file is (never a silent close), with Close as its only way on."""
        self._busy = False
        self._finished = True
        self.result_value = result
        self.save_button.setVisible(False)
        close = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        close.setText("Close")
        close.setDefault(True)
        close.setFocus()
        self.buttons.rejected.disconnect()
        self.buttons.rejected.connect(self.accept)
        for _label, widget, _field in self._rows:
            widget.setEnabled(False)
