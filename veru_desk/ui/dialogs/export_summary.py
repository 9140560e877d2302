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
from veru_desk.services.summary import MAX_MEETING_CHARS, PreparedFor, SharingProfile
from veru_desk.ui.dialogs.case_dialog import CaseDialog, gather
from veru_desk.ui.widgets.feedback import SavedLine
from veru_desk.ui.widgets.forms import DateField

PROFILE_HELP = {
    SharingProfile.MULTI_AGENCY: (
        "For partners: leaves out the address, phone numbers, contacts' details, the NHS "
        "number and notes marked confidential, and says so on the cover."
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
        self.profile_group.buttonToggled.connect(lambda *_: self._profile_changed())
        self._profile_changed()
        self.saved = SavedLine(self)
        layout = self.layout()
        if isinstance(layout, QVBoxLayout):
            layout.insertWidget(layout.count() - 1, self.saved)
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
        return lambda: export_case_summary(services, person_id, path, profile, prepared)

    def save(self) -> None:
        if self._finished:  # exported already: Ctrl+S must not write a second copy
            return
        super().save()

    def _saved(self, result: Any) -> None:
        self.export = result
        if isinstance(result, SummaryExport) and not self.saved.show_saved(
            result.path, open_now=True
        ):
            self._stay_to_say_where(result)
            return
        super()._saved(result)

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
